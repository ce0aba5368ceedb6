/**
 * Before a node switches to the database a join bundle names: that database is reachable, is the
 * bundle's cluster (its id and session secret), and its newest pushed configuration is one this
 * node would accept, since the node writes it into its data directory as soon as it restarts.
 */
import pg from 'pg';
import { AppError, isAppError } from '@/lib/api/app-error';
import { parseConfigVersion } from '@/lib/config/config-version';
import { checkDatabaseReachable } from '@/lib/db/check-reachable';
import { redactDatabaseUrl } from '@/lib/db/url';
import type { TJoinBundle } from '@/lib/join/schemas';

const TIMEOUT_MS = 5_000;

export async function checkClusterDatabase(bundle: TJoinBundle): Promise<void> {
  try {
    await checkDatabaseReachable(bundle.databaseUrl, TIMEOUT_MS);
  } catch {
    throw new AppError(
      'JOIN_REFUSED',
      `the shared database ${redactDatabaseUrl(bundle.databaseUrl)} is not reachable from this node`,
    );
  }
  const client = new pg.Client({
    connectionString: bundle.databaseUrl,
    connectionTimeoutMillis: TIMEOUT_MS,
    query_timeout: TIMEOUT_MS,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ cluster_id: string; secret: string }>(
      `SELECT (SELECT cluster_id::text FROM cluster WHERE id = 1) AS cluster_id, (SELECT value FROM shared_secret WHERE name = 'auth') AS secret`,
    );
    if (rows[0]?.cluster_id !== bundle.clusterId || rows[0]?.secret !== bundle.authSecret) {
      throw new AppError('JOIN_REFUSED', 'the join bundle does not match the database it names');
    }
    const newest = await client.query(
      `SELECT version, fingerprint, document, files FROM config_version ORDER BY version DESC LIMIT 1`,
    );
    if (newest.rows[0]) {
      try {
        parseConfigVersion(newest.rows[0]);
      } catch (error) {
        if (!isAppError(error)) throw error;
        throw new AppError(
          'JOIN_REFUSED',
          `the cluster's pushed configuration cannot be written on this node: ${error.message}`,
          { field: error.field },
        );
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}
