/**
 * The seed's side of a join: check who asks (administrator credentials or a one-time token) and
 * how (HTTPS, or plain HTTP between loopback addresses), then hand over what a member needs.
 */
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { ensureAuthSecret } from '@/lib/auth/bootstrap';
import { hasRole } from '@/lib/auth/roles';
import { verifyCredentials } from '@/lib/auth/verify-credentials';
import { ensureClusterCertificate, certificateFingerprint, seedFingerprint } from '@/lib/join/certificate';
import { consumeJoinToken } from '@/lib/join/join-tokens';
import type { TJoinBundle, TJoinBundleRequest, TJoinInfo } from '@/lib/join/schemas';
import { compatibleVersions } from '@/lib/join/versions';
import { readClusterIdentity } from '@/lib/cluster/status';
import { ensureClusterKey } from '@/lib/secrets/cluster-key';

export type TSeed = { nodeId: string; standalone: boolean; version: string; databaseUrl: string; dataDir?: string };

/** GET /api/cluster/join-info: public, no secrets: what a joining node checks before it sends any. */
export async function readJoinInfo(db: TDb, seed: TSeed): Promise<TJoinInfo> {
  const cluster = await readClusterIdentity(db);
  if (seed.standalone) {
    return {
      nodeId: seed.nodeId,
      clusterId: null,
      clusterName: cluster.name,
      fingerprint: null,
      clusterFingerprint: null,
      version: seed.version,
    };
  }
  return {
    nodeId: seed.nodeId,
    clusterId: cluster.clusterId,
    clusterName: cluster.name,
    ...(await seedFingerprint(db)),
    version: seed.version,
  };
}

export async function issueJoinBundle(
  db: TDb,
  seed: TSeed,
  request: TJoinBundleRequest,
  transport: { secure: boolean; loopback: boolean; clientAddress: string },
): Promise<TJoinBundle> {
  // the bundle holds the database password, the certificate's key, the secrets key and the session secret
  if (!transport.secure && !transport.loopback) {
    throw new AppError('FORBIDDEN', 'a join bundle holds secrets: join over HTTPS (plain HTTP only between loopback addresses)');
  }
  if (seed.standalone) throw new AppError('CONFLICT', 'the seed node is not in a cluster (it runs on its own built-in database)');
  if (request.node.id === seed.nodeId) throw new AppError('CONFLICT', 'a node cannot join itself');
  if (!compatibleVersions(request.node.version, seed.version)) {
    throw new AppError(
      'CONFLICT',
      `incompatible versions: the joining node runs ${request.node.version}, the cluster ${seed.version}`,
      { field: 'version' },
    );
  }
  if ('token' in request.credentials) {
    await consumeJoinToken(db, request.credentials.token, request.node.id);
  } else {
    const user = await verifyCredentials(db, {
      name: request.credentials.user,
      password: request.credentials.password,
      address: transport.clientAddress,
    });
    if (!user) throw new AppError('UNAUTHENTICATED', 'wrong user name or password for the seed node', { field: 'password' });
    if (!hasRole(user, 'admin'))
      throw new AppError('FORBIDDEN', `joining a node needs an administrator of the cluster; ${user.name} is ${user.role}`);
  }
  // a node that left (or was removed) may join again: lift its tombstone
  await db.clusterNode.updateMany({
    where: { id: request.node.id, removedAt: { not: null } },
    data: { removedAt: null, removedBy: null, stoppedAt: null },
  });
  const [cluster, certificate, authSecret] = await Promise.all([
    readClusterIdentity(db),
    ensureClusterCertificate(db),
    ensureAuthSecret(db),
  ]);
  // the secrets key travels like the certificate's key: only in this bundle, from the seed's data directory
  const secretsKey = seed.dataDir ? (await ensureClusterKey(seed.dataDir)).key.toString('base64') : undefined;
  return {
    clusterId: cluster.clusterId,
    clusterName: cluster.name,
    databaseUrl: seed.databaseUrl,
    authSecret,
    certificate: { ...certificate, fingerprint: certificateFingerprint(certificate.pem) },
    version: seed.version,
    ...(secretsKey ? { secretsKey } : {}),
  };
}
