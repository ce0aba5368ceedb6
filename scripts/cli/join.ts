/**
 * `orchctl join`, `orchctl leave` and `orchctl join-token`. A join or a leave restarts the node,
 * and its users change with it (to the cluster's, or back to its own): after the 202 the CLI only
 * reads the public health endpoint, until the node is back with the membership asked for.
 * A join has two steps: the node checks the seed and shows what it would join (nothing changes),
 * then the administrator confirms, on a terminal or beforehand with --yes and --expect-… options.
 */
import { createInterface } from 'node:readline/promises';
import type { THealth } from '@/lib/cluster/health';
import { normalizeFingerprint } from '@/lib/join/certificate';
import type { TJoinConfirm, TJoinPreview, TJoinPreviewRequest } from '@/lib/join/schemas';
import { callApi, CliError } from './api-client';
import type { TNodeCommandOptions } from './cluster-view';

export type TJoinOptions = TNodeCommandOptions & {
  seed: string;
  seedUser?: string;
  seedPassword?: string;
  token?: string;
  fingerprint?: string;
  /** join without asking, once the seed's answer matched every --expect-… option given */
  yes?: boolean;
  expectCluster?: string;
  expectDatabase?: string;
  expectFingerprint?: string;
};

export type TJoinTokenOptions = TNodeCommandOptions & { minutes: number; json?: boolean };

const POLL_MS = 300;
const RESTART_DEADLINE_MS = 60_000;
/** the joining node asks the seed, then checks the shared database, before it answers */
const JOIN_TIMEOUT_MS = 60_000;

/** GET /api/health without credentials; undefined while the node is not answering (restarting). */
async function readHealth(url: string): Promise<THealth | undefined> {
  try {
    const response = await fetch(new URL('/api/health', url), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(2_000),
    });
    return response.ok ? ((await response.json()) as THealth) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Polls until the node reports CLUSTER_ID (null: standalone). Right after its restart a node is
 * STARTING; it is waited for too, but when the deadline comes the node counts as back anyway.
 */
async function waitForMembership(url: string, clusterId: string | null, failure: string): Promise<THealth> {
  const deadline = Date.now() + RESTART_DEADLINE_MS;
  let back: THealth | undefined;
  for (;;) {
    const health = await readHealth(url);
    if (health && health.clusterId === clusterId) {
      back = health;
      if (health.state !== 'STARTING') return health;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  if (back) return back;
  throw new CliError(`${new URL(url).origin} ${failure} within ${RESTART_DEADLINE_MS / 1_000} s of its restart; see its log`);
}

/** The seed's credentials: its administrator's user and password, or a join token with the certificate fingerprint. */
function seedCredentials(options: TJoinOptions): Pick<TJoinPreviewRequest, 'user' | 'password' | 'token' | 'fingerprint'> {
  const byPassword = options.seedUser !== undefined || options.seedPassword !== undefined;
  const byToken = options.token !== undefined;
  if (byPassword && byToken) throw new CliError('give --seed-user and --seed-password, or --token and --fingerprint, not both');
  // with a password, a fingerprint is optional: it pins a seed whose HTTPS certificate this machine does not trust
  if (options.seedUser && options.seedPassword)
    return { user: options.seedUser, password: options.seedPassword, fingerprint: options.fingerprint };
  if (options.token && options.fingerprint) return { token: options.token, fingerprint: options.fingerprint };
  throw new CliError('give --seed-user and --seed-password, or --token and --fingerprint');
}

/** What the seed answered, as the administrator reads it before confirming. */
function describePreview(preview: TJoinPreview): string {
  return [
    `the seed node at ${preview.seedUrl} answered:`,
    `  cluster:              ${preview.clusterName} (${preview.clusterId})`,
    `  database host:        ${preview.databaseHost}`,
    `  seed certificate:     ${preview.fingerprint ?? 'none (plain HTTP between loopback addresses)'}`,
    `  cluster certificate:  ${preview.clusterFingerprint}`,
  ].join('\n');
}

/** The --expect-… options the answer does not meet, one line each. */
function unmetExpectations(options: TJoinOptions, preview: TJoinPreview): string[] {
  const unmet: string[] = [];
  if (options.expectCluster !== undefined && ![preview.clusterName, preview.clusterId].includes(options.expectCluster)) {
    unmet.push(`--expect-cluster ${options.expectCluster}: the seed's cluster is ${preview.clusterName} (${preview.clusterId})`);
  }
  if (options.expectDatabase !== undefined && options.expectDatabase !== preview.databaseHost) {
    unmet.push(`--expect-database ${options.expectDatabase}: the cluster's database is ${preview.databaseHost}`);
  }
  // over plain HTTP no certificate was served: the cluster's own certificate is what can be expected
  const served = preview.fingerprint ?? preview.clusterFingerprint;
  if (options.expectFingerprint !== undefined && normalizeFingerprint(options.expectFingerprint) !== served) {
    unmet.push(`--expect-fingerprint: the seed's certificate is ${served}`);
  }
  return unmet;
}

async function askToConfirm(): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question('join this cluster? [y/N] ')).trim());
  } finally {
    prompt.close();
  }
}

