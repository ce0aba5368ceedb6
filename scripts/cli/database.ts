/**
 * `orchctl database show|test|use|move`: the database node --url uses, checks of a connection
 * string run by that node, and switching to another database (one standalone node) or to new
 * credentials or a new address (the whole cluster). The connection string comes from
 * ORCH_TEST_DATABASE_URL or a file, never from the command line, so its password is in no
 * process's arguments.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { TDatabaseFacts } from '@/lib/database/show-database';
import type { TDatabaseView } from '@/lib/database/read-database-view';
import type { TDatabaseUse, TDatabaseUseAccepted } from '@/lib/database/use-database';
import type { TDatabaseMove, TDatabaseMoveStarted } from '@/lib/database/move-database';
import { formatBytes } from '@/lib/database/format-bytes';
import type { TDatabaseTest, TDatabaseTestResult } from '@/lib/database/test-database';
import { testDatabaseUrlEnv } from '@/lib/env';
import { callApi, CliError } from './api-client';
import type { TNodeCommandOptions } from './cluster-view';
import { followRollout } from './push';

export type TDatabaseShowOptions = TNodeCommandOptions & { json?: boolean };
export type TDatabaseTestOptions = TNodeCommandOptions & { databaseUrlFile?: string; json?: boolean };
export type TDatabaseUseOptions = TNodeCommandOptions & {
  databaseUrlFile?: string;
  copyData?: boolean;
  yes?: boolean;
  timeout?: number;
};
export type TDatabaseMoveOptions = TNodeCommandOptions & { databaseUrlFile?: string; yes?: boolean; timeout?: number };

export function describeDatabase(facts: TDatabaseFacts): string {
  const latency =
    facts.heartbeat.samples === 0
      ? 'no heartbeats measured yet'
      : `p50 ${facts.heartbeat.p50Ms} ms, p99 ${facts.heartbeat.p99Ms} ms over ${facts.heartbeat.samples} heartbeats (${facts.heartbeat.source})`;
  const lines = [
    `database     ${facts.kind}: ${facts.url}`,
    `hosts        ${facts.hosts.join(', ')} (target_session_attrs=${facts.targetSessionAttrs}, sslmode=${facts.sslMode})`,
    `database     ${facts.database} as user ${facts.user}`,
  ];
  if (!facts.reachable) {
    lines.push(`reachable    no: ${facts.error}`);
  } else {
    lines.push(
      `connected    ${facts.connectedHost}, the ${facts.role}`,
      `version      PostgreSQL ${facts.serverVersion}`,
      `size         ${formatBytes(facts.sizeBytes)}`,
      `connections  ${facts.connections.inUse} in use of ${facts.connections.max}`,
      `identity     system ${facts.identity.systemId}, timeline ${facts.identity.timeline}${facts.identity.failoversSeen === null ? '' : `, ${facts.identity.failoversSeen} failover(s) seen by the cluster`}`,
    );
    const { replication } = facts;
    if (replication.receivingFrom) lines.push(`replication  receiving from ${replication.receivingFrom}`);
    else if (!replication.visible) lines.push('replication  not visible to this database user (needs pg_read_all_stats)');
    else if (replication.standbys.length === 0) lines.push('replication  no standby connected');
    else {
      for (const standby of replication.standbys) {
        const lag = standby.replayLagBytes === null ? '' : `, ${standby.replayLagBytes} bytes behind`;
        lines.push(`replication  ${standby.name} (${standby.address ?? 'local'}): ${standby.state}, ${standby.syncState}${lag}`);
      }
    }
  }
  lines.push(`heartbeat    ${latency}`);
  return lines.join('\n');
}

export async function showDatabaseFacts(options: TDatabaseShowOptions): Promise<void> {
  const facts = await callApi<TDatabaseView>(options.url, '/api/database', options);
  if (options.json) return console.log(JSON.stringify(facts, null, 2));
  console.log(describeDatabase(facts));
  if (facts.change)
    console.log(`last change  ${facts.change.operation} ${facts.change.outcome} at ${facts.change.at}: ${facts.change.message}`);
}

async function readUrlToTest(options: { databaseUrlFile?: string }): Promise<string> {
  if (options.databaseUrlFile) {
    const text = await readFile(options.databaseUrlFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read --database-url-file ${options.databaseUrlFile} (${error.code ?? error.message})`);
    });
    return text.trim();
  }
  const fromEnv = testDatabaseUrlEnv();
  if (!fromEnv)
    throw new CliError('give the connection string to test in ORCH_TEST_DATABASE_URL or a file named by --database-url-file');
  return fromEnv.trim();
}

/** Prints one line per check; the exit code is 0 only when every check passed. */
export async function testDatabaseUrl(options: TDatabaseTestOptions): Promise<void> {
  const url = await readUrlToTest(options);
  const result = await callApi<TDatabaseTestResult>(options.url, '/api/database/test', {
    ...options,
    method: 'POST',
    body: { url } satisfies TDatabaseTest,
    timeoutMs: 60_000,
  });
  if (options.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`testing ${result.url}`);
    for (const check of result.checks) console.log(`${check.ok ? 'passed' : 'FAILED'}  ${check.name.padEnd(16)} ${check.detail}`);
    console.log(result.ok ? 'every check passed' : `${result.checks.filter((check) => !check.ok).length} check(s) failed`);
  }
  if (!result.ok) process.exitCode = 1;
}

