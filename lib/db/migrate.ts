/**
 * Applies the migrations in prisma/migrations with the Prisma CLI (offline, through its
 * WebAssembly engine; see prisma.config.ts). Safe when several nodes start at once: the CLI
 * holds a PostgreSQL advisory lock while it migrates. The CLI connects to one host: with several
 * (db1:5432,db2:5432), it is given the one that is the writable primary now.
 */
import { spawn } from 'node:child_process';
import { AppError } from '@/lib/api/app-error';
import { inheritedEnv } from '@/lib/env';
import { PRISMA_CLI, PROJECT_ROOT } from '@/lib/node/paths';
import { parseConnectionString, singleHostUrl } from '@/lib/db/connection-string';
import { findPrimary } from '@/lib/db/primary';
import { redactDatabaseUrl } from '@/lib/db/url';

export async function applyMigrations(databaseUrl: string): Promise<void> {
  const connection = parseConnectionString(databaseUrl);
  const primaryUrl = connection.hosts.length === 1 ? databaseUrl : singleHostUrl(connection, await findPrimary(connection));
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [PRISMA_CLI, 'migrate', 'deploy'], {
      cwd: PROJECT_ROOT,
      env: inheritedEnv({ DATABASE_URL: primaryUrl }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    const lines = output
      .join('')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const reason = lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? `exit code ${code}`;
    throw new AppError('MIGRATION_FAILED', `migrating ${redactDatabaseUrl(databaseUrl)} failed: ${redact(reason, databaseUrl)}`);
  }
}

function redact(text: string, databaseUrl: string): string {
  const { password } = parseConnectionString(databaseUrl);
  return password ? text.replaceAll(password, '***') : text;
}
