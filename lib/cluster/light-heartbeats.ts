/**
 * What a member's last accepted heartbeat wrote and learnt, kept by PgClusterStore (pg-store.ts)
 * to decide when a standby's heartbeat can be the light text (LIGHT_STANDBY_HEARTBEAT_SQL in heartbeat-sql.ts).
 */
import { toClusterSettings, type TSettingsSqlRow } from '@/lib/cluster/cluster-row';
import type { TServerIdentity } from '@/lib/db/primary';
import type { TClusterSettingsRow, THeartbeatResult } from '@/lib/cluster/store';

/** After this many light heartbeats in a row, a standby sends the full text anyway: a safety net. */
export const FULL_HEARTBEAT_EVERY = 60;
/** A clock skew that moved by this much since it was written is written again (the page shows it to 10 ms). */
export const SKEW_STEP_MS = 10;

export type TReportValues = readonly unknown[];

/** What a member's last accepted heartbeat wrote and learnt, for the light heartbeat's decision. */
export type TLastHeartbeat = {
  /** the report parameters ($3 to $9) the last full text wrote */
  report: TReportValues;
  /** the clock skew in the row (rounded ms), null when none was written */
  skewMs: number | null;
  systemId: string;
  timeline: number;
  settings: TClusterSettingsRow;
  /** when the settings last changed, on the database clock (ms) */
  settingsChangedAtMs: number;
  lightInRow: number;
};

/**
 * When a standby's heartbeat can be the light text: the member's last heartbeat was accepted
 * through this store and the store opened no connection since, its reports (fingerprints,
 * documents, flags, why the configuration could not be read) are the same values, its clock skew
 * moved by less than SKEW_STEP_MS, it talks to the database it talked to then (system identifier
 * and timeline), and fewer than FULL_HEARTBEAT_EVERY light heartbeats were sent since the last
 * full one. Anything else (a change, the first heartbeat, a failed or refused heartbeat, a new
 * connection, a registration, an active node's heartbeat) means the full text, so the row holds
 * every report within one heartbeat of its change, as it did with the full text every time.
 * Still one statement per heartbeat either way.
 */
export class LightHeartbeats {
  private readonly last = new Map<string, TLastHeartbeat>();

  /** the memory for this heartbeat when it can be light, else undefined */
  lightFor(nodeId: string, report: TReportValues, skewMs: number | null, identity: TServerIdentity): TLastHeartbeat | undefined {
    const last = this.last.get(nodeId);
    if (!last || last.lightInRow >= FULL_HEARTBEAT_EVERY) return undefined;
    if (last.systemId !== identity.systemId || last.timeline !== identity.timeline) return undefined;
    if (skewMs !== null && (last.skewMs === null || Math.abs(skewMs - last.skewMs) >= SKEW_STEP_MS)) return undefined;
    return report.every((value, i) => value === last.report[i]) ? last : undefined;
  }

  fullAccepted(
    nodeId: string,
    report: TReportValues,
    skewMs: number | null,
    identity: TServerIdentity,
    result: THeartbeatResult,
  ): void {
    this.last.set(nodeId, {
      report,
      skewMs: skewMs ?? this.last.get(nodeId)?.skewMs ?? null,
      systemId: identity.systemId,
      timeline: identity.timeline as number,
      settings: result.settings,
      settingsChangedAtMs: result.dbNowMs - result.settings.sinceChangeMs,
      lightInRow: 0,
    });
  }

  /** The settings a light heartbeat answers with: the new ones it returned, or those known, moved on to its clock. */
  lightAccepted(last: TLastHeartbeat, returned: TSettingsSqlRow | null, dbNowMs: number): TClusterSettingsRow {
    last.lightInRow += 1;
    if (returned) {
      last.settings = toClusterSettings(returned);
      last.settingsChangedAtMs = dbNowMs - last.settings.sinceChangeMs;
    }
    return { ...last.settings, sinceChangeMs: Math.max(0, dbNowMs - last.settingsChangedAtMs) };
  }

  forget(nodeId: string): void {
    this.last.delete(nodeId);
  }

  forgetAll(): void {
    this.last.clear();
  }
}
