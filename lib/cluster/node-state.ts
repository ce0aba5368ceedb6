/**
 * The one place that decides a member's state as the cluster sees it (status API, CLI, pages).
 * Every input comes from the database, ages measured on the database clock.
 */
import type { TLivenessWindow } from '@/lib/cluster/settings';

export const MEMBER_STATES = ['ACTIVE', 'STANDBY', 'LATE', 'NOT_RESPONDING', 'MAINTENANCE', 'REMOVED'] as const;
export type TMemberState = (typeof MEMBER_STATES)[number];

export type TMemberFacts = {
  removed: boolean;
  maintenance: boolean;
  /** database time since the node's last heartbeat */
  heartbeatAgeMs: number;
  /** the node holds an active slot whose lease has not run out (database clock) */
  holdsValidLease: boolean;
};

/** A member that heartbeats: neither removed nor past the window. */
export function isLiveState(state: TMemberState): boolean {
  return state !== 'NOT_RESPONDING' && state !== 'REMOVED';
}

export function deriveMemberState(facts: TMemberFacts, window: TLivenessWindow): TMemberState {
  if (facts.removed) return 'REMOVED';
  if (facts.heartbeatAgeMs > window.notRespondingAfterMs) return 'NOT_RESPONDING';
  if (facts.heartbeatAgeMs > window.lateAfterMs) return 'LATE';
  if (facts.maintenance) return 'MAINTENANCE';
  return facts.holdsValidLease ? 'ACTIVE' : 'STANDBY';
}
