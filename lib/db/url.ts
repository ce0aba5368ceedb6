import { redactConnectionText } from '@/lib/db/connection-string';

/**
 * Database URLs carry a password: this is the only form of one that may be shown or logged. One
 * or several hosts (libpq's db1:5432,db2:5432); the query is left out.
 */
export function redactDatabaseUrl(databaseUrl: string): string {
  return redactConnectionText(databaseUrl);
}
