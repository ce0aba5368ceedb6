/**
 * A member's configuration next to what it is compared with, field by field (the node table's
 * sync state, on click). The comparison base is the reference when there is one; before the
 * first push, the unpushed local changes of another node, or what most nodes run; for a node
 * with local changes and no reference, what that node runs now.
 */
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { isLiveState } from '@/lib/cluster/node-state';
import { readClusterStatus, type TMemberView } from '@/lib/cluster/status';
import { diffConfigs, type TConfigDifference } from '@/lib/config/config-diff';
import type { TConfigDocument } from '@/lib/config/document';

export type TNodeConfiguration = {
  node: Pick<
    TMemberView,
    'id' | 'name' | 'syncState' | 'restartPending' | 'activeFingerprint' | 'pendingFingerprint' | 'keepsOwnCertificate'
  >;
  base: { kind: 'reference' | 'node' | 'running'; label: string; fingerprint: string | null } | null;
  /** what the node runs, against the base */
  running: TConfigDifference[];
  /** what is on the node's disk (what a restart loads), against the base */
  onDisk: TConfigDifference[];
  activeDocument: TConfigDocument | null;
  pendingDocument: TConfigDocument | null;
};

export async function readNodeConfiguration(db: TDb, nodeId: string): Promise<TNodeConfiguration> {
  const status = await readClusterStatus(db);
  const member = status.nodes.find((candidate) => candidate.id === nodeId);
  if (!member) throw new AppError('NOT_FOUND', 'no such node in this cluster');
  const rows = await db.clusterNode.findMany({ select: { id: true, activeConfig: true, pendingConfig: true } });
  const documents = new Map(
    rows.map((row) => [
      row.id,
      { active: row.activeConfig as TConfigDocument | null, pending: row.pendingConfig as TConfigDocument | null },
    ]),
  );
  const own = documents.get(nodeId)!;

  let base: TNodeConfiguration['base'] = null;
  let baseDocument: TConfigDocument | null = null;
  if (status.reference) {
    const reference = await db.configVersion.findUniqueOrThrow({
      where: { version: status.reference.version },
      select: { document: true },
    });
    baseDocument = reference.document as TConfigDocument;
    base = {
      kind: 'reference',
      label: `reference configuration, version ${status.reference.version}`,
      fingerprint: status.reference.fingerprint,
    };
  } else if (member.localChanges) {
    baseDocument = own.active;
    base = { kind: 'running', label: `what ${member.name} runs now`, fingerprint: member.activeFingerprint };
  } else {
    const live = status.nodes.filter((candidate) => isLiveState(candidate.state));
    const other =
      live.find((candidate) => candidate.id !== nodeId && candidate.localChanges) ??
      live.find((candidate) => candidate.syncState === 'IN_SYNC' && candidate.id !== nodeId);
    if (other) {
      baseDocument = other.localChanges ? documents.get(other.id)!.pending : documents.get(other.id)!.active;
      base = {
        kind: 'node',
        label: other.localChanges ? `the unpushed configuration of ${other.name}` : `what ${other.name} runs`,
        fingerprint: other.localChanges ? other.pendingFingerprint : other.activeFingerprint,
      };
    }
  }
  const { id, name, syncState, restartPending, activeFingerprint, pendingFingerprint, keepsOwnCertificate } = member;
  return {
    node: { id, name, syncState, restartPending, activeFingerprint, pendingFingerprint, keepsOwnCertificate },
    base,
    running: baseDocument && own.active ? diffConfigs(own.active, baseDocument) : [],
    onDisk: baseDocument && own.pending ? diffConfigs(own.pending, baseDocument) : [],
    activeDocument: own.active,
    pendingDocument: own.pending,
  };
}
