/**
 * The scrape credential that needs no database: a random token in `<dataDir>/metrics-token`
 * (mode 0600), created at the node's first start. Prometheus reads it with `bearer_token_file`,
 * so /api/metrics answers while the shared database is down, exactly when it matters most.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const METRICS_TOKEN_FILE = 'metrics-token';

export function metricsTokenPath(dataDir: string): string {
  return path.join(dataDir, METRICS_TOKEN_FILE);
}

/** Creates the token file when missing (never replaces one an operator copied to Prometheus). */
export async function ensureMetricsToken(dataDir: string): Promise<void> {
  const file = metricsTokenPath(dataDir);
  try {
    // 'wx': an existing token is kept
    await writeFile(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await chmod(file, 0o600);
  }
}

async function readMetricsToken(dataDir: string): Promise<string | null> {
  try {
    const token = (await readFile(metricsTokenPath(dataDir), 'utf8')).trim();
    return token.length >= 16 ? token : null;
  } catch {
    return null;
  }
}

/** Whether a presented bearer token is this node's metrics token (constant-time comparison). */
export async function isMetricsToken(dataDir: string, presented: string): Promise<boolean> {
  const expected = await readMetricsToken(dataDir);
  if (!expected) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented.trim());
  return a.length === b.length && timingSafeEqual(a, b);
}
