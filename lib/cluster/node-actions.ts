/**
 * Which row actions a member allows: the state it is in decides what makes sense, the viewer's
 * role decides what they may do. The status API sends the result with each member and the
 * operator actions refuse the same states, so the page shows exactly what would succeed.
 */
import { can, type TAction } from '@/lib/auth/permissions';
import type { TRole } from '@/lib/auth/roles';
import { isLiveState, type TMemberState } from '@/lib/cluster/node-state';

export const NODE_ACTIONS = ['activate', 'maintenance-on', 'maintenance-off', 'restart', 'remove'] as const;
export type TNodeActionKind = (typeof NODE_ACTIONS)[number];

type TActionFacts = { state: TMemberState; maintenance: boolean };

/** the state a node must be in for each action, and the permission it takes */
const RULES: Record<TNodeActionKind, { permission: TAction; allowed: (facts: TActionFacts) => boolean }> = {
  activate: { permission: 'activateNode', allowed: (facts) => facts.state === 'STANDBY' },
  // a silent node may be put in maintenance too, so that it stays a standby when it comes back
  'maintenance-on': { permission: 'setMaintenance', allowed: (facts) => facts.state !== 'REMOVED' && !facts.maintenance },
  'maintenance-off': { permission: 'setMaintenance', allowed: (facts) => facts.state !== 'REMOVED' && facts.maintenance },
  restart: { permission: 'restartNode', allowed: (facts) => isLiveState(facts.state) },
  remove: { permission: 'removeNode', allowed: (facts) => facts.state === 'NOT_RESPONDING' },
};

/** Does the member's state allow the action (whoever asks)? */
export function stateAllows(action: TNodeActionKind, facts: TActionFacts): boolean {
  return RULES[action].allowed(facts);
}

/** The actions a user with this role may take on the member now; none for a signed-out caller. */
export function allowedNodeActions(facts: TActionFacts, role: TRole | null): TNodeActionKind[] {
  if (role === null) return [];
  return NODE_ACTIONS.filter((action) => stateAllows(action, facts) && can({ role }, RULES[action].permission));
}
