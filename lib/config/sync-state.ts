/**
 * The one place that decides a member's configuration sync state. Until configuration push
 * exists there is no pushed reference: a node whose configuration on disk differs from what
 * it runs has LOCAL_CHANGES (and is pending restart), and the other live nodes are OUT_OF_SYNC
 * with it; nodes that run what most of the cluster runs are IN_SYNC.
 */
export const SYNC_STATES = ['IN_SYNC', 'PENDING_RESTART', 'OUT_OF_SYNC', 'LOCAL_CHANGES'] as const;
export type TSyncState = (typeof SYNC_STATES)[number];

export type TSyncFacts = { id: string; live: boolean; activeFingerprint: string | null; pendingFingerprint: string | null };

export function deriveSyncStates(nodes: TSyncFacts[]): Map<string, TSyncState> {
  const live = nodes.filter((node) => node.live && node.activeFingerprint);
  const hasLocalChanges = (node: TSyncFacts) => !!node.pendingFingerprint && node.pendingFingerprint !== node.activeFingerprint;
  const anyLocalChanges = live.some(hasLocalChanges);
  const counts = new Map<string, number>();
  for (const node of live) counts.set(node.activeFingerprint!, (counts.get(node.activeFingerprint!) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const states = new Map<string, TSyncState>();
  for (const node of nodes) {
    if (hasLocalChanges(node)) states.set(node.id, 'LOCAL_CHANGES');
    else if (anyLocalChanges || (node.activeFingerprint && common && node.activeFingerprint !== common)) states.set(node.id, 'OUT_OF_SYNC');
    else states.set(node.id, 'IN_SYNC');
  }
  return states;
}
