/**
 * Retention of the cluster's shared records: audit log entries and cluster events older than
 * their limits, finished notification deliveries as old as events, and pushed configuration
 * versions beyond the newest N (the newest is the reference; a version a running rolling reset
 * uses is kept), with the file contents no kept version names. One transaction under an advisory
 * lock, so that however many active nodes try, one prunes at a time.
 */
import type { TDb } from '@/lib/db/client';

export type TRetentionLimits = { auditRetentionDays: number; eventRetentionDays: number; configVersionsKept: number };
export type TPruned = { auditEntries: number; events: number; deliveries: number; configVersions: number; configBlobs: number };

/** advisory lock key: "orch retention" */
const RETENTION_LOCK = 0x6f726368;
/** a blob written by a push whose version is not committed yet is younger than this */
const BLOB_GRACE = '1 hour';

export async function pruneClusterData(db: TDb, limits: TRetentionLimits): Promise<TPruned | null> {
  return db.$transaction(async (tx) => {
    const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK}) AS locked`;
    if (!locked) return null; // another node is pruning now
    // config_version is immutable except to this transaction, and its newest row never goes (see its migration)
    await tx.$queryRaw`SELECT set_config('orch.retention', 'on', true)`;
    const auditEntries =
      await tx.$executeRaw`DELETE FROM audit_entry WHERE at < now() - make_interval(days => ${limits.auditRetentionDays})`;
    const events =
      await tx.$executeRaw`DELETE FROM cluster_event WHERE at < now() - make_interval(days => ${limits.eventRetentionDays})`;
    const deliveries = await tx.$executeRaw`
      DELETE FROM notification_delivery WHERE status <> 'PENDING' AND created_at < now() - make_interval(days => ${limits.eventRetentionDays})`;
    const configVersions = await tx.$executeRaw`
      DELETE FROM config_version
       WHERE version NOT IN (SELECT version FROM config_version ORDER BY version DESC LIMIT ${limits.configVersionsKept})
         AND version NOT IN (SELECT version FROM config_rollout WHERE status = 'RUNNING')`;
    const configBlobs = await tx.$executeRawUnsafe(`
      DELETE FROM config_blob b
       WHERE b.created_at < now() - interval '${BLOB_GRACE}'
         AND NOT EXISTS (SELECT 1 FROM config_version v, jsonb_array_elements(v.files) f WHERE f ->> 'sha256' = b.sha256)`);
    return { auditEntries, events, deliveries, configVersions, configBlobs };
  });
}
