/**
 * The one place that decides a member's configuration sync state (SPEC §3 "Configuration and
 * sync"), in this order:
 * - UNREADABLE: the node cannot read its own configuration (a corrupt or unreadable file in its
 *   data directory): what it last reported is stale, so nothing else can be said about it;
 * - LOCAL_CHANGES: what is on the node's disk differs from what it last received from a push
 *   (or, before the first push, from what it started with) — changes not pushed yet;
 * - PENDING_RESTART: the node has written the reference to disk but runs an older configuration;
 * - OUT_OF_SYNC: another live node has local changes this node does not run (the cluster is
 *   diverging until someone pushes), or the node runs something else than the reference;
 * - IN_SYNC: it runs the reference (before the first push: what most live nodes run).
 */
export const SYNC_STATES = ['IN_SYNC', 'PENDING_RESTART', 'OUT_OF_SYNC', 'LOCAL_CHANGES', 'UNREADABLE'] as const;
export type TSyncState = (typeof SYNC_STATES)[number];

export type TSyncFacts = {
  id: string;
  live: boolean;
  activeFingerprint: string | null;
  pendingFingerprint: string | null;
  localChanges: boolean;
  /** the node reported on its last heartbeat that it cannot read its configuration */
  unreadable?: boolean;
};

export function deriveSyncStates(nodes: TSyncFacts[], referenceFingerprint: string | null = null): Map<string, TSyncState> {
  const live = nodes.filter((node) => node.live && node.activeFingerprint);
  const changed = live.filter((node) => node.localChanges);
  const counts = new Map<string, number>();
  for (const node of live) counts.set(node.activeFingerprint!, (counts.get(node.activeFingerprint!) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const target = referenceFingerprint ?? common;
  const states = new Map<string, TSyncState>();
  for (const node of nodes) {
    const behindSomeone = changed.some((other) => other.id !== node.id && other.pendingFingerprint !== node.activeFingerprint);
    if (node.unreadable) states.set(node.id, 'UNREADABLE');
    else if (node.localChanges) states.set(node.id, 'LOCAL_CHANGES');
    else if (
      referenceFingerprint &&
      node.activeFingerprint !== referenceFingerprint &&
      node.pendingFingerprint === referenceFingerprint
    ) {
      states.set(node.id, 'PENDING_RESTART');
    } else if (behindSomeone || (node.activeFingerprint && target && node.activeFingerprint !== target))
      states.set(node.id, 'OUT_OF_SYNC');
    else states.set(node.id, 'IN_SYNC');
  }
  return states;
}

/** Every live node in sync: nothing to push, nothing waiting for a restart. */
export function isConverged(nodes: { live: boolean; syncState: TSyncState }[]): boolean {
  return nodes.filter((node) => node.live).every((node) => node.syncState === 'IN_SYNC');
}
