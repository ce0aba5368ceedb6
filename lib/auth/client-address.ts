/**
 * The node server (scripts/node-server.ts) writes the TCP peer's address into this header on
 * every request, replacing anything a client sent, so route code can trust it.
 */
export const CLIENT_ADDRESS_HEADER = 'x-orch-client-address';