export async function joinCluster(options: TJoinOptions): Promise<void> {
  const request: TJoinPreviewRequest = { seedUrl: options.seed, ...seedCredentials(options) };
  const credentials = { user: options.user, password: options.password };
  const preview = await callApi<TJoinPreview>(options.url, '/api/cluster/join-preview', {
    ...credentials,
    method: 'POST',
    body: request,
    timeoutMs: JOIN_TIMEOUT_MS,
  });
  console.log(describePreview(preview));
  const unmet = unmetExpectations(options, preview);
  if (unmet.length > 0) throw new CliError(`not joined, the seed's answer is not what was expected: ${unmet.join('; ')}`);
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      throw new CliError(
        'not joined: confirm on a terminal, or pass --yes (with --expect-cluster, --expect-database, --expect-fingerprint to check the answer)',
      );
    }
    if (!(await askToConfirm())) throw new CliError('not joined: not confirmed; nothing changed');
  }
  const { clusterId, clusterName, databaseHost, fingerprint } = preview;
  const body: TJoinConfirm = { previewId: preview.previewId, confirmed: { clusterId, clusterName, databaseHost, fingerprint } };
  const joined = await callApi<{ clusterId: string; clusterName: string; restarting: true }>(options.url, '/api/cluster/join', {
    ...credentials,
    method: 'POST',
    body,
    timeoutMs: JOIN_TIMEOUT_MS,
  });
  // from here on the node's users are the cluster's: only the public health endpoint is read
  const health = await waitForMembership(
    options.url,
    joined.clusterId,
    `accepted the join but did not come back as a member of ${joined.clusterName}`,
  );
  console.log(`joined cluster ${joined.clusterName} (${joined.clusterId}) as ${health.state}`);
}

export async function leaveCluster(options: TNodeCommandOptions): Promise<void> {
  await callApi<{ left: string; restarting: true }>(options.url, '/api/cluster/leave', {
    user: options.user,
    password: options.password,
    method: 'POST',
  });
  // from here on the node's users are its own again: only the public health endpoint is read
  const health = await waitForMembership(options.url, null, 'left its cluster but did not come back standalone');
  console.log(`left the cluster; ${health.name} runs on its built-in database again`);
}

/** Quotes VALUE for a POSIX shell when it holds anything beyond the usual URL and token characters. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./~-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export async function createJoinToken(options: TJoinTokenOptions): Promise<void> {
  const health = await readHealth(options.url);
  if (health && health.clusterId === null) {
    throw new CliError(
      `${health.name} is standalone (on its own built-in database): create the join token on a member of the cluster to join`,
    );
  }
  const created = await callApi<{ token: string; fingerprint: string; expiresAt: string }>(
    options.url,
    '/api/cluster/join-tokens',
    {
      ...options,
      method: 'POST',
      body: { ttlMinutes: options.minutes },
    },
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
    return;
  }
  console.log(`token:        ${created.token}`);
  console.log(`fingerprint:  ${created.fingerprint}`);
  console.log(`expires:      ${created.expiresAt} (in ${options.minutes} min; works once)`);
  console.log('');
  console.log('join a node with it (JOINING_NODE_URL is the joining node; add its own --user/--password):');
  console.log(
    `  orchctl join --url JOINING_NODE_URL --seed ${shellWord(options.url)} --token ${shellWord(created.token)} --fingerprint ${shellWord(created.fingerprint)}`,
  );
}
