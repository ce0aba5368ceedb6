/**
 * What the rolling-reset driver (lib/config/rollout.ts) reads from and writes to the shared
 * database, behind an interface so that unit tests drive it with an in-memory store. The
 * PostgreSQL implementation is PrismaRolloutStore.
 */
import type { TDb } from '@/lib/db/client';
import { requestNodeRestart } from '@/lib/cluster/request-restart';
import { updateSettings } from '@/lib/cluster/update-settings';
import type { TRolloutStep } from '@/lib/config/plan-rollout';
import { readRolloutFacts, type TRolloutFacts } from '@/lib/config/rollout-facts';
import {
  recordRestoreFailure,
  restoreActiveSlots,
  rolloutsToSettle,
  settleStalledRollouts,
  tryLockConfiguration,
} from '@/lib/config/settle-rollouts';

export type TRolloutLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export type TRolloutRecord = {
  id: number;
  status: string;
  coordinatorNode: string;
  startedBy: string;
  version: number;
  steps: TRolloutStep[];
  restoreActiveNodeCount: number | null;
};

export type TRolloutSave = {
  steps: TRolloutStep[];
  restoreActiveNodeCount: number | null;
  status?: 'COMPLETED' | 'FAILED';
  message?: string;
};

export interface TRolloutStore {
  /** the rollouts NODE_ID coordinates and has not finished, oldest first */
  unfinished(nodeId: string): Promise<number[]>;
  load(rolloutId: number): Promise<TRolloutRecord | null>;
  facts(): Promise<TRolloutFacts>;
  /** records the progress; with a status, the rollout's end */
  save(rolloutId: number, progress: TRolloutSave): Promise<void>;
  /** a settings change like an operator's, under the settings version the facts were read at */
  setActiveNodeCount(settingsVersion: number, activeNodeCount: number, actor: string): Promise<void>;
  requestRestart(nodeId: string, actor: string, reason: string): Promise<void>;
  recordEvent(
    kind: 'ROLLOUT_COMPLETED' | 'ROLLOUT_FAILED',
    nodeId: string,
    actor: string,
    details: Record<string, unknown>,
  ): Promise<void>;
  /** the active count could not be put back: said once per rollout, and owed (the settle pass tries again) */
  recordRestoreFailure(rolloutId: number, activeNodeCount: number, error: unknown, log: TRolloutLog): Promise<void>;
  /** gives up rollouts whose coordinator went silent and puts back what they owe (any node, one at a time) */
  settleStalled(log: TRolloutLog): Promise<void>;
}

export class PrismaRolloutStore implements TRolloutStore {
  constructor(private readonly db: TDb) {}

  async unfinished(nodeId: string): Promise<number[]> {
    const rows = await this.db.configRollout.findMany({
      where: { status: 'RUNNING', coordinatorNode: nodeId },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    return rows.map((row) => row.id);
  }

  async load(rolloutId: number): Promise<TRolloutRecord | null> {
    const row = await this.db.configRollout.findUnique({ where: { id: rolloutId } });
    if (!row) return null;
    const { id, status, coordinatorNode, startedBy, version, restoreActiveNodeCount } = row;
    return { id, status, coordinatorNode, startedBy, version, restoreActiveNodeCount, steps: row.steps as TRolloutStep[] };
  }

  facts(): Promise<TRolloutFacts> {
    return readRolloutFacts(this.db);
  }

  async save(rolloutId: number, { steps, restoreActiveNodeCount, status, message }: TRolloutSave): Promise<void> {
    const end = status ? { status, message, finishedAt: new Date() } : {};
    await this.db.configRollout.update({
      where: { id: rolloutId },
      data: { steps, restoreActiveNodeCount, updatedAt: new Date(), ...end },
    });
  }

  async setActiveNodeCount(settingsVersion: number, activeNodeCount: number, actor: string): Promise<void> {
    await updateSettings(this.db, { version: settingsVersion, activeNodeCount }, actor);
  }

  async requestRestart(nodeId: string, actor: string, reason: string): Promise<void> {
    await requestNodeRestart(this.db, nodeId, actor, reason);
  }

  async recordEvent(
    kind: 'ROLLOUT_COMPLETED' | 'ROLLOUT_FAILED',
    nodeId: string,
    actor: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.db.clusterEvent.create({ data: { kind, nodeId, actor, details: details as object } });
  }

  recordRestoreFailure(rolloutId: number, activeNodeCount: number, error: unknown, log: TRolloutLog): Promise<void> {
    return recordRestoreFailure(this.db, rolloutId, activeNodeCount, error, log);
  }

  async settleStalled(log: TRolloutLog): Promise<void> {
    if (!(await rolloutsToSettle(this.db))) return;
    const restores = await this.db.$transaction(async (tx) => {
      // another node is at it (or pushing): its turn, not ours; nobody waits
      if (!(await tryLockConfiguration(tx))) return [];
      return (await settleStalledRollouts(tx)).restores;
    });
    await restoreActiveSlots(this.db, restores, log);
  }
}
