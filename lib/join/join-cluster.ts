/**
 * The joining node's side: every check that can fail runs before anything changes, so a refused
 * join leaves the node exactly as it was. Only then is the membership written (atomically) and
 * a restart requested; the supervisor starts the server again on the cluster's database.
 */
import pg from 'pg';
import { AppError } from '@/lib/api/app-error';
import { checkDatabaseReachable } from '@/lib/db/check-reachable';
import { redactDatabaseUrl } from '@/lib/db/url';
import { normalizeFingerprint } from '@/lib/join/certificate';
import { requestSeed } from '@/lib/join/seed-request';
import type { TJoinBundle, TJoinInfo, TJoinRequest } from '@/lib/join/schemas';
import { compatibleVersions, isLoopbackHost } from '@/lib/join/versions';
import { writeMembership } from '@/lib/node/membership';
import type { TNodeRuntime } from '@/lib/node/runtime';

const refuse = (message: string, field?: string) => new AppError('JOIN_REFUSED', message, { field });

async function callSeed<T>(seedUrl: URL, path: string, pinnedFingerprint: string | undefined, body?: unknown): Promise<T> {
  const { status, json } = await requestSeed(new URL(path, seedUrl), body, pinnedFingerprint);
  const answer = json as { error?: { message?: string; field?: string } } | undefined;
  if (status >= 200 && status < 300 && answer) return answer as T;
  const message = answer?.error?.message ?? `the seed node answered HTTP ${status}`;
  throw refuse(`the seed node refused: ${message}`, answer?.error?.field === 'password' || answer?.error?.field === 'token' ? answer.error.field : undefined);
}

/** The bundle's session secret must be the one in the bundle's database: both are the same cluster's. */
async function assertBundleMatchesDatabase(bundle: TJoinBundle): Promise<void> {
  const client = new pg.Client({ connectionString: bundle.databaseUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ cluster_id: string; secret: string }>(
      `SELECT (SELECT cluster_id::text FROM cluster WHERE id = 1) AS cluster_id, (SELECT value FROM shared_secret WHERE name = 'auth') AS secret`,
    );
    if (rows[0]?.cluster_id !== bundle.clusterId || rows[0]?.secret !== bundle.authSecret) {
      throw refuse('the join bundle does not match the database it names');
    }
  } finally {
    await client.end().catch(() => {});
  }
}

export async function joinCluster(runtime: TNodeRuntime, request: TJoinRequest): Promise<{ clusterId: string; clusterName: string; restarting: true }> {
  if (!runtime.standalone) throw refuse('this node is already a member of a cluster; leave it first');
  const seedUrl = new URL(request.seedUrl);
  if (seedUrl.protocol === 'http:' && !isLoopbackHost(seedUrl.hostname)) {
    throw refuse('the join exchanges secrets: use https:// (plain http:// only between loopback addresses)', 'seedUrl');
  }
  // over HTTPS, a given fingerprint pins the seed's certificate before anything is sent
  const pinned = request.fingerprint ? normalizeFingerprint(request.fingerprint) : undefined;
  const info = await callSeed<TJoinInfo>(seedUrl, '/api/cluster/join-info', pinned);
  if (info.nodeId === runtime.identity.id) throw refuse('a node cannot join itself', 'seedUrl');
  if (!info.clusterId) throw refuse('the seed node is not in a cluster (it runs on its own built-in database)', 'seedUrl');
  if (!compatibleVersions(runtime.version, info.version)) {
    throw refuse(`incompatible versions: this node runs ${runtime.version}, the cluster ${info.version}`);
  }
  // a token proves nothing about whom it is for: pin the seed by its certificate first
  if ((request.token || pinned) && pinned !== info.fingerprint) {
    throw refuse(`fingerprint mismatch: the seed's certificate is ${info.fingerprint}`, 'fingerprint');
  }
  const bundle = await callSeed<TJoinBundle>(seedUrl, '/api/cluster/join-bundle', pinned, {
    node: { id: runtime.identity.id, name: runtime.identity.name, url: runtime.identity.advertiseUrl, version: runtime.version },
    credentials: request.token ? { token: request.token } : { user: request.user, password: request.password },
  });
  if (bundle.clusterId !== info.clusterId || bundle.certificate.fingerprint !== info.clusterFingerprint) {
    throw refuse('the seed answered for another cluster than its join information names');
  }
  try {
    await checkDatabaseReachable(bundle.databaseUrl);
  } catch {
    throw refuse(`the shared database ${redactDatabaseUrl(bundle.databaseUrl)} is not reachable from this node`);
  }
  await assertBundleMatchesDatabase(bundle);
  await writeMembership(runtime.dataDir, {
    clusterId: bundle.clusterId,
    clusterName: bundle.clusterName,
    databaseUrl: bundle.databaseUrl,
    seedUrl: seedUrl.origin,
    joinedAt: new Date().toISOString(),
  });
  runtime.requestRestart(`joined cluster ${bundle.clusterName}`);
  return { clusterId: bundle.clusterId, clusterName: bundle.clusterName, restarting: true };
}
