/**
 * What a node does after each heartbeat: pure decisions over the heartbeat's answer, so that the
 * rules can be tested step by step (tests/unit/election.test.ts).
 */
import type { THeartbeatResult, TReleaseReason } from '@/lib/cluster/store';

export type TRole = { kind: 'standby' } | { kind: 'active'; slot: number; epoch: number };

export type TDecision =
  | { kind: 'stay' }
  /** the renewal changed nothing: another node holds the slot now; stop active work at once */
  | { kind: 'lost' }
  | { kind: 'release'; reason: TReleaseReason }
  | { kind: 'claim' }
  /** a lease runs out before the next heartbeat: try to claim right then */
  | { kind: 'claim-at'; delayMs: number };

/** How long after a lease's end a waiting standby tries its claim (database round trip slack). */
export const CLAIM_MARGIN_MS = 10;

/**
 * The first standby in line is a preference, not a gate: once a slot has been free this long
 * without it claiming (slow network, frozen, cut off), the next eligible standby may claim.
 * Half an interval: longer than a healthy claim takes, and failover stays within window +
 * interval.
 */
export function claimGraceMs(intervalMs: number): number {
  return intervalMs / 2;
}

export function decide(role: TRole, heartbeat: THeartbeatResult): TDecision {
  if (role.kind === 'active') {
    if (!heartbeat.renewed) return { kind: 'lost' };
    if (heartbeat.maintenance) return { kind: 'release', reason: 'maintenance' };
    if (role.slot >= heartbeat.settings.activeNodeCount) return { kind: 'release', reason: 'surplus' };
    if (heartbeat.handoverRequested) return { kind: 'release', reason: 'handover' };
    return { kind: 'stay' };
  }
  if (heartbeat.maintenance) return { kind: 'stay' };
  if (heartbeat.freeSlots > 0 || heartbeat.handoverForMe) return { kind: 'claim' };
  if (heartbeat.nextExpiryMs !== null && heartbeat.nextExpiryMs < heartbeat.settings.intervalMs) {
    return { kind: 'claim-at', delayMs: heartbeat.nextExpiryMs + CLAIM_MARGIN_MS };
  }
  return { kind: 'stay' };
}

/**
 * Self-fencing: an active node stops all active work once (window − one interval) has passed on
 * its monotonic clock since the start of its last successful renewal. The lease runs until
 * (renewal time on the database clock + window), which is no earlier than that start plus the
 * window: nobody can claim the slot until at least one interval after the node has stopped.
 */
export function fenceDeadline(renewalStartedAtMs: number, windowMs: number, intervalMs: number): number {
  return renewalStartedAtMs + windowMs - intervalMs;
}

/**
 * Standbys heartbeat every interval. An active node renews every interval too, but never later
 * than 80 % of the way to its fence deadline, so that with a tight window (2 failover
 * heartbeats) a healthy node does not fence itself between two renewals.
 */
export function heartbeatDelay(role: TRole, intervalMs: number, windowMs: number): number {
  if (role.kind === 'standby') return intervalMs;
  return Math.min(intervalMs, 0.8 * (windowMs - intervalMs));
}
