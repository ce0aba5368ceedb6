/**
 * How many passwords this process has hashed to check a sign-in: `orch_password_checks_total` on
 * /api/metrics. The sign-in limits are judged by it (a burst of guesses must not get more real
 * checks than the limit allows), so it counts the expensive work itself, not requests.
 */
import client from 'prom-client';
import { metrics } from '@/lib/metrics/registry';

const KEY = Symbol.for('orch.password-checks');
type TGlobal = typeof globalThis & { [KEY]?: client.Counter };

export function countPasswordCheck(): void {
  const store = globalThis as TGlobal;
  store[KEY] ??= new client.Counter({
    name: 'orch_password_checks_total',
    help: 'Passwords hashed by this node to check a sign-in (console, HTTP Basic, joins)',
    registers: [metrics().registry],
  });
  store[KEY].inc();
}
