/**
 * Deletes rows of the sign-in and audit throttles, and signed-out session ids, that no longer
 * mean anything. Cheap by design: started by the traffic that creates such rows, at most once a
 * minute per process, a bounded batch per table, and rows another transaction holds are skipped
 * (SKIP LOCKED) rather than waited for, so a sweep never blocks or deadlocks a sign-in.
 */
import type { TDb } from '@/lib/db/client';
import { THROTTLE_POLICY } from '@/lib/auth/login-throttle';
import { logError } from '@/lib/node/log';

const SWEEP_EVERY_MS = 60_000;
const BATCH = 1000;
/** audit throttle rows count one minute each; a few minutes later nothing reads them */
const AUDIT_THROTTLE_KEEP_SECONDS = 5 * 60;

const KEY = Symbol.for('orch.auth-sweep');
type TGlobal = typeof globalThis & { [KEY]?: { lastStartedAt: number } };

export async function sweepExpiredAuthRows(db: TDb): Promise<{ throttle: number; sessions: number; audit: number }> {
  const throttle = await db.$executeRaw`
    DELETE FROM login_throttle WHERE key IN (
      SELECT key FROM login_throttle
       WHERE last_failure_at <= now() - make_interval(secs => ${THROTTLE_POLICY.forgetAfterSeconds})
       LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`;
  const sessions = await db.$executeRaw`
    DELETE FROM revoked_session WHERE session_id IN (
      SELECT session_id FROM revoked_session WHERE expires_at <= now() LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`;
  const audit = await db.$executeRaw`
    DELETE FROM audit_throttle WHERE (address, minute) IN (
      SELECT address, minute FROM audit_throttle
       WHERE minute <= now() - make_interval(secs => ${AUDIT_THROTTLE_KEEP_SECONDS})
       LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)`;
  return { throttle, sessions, audit };
}

/** Starts a sweep in the background unless this process started one less than a minute ago. */
export function sweepExpiredAuthRowsSometimes(db: TDb, now = Date.now()): void {
  const store = globalThis as TGlobal;
  const state = (store[KEY] ??= { lastStartedAt: 0 });
  if (now - state.lastStartedAt < SWEEP_EVERY_MS) return;
  state.lastStartedAt = now;
  sweepExpiredAuthRows(db).catch((error) => logError('auth', 'could not delete expired sign-in throttle rows', error));
}
