/**
 * Sign-in limits, counted in the shared database on its clock, so that they hold across every
 * node and survive restarts. Two counters per attempt: the pair (user name, client address) and
 * the client address alone. A user name is never locked as such: an attacker guessing `root`
 * from one address slows down only that address, and root signs in from any other.
 *
 * Each counter allows a few free failures; past them an attempt is let through only once
 * 15 s × 2^(failures - free) (capped at 15 min) have passed since the last failure: 15 s, 30 s,
 * 1 min, … — a person who mistyped waits a moment, a guesser gets a few tries an hour. The attempt is
 * counted *before* the password is checked, in one statement whose row lock serializes
 * concurrent attempts: a burst of parallel guesses gets exactly the free attempts, no more.
 * A success takes its own count back (and clears its pair).
 */
import type { TDb, TTx } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { sweepExpiredAuthRowsSometimes } from '@/lib/auth/sweep-expired';

export const THROTTLE_POLICY = {
  pair: { free: 5 },
  addr: { free: 20 },
  /** the wait after the first failure past the free ones; it doubles with each further failure */
  baseDelaySeconds: 15,
  /** the longest wait between two attempts, however many failures came before */
  maxDelaySeconds: 15 * 60,
  /** a counter quiet for this long starts again from zero (and its row may be deleted) */
  forgetAfterSeconds: 60 * 60,
} as const;

export type TThrottleKind = 'pair' | 'addr';
export type TThrottleKeys = { pair: string; addr: string };

/** Keys for one attempt; names are case-insensitive here so that "Root" and "root" share a count. */
export function throttleKeys(name: string, address: string | undefined): TThrottleKeys {
  const addr = (address ?? 'unknown').toLowerCase().slice(0, 100);
  // no real user name is longer (ZUserName); a longer guess must not make an oversized key
  return { pair: `pair:${name.toLowerCase().slice(0, 100)}|${addr}`, addr: `addr:${addr}` };
}

type TDecisionRow = { kind: TThrottleKind; counted: boolean; retry_seconds: number | null };

/**
 * Counts this attempt against both keys and throws TOO_MANY_ATTEMPTS when either refuses it.
 * A refused key is not counted (waiting out the delay is enough); the other key is, since both
 * keys name the caller's own address.
 */
export async function claimLoginAttempt(db: TDb, keys: TThrottleKeys): Promise<void> {
  const { pair, addr, baseDelaySeconds, maxDelaySeconds, forgetAfterSeconds } = THROTTLE_POLICY;
  // the free failures of a row follow from its key's kind (the ON CONFLICT clause sees only the row)
  const rows = await db.$queryRaw<TDecisionRow[]>`
    WITH attempt(kind, key, free) AS (VALUES ('pair', ${keys.pair}, ${pair.free}::int), ('addr', ${keys.addr}, ${addr.free}::int)),
    counted AS (
      INSERT INTO login_throttle AS t (key, failures, last_failure_at)
      SELECT key, 1, now() FROM attempt
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.last_failure_at <= now() - make_interval(secs => ${forgetAfterSeconds}) THEN 1 ELSE t.failures + 1 END,
        last_failure_at = now()
      WHERE t.last_failure_at <= now() - make_interval(secs => ${forgetAfterSeconds})
         OR t.failures < CASE WHEN starts_with(t.key, 'pair:') THEN ${pair.free}::int ELSE ${addr.free}::int END
         OR t.last_failure_at + make_interval(secs => least(
              ${baseDelaySeconds} * power(2, t.failures - CASE WHEN starts_with(t.key, 'pair:') THEN ${pair.free}::int ELSE ${addr.free}::int END),
              ${maxDelaySeconds})) <= now()
      RETURNING t.key
    )
    SELECT a.kind,
           c.key IS NOT NULL AS counted,
           CASE WHEN c.key IS NULL THEN
             (SELECT ceil(extract(epoch FROM t.last_failure_at + make_interval(secs => least(${baseDelaySeconds} * power(2, t.failures - a.free), ${maxDelaySeconds})) - now()))::int
                FROM login_throttle t WHERE t.key = a.key)
           END AS retry_seconds
      FROM attempt a LEFT JOIN counted c ON c.key = a.key`;
  sweepExpiredAuthRowsSometimes(db);
  const refused = rows.find((row) => !row.counted);
  if (refused) {
    const seconds = Math.max(1, refused.retry_seconds ?? 1);
    throw new AppError(
      'TOO_MANY_ATTEMPTS',
      `Too many failed sign-ins ${refused.kind === 'pair' ? 'for this user from this address' : 'from this address'}; try again in ${formatWait(seconds)}.`,
    );
  }
}

/** The attempt succeeded: its pair starts from zero, and the address gets its count back. */
export async function releaseLoginAttempt(db: TDb, keys: TThrottleKeys): Promise<void> {
  await db.$executeRaw`
    WITH cleared AS (DELETE FROM login_throttle WHERE key = ${keys.pair})
    UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = ${keys.addr}`;
}

/** Forgets every pair of one user (a reset by an administrator or at the node's machine). */
export async function clearUserThrottle(db: TDb | TTx, name: string): Promise<void> {
  const prefix = `pair:${name.toLowerCase()}|`;
  await db.$executeRaw`DELETE FROM login_throttle WHERE starts_with(key, ${prefix})`;
}

function formatWait(seconds: number): string {
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}
