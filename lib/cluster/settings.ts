/**
 * Cluster settings: heartbeat interval, failover heartbeats, number of active nodes. The
 * failover window is interval × failover heartbeats. All times here are milliseconds.
 */
import { z } from 'zod';

export const SETTINGS_LIMITS = {
  heartbeatIntervalSeconds: { min: 0.2, max: 300 },
  failoverHeartbeats: { min: 2, max: 100 },
  activeNodeCount: { min: 1, max: 64 },
} as const;

export const DEFAULT_SETTINGS = { heartbeatIntervalMs: 2_000, failoverHeartbeats: 5, activeNodeCount: 1 } as const;

/** A node is LATE once its last heartbeat is this many intervals old (it missed one). */
export const LATE_AFTER_INTERVALS = 1.5;

const range = (name: keyof typeof SETTINGS_LIMITS, integer: boolean) => {
  const { min, max } = SETTINGS_LIMITS[name];
  const base = z.number({ error: `${name} must be a number` });
  return (integer ? base.int(`${name} must be a whole number`) : base)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);
};

/** PUT /api/cluster/settings: any of the three values, with the settings version that was read. */
export const ZSettingsUpdate = z
  .object({
    heartbeatIntervalSeconds: range('heartbeatIntervalSeconds', false).optional(),
    failoverHeartbeats: range('failoverHeartbeats', true).optional(),
    activeNodeCount: range('activeNodeCount', true).optional(),
    version: z.number().int().positive('version must be the settings version you read'),
  })
  .strict();
export type TSettingsUpdate = z.infer<typeof ZSettingsUpdate>;

export type TSettings = { heartbeatIntervalMs: number; failoverHeartbeats: number; activeNodeCount: number; version: number };

/** The settings as the API and CLI show them (seconds). */
export type TSettingsView = {
  heartbeatIntervalSeconds: number;
  failoverHeartbeats: number;
  activeNodeCount: number;
  failoverSeconds: number;
  version: number;
};

export function toSettingsView(settings: TSettings): TSettingsView {
  return {
    heartbeatIntervalSeconds: settings.heartbeatIntervalMs / 1000,
    failoverHeartbeats: settings.failoverHeartbeats,
    activeNodeCount: settings.activeNodeCount,
    failoverSeconds: (settings.heartbeatIntervalMs * settings.failoverHeartbeats) / 1000,
    version: settings.version,
  };
}

export type TLivenessWindow = {
  /** the interval liveness is judged by: the longer of old and new while a change settles */
  effectiveIntervalMs: number;
  lateAfterMs: number;
  notRespondingAfterMs: number;
};

/**
 * The thresholds liveness is judged by. Right after a change, the longer of the old and new
 * values holds until the old window has passed: nodes pick the new interval up only at their
 * next (old-interval) heartbeat, and must not look dead meanwhile.
 */
export function livenessWindow(input: {
  intervalMs: number;
  failoverHeartbeats: number;
  previousIntervalMs: number;
  previousWindowMs: number;
  sinceChangeMs: number;
}): TLivenessWindow {
  const windowMs = input.intervalMs * input.failoverHeartbeats;
  const inGrace = input.sinceChangeMs < Math.max(input.previousWindowMs, windowMs);
  const intervalMs = inGrace ? Math.max(input.intervalMs, input.previousIntervalMs) : input.intervalMs;
  return {
    effectiveIntervalMs: intervalMs,
    lateAfterMs: intervalMs * LATE_AFTER_INTERVALS,
    notRespondingAfterMs: inGrace ? Math.max(windowMs, input.previousWindowMs) : windowMs,
  };
}