async function confirm(question: string, options: { yes?: boolean }, refused: string): Promise<void> {
  if (options.yes) return;
  if (!process.stdin.isTTY) throw new CliError(`${refused}: confirm on a terminal, or pass --yes`);
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    if (!/^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim()))
      throw new CliError(`${refused}: not confirmed; nothing changed`);
  } finally {
    prompt.close();
  }
}

/**
 * Use this database: node --url (standalone, on its built-in database) checks the database,
 * restarts, copies its data when asked, and comes back on it; the command waits for the outcome.
 */
export async function useDatabase(options: TDatabaseUseOptions): Promise<void> {
  const url = await readUrlToTest(options);
  await confirm(
    `switch this node to another database${options.copyData ? ', copying its data' : ' (empty: the data stays in the built-in one)'}?`,
    options,
    'not switched',
  );
  const accepted = await callApi<TDatabaseUseAccepted>(options.url, '/api/database/use', {
    ...options,
    method: 'POST',
    body: { url, copyData: !!options.copyData } satisfies TDatabaseUse,
    timeoutMs: 60_000,
  });
  console.log(
    `every check passed; the node restarts to switch to ${accepted.url}${accepted.copyData ? ' and copy its data' : ''}`,
  );
  const deadline = Date.now() + (options.timeout ?? 300) * 1000;
  for (;;) {
    // the node restarts meanwhile: errors are the outage to wait out, until the deadline
    const view = await callApi<TDatabaseView>(options.url, '/api/database', { ...options, timeoutMs: 5_000 }).catch(
      (error: unknown) => error,
    );
    if (view instanceof CliError && /sign-in|HTTP 401/.test(view.message) && !accepted.copyData) {
      return console.log("the node is back on the new database, whose users are not the built-in one's: sign in with its own");
    }
    if (!(view instanceof Error) && view !== undefined && (view as TDatabaseView).change) {
      const { change } = view as TDatabaseView;
      if (change!.outcome === 'failed') throw new CliError(change!.message);
      return console.log(change!.message);
    }
    if (Date.now() > deadline) throw new CliError('the node has not reported the outcome yet; see orchctl database show');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Move the whole cluster: every node tests the new URL, then they switch one at a time. */
export async function moveDatabase(options: TDatabaseMoveOptions): Promise<void> {
  const url = await readUrlToTest(options);
  await confirm('move every node of the cluster to this connection string, one node at a time?', options, 'not moved');
  const started = await callApi<TDatabaseMoveStarted>(options.url, '/api/database/move', {
    ...options,
    method: 'POST',
    body: { url } satisfies TDatabaseMove,
    timeoutMs: 120_000,
  });
  console.log(
    `every node (${started.nodes.join(', ')}) tested ${started.url}; rolling reset #${started.rolloutId} switches them one at a time`,
  );
  await followRollout(options, started.rolloutId, (options.timeout ?? 600) * 1000);
}
