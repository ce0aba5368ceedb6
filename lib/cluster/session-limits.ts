/**
 * Server-side limits on every database session a node opens, set by the node itself on its
 * connections (not left to the database administrator), so that a node that dies, freezes
 * (SIGSTOP, a long GC pause, a VM pause) or is cut off cannot keep a lock or a session that
 * others wait for:
 * - lock_timeout: a statement gives up rather than wait long for a lock another node holds;
 * - statement_timeout: no statement runs unbounded on the server;
 * - idle_in_transaction_session_timeout: a transaction whose client stopped talking (frozen or
 *   cut off between two statements) is rolled back and its locks released;
 * - client_connection_check_interval and TCP keepalives (both ends): a session whose client is
 *   gone is noticed and ended, even in the middle of a query.
 */
export type TSessionLimits = {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionMs: number;
};

/** The cluster agent's sessions: nothing on the heartbeat path may wait long for a lock. */
export const AGENT_SESSION_LIMITS: TSessionLimits = { lockTimeoutMs: 250, statementTimeoutMs: 5_000, idleInTransactionMs: 1_000 };

/** Pages, operator actions and workflow runs. */
export const APP_SESSION_LIMITS: TSessionLimits = {
  lockTimeoutMs: 2_000,
  statementTimeoutMs: 10_000,
  idleInTransactionMs: 2_000,
};

/** The `options` startup parameter carrying the limits (PostgreSQL's `-c name=value`). */
export function sessionOptions(limits: TSessionLimits): string {
  const settings: Record<string, number> = {
    lock_timeout: limits.lockTimeoutMs,
    statement_timeout: limits.statementTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionMs,
    client_connection_check_interval: 1_000,
    // seconds: a silent peer is given up after about 2 + 3 × 1 s
    tcp_keepalives_idle: 2,
    tcp_keepalives_interval: 1,
    tcp_keepalives_count: 3,
  };
  return Object.entries(settings)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
}

/** Pool settings for node-postgres (also the Prisma adapter's pool): limits plus client-side keepalives. */
export function limitedPoolConfig(limits: TSessionLimits) {
  return { options: sessionOptions(limits), keepAlive: true, keepAliveInitialDelayMillis: 1_000 };
}
