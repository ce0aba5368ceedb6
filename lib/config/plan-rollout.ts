/**
 * The order of a rolling reset: standbys first, then active nodes, the coordinating node last
 * (it restarts itself and finishes the rollout when it is back). Nodes that are not responding
 * or removed are left out.
 */
import type { TTx } from '@/lib/db/client';
import { isLive, readRolloutFacts, type TRolloutMember } from '@/lib/config/rollout-facts';

export const STEP_STATUSES = ['WAITING', 'RESTARTING', 'IN_SYNC', 'SKIPPED', 'FAILED'] as const;
export type TStepStatus = (typeof STEP_STATUSES)[number];
/** restartAlways: restart the node even when its configuration is in sync (a database move) */
export type TRolloutStep = { nodeId: string; name: string; status: TStepStatus; message?: string; restartAlways?: boolean };

export async function planRollout(tx: TTx, coordinatorId: string): Promise<TRolloutStep[]> {
  return planSteps((await readRolloutFacts(tx)).members, coordinatorId);
}

/** The plan over the members as the database answered (pure). */
export function planSteps(members: Pick<TRolloutMember, 'id' | 'name' | 'state'>[], coordinatorId: string): TRolloutStep[] {
  const rank = (member: (typeof members)[number]) => (member.id === coordinatorId ? 2 : member.state === 'ACTIVE' ? 1 : 0);
  return members
    .filter(isLive)
    .sort((a, b) => rank(a) - rank(b))
    .map((member) => ({ nodeId: member.id, name: member.name, status: 'WAITING' as const }));
}
