/** How the node server tells its supervisor why it ended. */
export const EXIT_RESTART_REQUESTED = 75; // EX_TEMPFAIL: start me again now (new configuration)
export const EXIT_FATAL_CONFIG = 78; // EX_CONFIG: starting again would fail the same way
