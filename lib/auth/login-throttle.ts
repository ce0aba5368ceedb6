/**
 * Sign-in rate limits, per user name and per client address, counted in the shared database on
 * the database clock, so that they hold across every node and survive restarts.
 */
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';

export const LOGIN_WINDOW_SECONDS = 15 * 60;
const LIMITS = { user: 5, addr: 20 } as const;

export type TThrottleKey = { kind: keyof typeof LIMITS; value: string };

const keyOf = (key: TThrottleKey) => `${key.kind}:${key.value.toLowerCase()}`;

/** Throws TOO_MANY_ATTEMPTS while any key has used up its failures within the window. */
export async function assertLoginAllowed(db: TDb, keys: TThrottleKey[]): Promise<void> {
  for (const key of keys) {
    const rows = await db.$queryRaw<{ failures: number; retry_seconds: number }[]>`
      SELECT failures, ceil(extract(epoch FROM window_started_at + make_interval(secs => ${LOGIN_WINDOW_SECONDS}) - now()))::int AS retry_seconds
        FROM login_throttle
       WHERE key = ${keyOf(key)} AND window_started_at > now() - make_interval(secs => ${LOGIN_WINDOW_SECONDS})`;
    const row = rows[0];
    if (row && row.failures >= LIMITS[key.kind]) {
      const minutes = Math.max(1, Math.ceil(row.retry_seconds / 60));
      throw new AppError(
        'TOO_MANY_ATTEMPTS',
        `Too many failed sign-ins for this ${key.kind === 'user' ? 'user' : 'address'}; try again in ${minutes} min.`,
      );
    }
  }
}

export async function recordLoginFailure(db: TDb, keys: TThrottleKey[]): Promise<void> {
  for (const key of keys) {
    // a window that has run out starts again at one failure
    await db.$executeRaw`
      INSERT INTO login_throttle (key, failures, window_started_at) VALUES (${keyOf(key)}, 1, now())
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN login_throttle.window_started_at <= now() - make_interval(secs => ${LOGIN_WINDOW_SECONDS})
                        THEN 1 ELSE login_throttle.failures + 1 END,
        window_started_at = CASE WHEN login_throttle.window_started_at <= now() - make_interval(secs => ${LOGIN_WINDOW_SECONDS})
                        THEN now() ELSE login_throttle.window_started_at END`;
  }
}

export async function clearLoginFailures(db: TDb, key: TThrottleKey): Promise<void> {
  await db.loginThrottle.deleteMany({ where: { key: keyOf(key) } });
}
