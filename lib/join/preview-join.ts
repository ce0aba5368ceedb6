/**
 * Step 1 of a join: ask the seed, check everything that can be checked, and show the
 * administrator what the node would switch to (cluster, database host, the seed's certificate),
 * without changing anything. The bundle is kept in this process under a preview id for a few
 * minutes (lib/join/join-previews.ts); step 2 (lib/join/join-cluster.ts) switches only to it.
 */
import type { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { certificateFingerprint, normalizeFingerprint } from '@/lib/join/certificate';
import { checkClusterDatabase } from '@/lib/join/check-cluster-database';
import { describeDatabaseHost } from '@/lib/join/database-host';
import { keepPreview } from '@/lib/join/join-previews';
import { requestSeed, type TSeedAnswer } from '@/lib/join/seed-request';
import { ZJoinBundle, ZJoinInfo, type TJoinPreview, type TJoinPreviewRequest } from '@/lib/join/schemas';
import { compatibleVersions, isLoopbackHost } from '@/lib/join/versions';
import type { TNodeRuntime } from '@/lib/node/runtime';

const refuse = (message: string, field?: string) => new AppError('JOIN_REFUSED', message, { field });

async function callSeed(seedUrl: URL, path: string, pinnedFingerprint: string | undefined, body?: unknown): Promise<TSeedAnswer> {
  const answer = await requestSeed(new URL(path, seedUrl), body, pinnedFingerprint);
  if (answer.status >= 200 && answer.status < 300 && answer.json !== undefined) return answer;
  const error = (answer.json as { error?: { message?: unknown; field?: unknown } } | undefined)?.error;
  // the seed's own words, cut short: they are shown to the administrator as they are
  const message =
    typeof error?.message === 'string' ? error.message.slice(0, 300) : `the seed node answered HTTP ${answer.status}`;
  throw refuse(
    `the seed node refused: ${message}`,
    error?.field === 'password' || error?.field === 'token' ? error.field : undefined,
  );
}

/** The seed's answer against SCHEMA, or a refusal naming the first field that is wrong. */
function parseAnswer<T>(schema: z.ZodType<T>, json: unknown, what: 'join information' | 'join bundle', prefix: string): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [prefix, ...issue.path].join('.');
  throw refuse(`the seed's ${what} is refused: ${issue.path.join('.') || 'the answer'} ${issue.message}`, field);
}

export async function previewJoin(runtime: TNodeRuntime, request: TJoinPreviewRequest): Promise<TJoinPreview> {
  if (!runtime.standalone) throw refuse('this node is already a member of a cluster; leave it first');
  const seedUrl = new URL(request.seedUrl);
  if (seedUrl.protocol === 'http:' && !isLoopbackHost(seedUrl.hostname)) {
    throw refuse('the join exchanges secrets: use https:// (plain http:// only between loopback addresses)', 'seedUrl');
  }
  if (seedUrl.protocol !== 'http:' && seedUrl.protocol !== 'https:')
    throw refuse('the seed address must start with https:// or http://', 'seedUrl');
  // over HTTPS, a given fingerprint pins the seed's certificate before anything is sent
  const pinned = request.fingerprint ? normalizeFingerprint(request.fingerprint) : undefined;
  const infoAnswer = await callSeed(seedUrl, '/api/cluster/join-info', pinned);
  const info = parseAnswer(ZJoinInfo, infoAnswer.json, 'join information', 'info');
  if (info.nodeId === runtime.identity.id) throw refuse('a node cannot join itself', 'seedUrl');
  if (!info.clusterId) throw refuse('the seed node is not in a cluster (it runs on its own built-in database)', 'seedUrl');
  if (!compatibleVersions(runtime.version, info.version)) {
    throw refuse(`incompatible versions: this node runs ${runtime.version}, the cluster ${info.version}`);
  }
  // a token proves nothing about whom it is for: pin the seed by its certificate first
  if ((request.token || pinned) && pinned !== info.fingerprint) {
    throw refuse(`fingerprint mismatch: the seed's certificate is ${info.fingerprint}`, 'fingerprint');
  }
  const bundleAnswer = await callSeed(seedUrl, '/api/cluster/join-bundle', pinned, {
    node: { id: runtime.identity.id, name: runtime.identity.name, url: runtime.identity.advertiseUrl, version: runtime.version },
    credentials: request.token ? { token: request.token } : { user: request.user, password: request.password },
  });
  const bundle = parseAnswer(ZJoinBundle, bundleAnswer.json, 'join bundle', 'bundle');
  // the certificate is the cluster's identity: its fingerprint is computed here, not taken from the seed
  let clusterFingerprint: string;
  try {
    clusterFingerprint = certificateFingerprint(bundle.certificate.pem);
  } catch {
    throw refuse("the seed's join bundle is refused: certificate.pem is not a readable certificate", 'bundle.certificate.pem');
  }
  if (
    bundle.clusterId !== info.clusterId ||
    clusterFingerprint !== info.clusterFingerprint ||
    bundle.certificate.fingerprint !== clusterFingerprint
  ) {
    throw refuse('the seed answered for another cluster than its join information names');
  }
  if (bundleAnswer.fingerprint !== infoAnswer.fingerprint)
    throw refuse('the seed served another certificate for the join bundle than for its join information');
  if (!compatibleVersions(runtime.version, bundle.version)) {
    throw refuse(`incompatible versions: this node runs ${runtime.version}, the cluster ${bundle.version}`);
  }
  await checkClusterDatabase(bundle);
  const kept = keepPreview((previewId, expiresAt) => ({
    preview: {
      previewId,
      expiresAt,
      seedUrl: seedUrl.origin,
      clusterId: bundle.clusterId,
      clusterName: bundle.clusterName,
      databaseHost: describeDatabaseHost(bundle.databaseUrl)!,
      fingerprint: bundleAnswer.fingerprint,
      clusterFingerprint,
      version: bundle.version,
    },
    bundle,
    seedOrigin: seedUrl.origin,
  }));
  return kept.preview;
}
