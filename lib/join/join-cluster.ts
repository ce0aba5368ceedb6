/**
 * Step 2 of a join: the administrator confirmed what step 1 showed (lib/join/preview-join.ts).
 * The node switches only to the bundle kept for that preview, and only when it is what they
 * confirmed: a cluster, database host or certificate that differs is refused (409) naming it.
 * Every check that can fail runs before anything changes, so a refused join leaves the node
 * exactly as it was. Only then is the membership written and a restart requested; the
 * supervisor starts the server again on the cluster's database.
 */
import { AppError } from '@/lib/api/app-error';
import { normalizeFingerprint } from '@/lib/join/certificate';
import { checkClusterDatabase } from '@/lib/join/check-cluster-database';
import { takePreview, type TKeptPreview } from '@/lib/join/join-previews';
import type { TJoinConfirm, TJoinFacts } from '@/lib/join/schemas';
import { writeMembership } from '@/lib/node/membership';
import { writeClusterKey } from '@/lib/secrets/cluster-key';
import type { TNodeRuntime } from '@/lib/node/runtime';

const FACTS: Record<keyof TJoinFacts, string> = {
  clusterId: 'cluster id',
  clusterName: 'cluster name',
  databaseHost: 'database host',
  fingerprint: "seed's certificate fingerprint",
};

/** The facts the administrator confirmed that are not the kept bundle's, first one first. */
function differences(confirmed: TJoinFacts, kept: TKeptPreview): (keyof TJoinFacts)[] {
  const same = (key: keyof TJoinFacts) =>
    key === 'fingerprint'
      ? (confirmed.fingerprint === null ? null : normalizeFingerprint(confirmed.fingerprint)) === kept.preview.fingerprint
      : confirmed[key] === kept.preview[key];
  return (Object.keys(FACTS) as (keyof TJoinFacts)[]).filter((key) => !same(key));
}

export async function joinCluster(
  runtime: TNodeRuntime,
  request: TJoinConfirm,
): Promise<{ clusterId: string; clusterName: string; restarting: true }> {
  if (!runtime.standalone) throw new AppError('JOIN_REFUSED', 'this node is already a member of a cluster; leave it first');
  // taken out at once: two confirmations of one preview cannot both switch the node
  const kept = takePreview(request.previewId);
  if (!kept)
    throw new AppError('JOIN_REFUSED', 'this join preview has expired or was already used: check the seed again', {
      field: 'previewId',
    });
  const differ = differences(request.confirmed, kept);
  if (differ.length > 0) {
    const shown = (key: keyof TJoinFacts) =>
      `${FACTS[key]} is ${kept.preview[key] ?? 'none (plain HTTP)'}, not ${request.confirmed[key] ?? 'none'}`;
    throw new AppError('CONFLICT', `the join bundle differs from what was confirmed: ${differ.map(shown).join('; ')}`, {
      field: `confirmed.${differ[0]}`,
    });
  }
  const { bundle } = kept;
  // minutes may have passed since the preview: the database is checked again
  await checkClusterDatabase(bundle);
  if (bundle.secretsKey) await writeClusterKey(runtime.dataDir, bundle.secretsKey);
  await writeMembership(runtime.dataDir, {
    clusterId: bundle.clusterId,
    clusterName: bundle.clusterName,
    databaseUrl: bundle.databaseUrl,
    seedUrl: kept.seedOrigin,
    joinedAt: new Date().toISOString(),
  });
  runtime.requestRestart(`joined cluster ${bundle.clusterName}`);
  return { clusterId: bundle.clusterId, clusterName: bundle.clusterName, restarting: true };
}
