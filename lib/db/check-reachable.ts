import { AppError } from '@/lib/api/app-error';
import { parseConnectionString, redactConnectionString } from '@/lib/db/connection-string';
import { findPrimary } from '@/lib/db/primary';

/**
 * Connects once, so that a wrong database URL fails with one clear line before anything starts.
 * Several hosts (libpq's db1:5432,db2:5432): one of them must fit target_session_attrs; the line
 * names each host's reason otherwise (refused, wrong password, a read-only standby).
 */
export async function checkDatabaseReachable(databaseUrl: string, timeoutMs = 5_000): Promise<void> {
  const connection = parseConnectionString(databaseUrl);
  try {
    await findPrimary(connection, { timeoutMs });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('DATABASE_UNREACHABLE', `database ${redactConnectionString(connection)} is not reachable (${reason})`, {
      field: 'database-url',
      cause: error,
    });
  }
}
