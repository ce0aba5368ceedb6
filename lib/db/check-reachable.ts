import pg from 'pg';
import { AppError } from '@/lib/api/app-error';
import { redactDatabaseUrl } from '@/lib/db/url';

/** Connects once, so that a wrong --database-url fails with one clear line before anything starts. */
export async function checkDatabaseReachable(databaseUrl: string, timeoutMs = 5_000): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(databaseUrl);
    if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new Error('not a postgresql:// URL');
  } catch (error) {
    throw new AppError('BAD_REQUEST', `database URL is not valid: ${(error as Error).message}`, { field: 'database-url' });
  }
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new AppError('DATABASE_UNREACHABLE', `database ${redactDatabaseUrl(databaseUrl)} is not reachable (${reason})`, {
      field: 'database-url',
      cause: error,
    });
  } finally {
    await client.end().catch(() => {});
  }
}
