/**
 * `orchctl database show|test`: the database node --url uses, and checks of a connection string
 * run by that node. The connection string to test comes from ORCH_TEST_DATABASE_URL or a file,
 * never from the command line, so its password is in no process's arguments.
 */
import { readFile } from 'node:fs/promises';
import type { TDatabaseFacts } from '@/lib/database/show-database';
import { formatBytes } from '@/lib/database/format-bytes';
import type { TDatabaseTest, TDatabaseTestResult } from '@/lib/database/test-database';
import { testDatabaseUrlEnv } from '@/lib/env';
import { callApi, CliError } from './api-client';
import type { TNodeCommandOptions } from './cluster-view';

export type TDatabaseShowOptions = TNodeCommandOptions & { json?: boolean };
export type TDatabaseTestOptions = TNodeCommandOptions & { databaseUrlFile?: string; json?: boolean };


export function describeDatabase(facts: TDatabaseFacts): string {
  const latency = facts.heartbeat.samples === 0
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
  const facts = await callApi<TDatabaseFacts>(options.url, '/api/database', options);
  console.log(options.json ? JSON.stringify(facts, null, 2) : describeDatabase(facts));
}

async function readUrlToTest(options: TDatabaseTestOptions): Promise<string> {
  if (options.databaseUrlFile) {
    const text = await readFile(options.databaseUrlFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read --database-url-file ${options.databaseUrlFile} (${error.code ?? error.message})`);
    });
    return text.trim();
  }
  const fromEnv = testDatabaseUrlEnv();
  if (!fromEnv) throw new CliError('give the connection string to test in ORCH_TEST_DATABASE_URL or a file named by --database-url-file');
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
