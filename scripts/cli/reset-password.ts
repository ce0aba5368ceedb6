/**
 * `orchctl node reset-password --data-dir DIR [--user root]`: sets a new password straight in the
 * database of the node whose data directory this is (see lib/auth/local-reset.ts). The new
 * password comes from ORCH_NEW_PASSWORD, --password-file or a prompt, never from the arguments.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { createDb } from '@/lib/db/client';
import { localResetEnv } from '@/lib/env';
import { resetPasswordLocally } from '@/lib/auth/local-reset';
import { readIdentity } from '@/lib/node/identity';
import { readMembership } from '@/lib/node/membership';
import { BUILT_IN_DATABASE_NAME, startBuiltInDatabase } from '@/lib/node/built-in-database';
import { CliError } from './api-client';

export type TResetPasswordOptions = { dataDir: string; user: string; passwordFile?: string };

export async function resetPassword(options: TResetPasswordOptions): Promise<void> {
  const identity = await readIdentity(options.dataDir).catch(() => undefined);
  if (!identity) throw new CliError(`${options.dataDir} is not a node's data directory (no readable node.json)`);
  const password = await readNewPassword(options.passwordFile);
  const database = await openNodeDatabase(options.dataDir);
  const db = createDb(database.url, { max: 1 });
  try {
    const done = await resetPasswordLocally(db, { user: options.user, password, nodeId: identity.id });
    process.stdout.write(
      `New password set for ${done.user} (${done.role}) on node ${identity.name}; their sessions have ended. Sign in with it now.\n`,
    );
  } finally {
    await db.$disconnect();
    await database.close();
  }
}

async function readNewPassword(passwordFile: string | undefined): Promise<string> {
  if (passwordFile) {
    const text = await readFile(passwordFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read --password-file ${passwordFile} (${error.code ?? error.message})`);
    });
    return text.replace(/\r?\n$/, '');
  }
  const fromEnv = localResetEnv().ORCH_NEW_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY)
    throw new CliError('give the new password in ORCH_NEW_PASSWORD, in a file (--password-file) or at the prompt of a terminal');
  const first = await promptHidden('New password: ');
  const second = await promptHidden('Repeat it: ');
  if (first !== second) throw new CliError('the two passwords differ; nothing was changed');
  return first;
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = readline.createInterface({ input: process.stdin, output: silent, terminal: true });
  return new Promise((resolve) =>
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    }),
  );
}

/**
 * The database this node runs on, found from its data directory alone: the cluster it joined
 * (cluster.json), else its built-in database (credentials.json; started for the moment when the
 * node is stopped), else ORCH_DATABASE_URL for a node started with --database-url.
 */
async function openNodeDatabase(dataDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const membership = await readMembership(dataDir);
  if (membership) return { url: membership.databaseUrl, close: async () => {} };
  const builtIn = path.join(dataDir, 'database');
  if (existsSync(path.join(builtIn, 'credentials.json'))) {
    const credentials = JSON.parse(await readFile(path.join(builtIn, 'credentials.json'), 'utf8')) as {
      user: string;
      password: string;
    };
    const port = Number((await readFile(path.join(builtIn, 'port'), 'utf8').catch(() => '')).trim());
    if (port && isRunning(await readFile(path.join(builtIn, 'pgdata', 'postmaster.pid'), 'utf8').catch(() => ''))) {
      const url = `postgresql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${BUILT_IN_DATABASE_NAME}`;
      return { url, close: async () => {} };
    }
    // the node is stopped: run its database just for this change
    const started = await startBuiltInDatabase({ dataDir });
    return { url: started.url, close: () => started.stop() };
  }
  const fromEnv = localResetEnv().ORCH_DATABASE_URL;
  if (fromEnv) return { url: fromEnv, close: async () => {} };
  throw new CliError(
    `${dataDir} records no database (no cluster.json, no built-in database): for a node started with --database-url, give that URL in ORCH_DATABASE_URL`,
  );
}

function isRunning(postmasterPid: string): boolean {
  const pid = Number(postmasterPid.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
