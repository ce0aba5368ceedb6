/**
 * Schedules through the API: add (checked: the workflow exists, its inputs resolve, the cron
 * expression and zone are valid), list with the next fire times and the last firing, pause and
 * resume, remove. Firing is the scheduler's (lib/workflow/scheduler.ts), on active nodes only.
 */
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import { timingOf } from '@/lib/workflow/scheduler';
import {
  checkTiming,
  MISFIRE_POLICIES,
  nextSlot,
  nextSlots,
  OVERLAP_POLICIES,
  type TMisfirePolicy,
  type TOverlapPolicy,
} from '@/lib/workflow/schedule-times';
import { ZWorkflowName, type TWorkflowDefinition } from '@/lib/workflow/schemas';
import { resolveInputs } from '@/lib/workflow/start-run';
import { nodeNames } from '@/lib/workflow/views';

/** Next fire times a schedule's view shows. */
const UPCOMING = 5;

export const ZScheduleCreate = z
  .object({
    workflow: ZWorkflowName,
    cron: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    timeZone: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters').optional(),
    everySeconds: z
      .number()
      .int('must be a whole number of seconds')
      .min(1, 'must be 1 or more')
      .max(31 * 24 * 3600, 'must be at most 31 days')
      .optional(),
    inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    misfire: z.enum(MISFIRE_POLICIES).default('fire-once'),
    catchUpSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600, 'must be at most 7 days')
      .default(0),
    overlap: z.enum(OVERLAP_POLICIES).default('allow'),
    paused: z.boolean().default(false),
  })
  .strict()
  .refine((body) => (body.cron === undefined) !== (body.everySeconds === undefined), {
    message: 'give either cron or everySeconds, not both or neither',
    path: ['cron'],
  })
  .refine((body) => body.timeZone === undefined || body.cron !== undefined, {
    message: 'a time zone applies to a cron expression only',
    path: ['timeZone'],
  })
  .refine((body) => body.misfire === 'catch-up' || body.catchUpSeconds === 0, {
    message: 'catchUpSeconds applies to the catch-up misfire policy only',
    path: ['catchUpSeconds'],
  });
export type TScheduleCreate = z.infer<typeof ZScheduleCreate>;

export const ZScheduleUpdate = z.object({ paused: z.boolean() }).strict();
export const ZScheduleId = z.object({ id: z.string().uuid('must be a schedule id') });

export type TScheduleView = {
  id: string;
  workflowName: string;
  cron: string | null;
  timeZone: string | null;
  everySeconds: number | null;
  inputs: Record<string, unknown>;
  misfire: TMisfirePolicy;
  catchUpSeconds: number;
  overlap: TOverlapPolicy;
  paused: boolean;
  /** the next slots (ISO), the first one possibly past while no node is active; none while paused */
  nextFireTimes: string[];
  lastFiredAt: string | null;
  lastFiredFor: string | null;
  lastFiredNodeId: string | null;
  lastFiredNodeName: string | null;
  lastFiredEpoch: number | null;
  lastResult: string | null;
  createdBy: string;
  createdAt: string;
};

type TScheduleRow = NonNullable<Awaited<ReturnType<TDb['workflowSchedule']['findUnique']>>>;

function toView(row: TScheduleRow, names: Map<string, string>): TScheduleView {
  const timing = timingOf(row);
  return {
    id: row.id,
    workflowName: row.workflowName,
    cron: row.cron,
    timeZone: row.timeZone,
    everySeconds: row.everySeconds,
    inputs: row.inputs as Record<string, unknown>,
    misfire: row.misfire as TMisfirePolicy,
    catchUpSeconds: row.catchUpSeconds,
    overlap: row.overlap as TOverlapPolicy,
    paused: row.paused,
    nextFireTimes: row.paused
      ? []
      : [row.nextFireAt, ...nextSlots(timing, row.nextFireAt, UPCOMING - 1)].map((slot) => slot.toISOString()),
    lastFiredAt: row.lastFiredAt?.toISOString() ?? null,
    lastFiredFor: row.lastFiredFor?.toISOString() ?? null,
    lastFiredNodeId: row.lastFiredNode,
    lastFiredNodeName: row.lastFiredNode ? (names.get(row.lastFiredNode) ?? null) : null,
    lastFiredEpoch: row.lastFiredEpoch === null ? null : Number(row.lastFiredEpoch),
    lastResult: row.lastResult,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
  };
}

async function databaseNow(db: TDb): Promise<Date> {
  const [row] = await db.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
  return row.now;
}

export async function createSchedule(db: TDb, body: TScheduleCreate, actor: string): Promise<TScheduleView> {
  const latest = await db.workflowDefinition.findFirst({ where: { name: body.workflow }, orderBy: { version: 'desc' } });
  if (!latest) throw new AppError('NOT_FOUND', `no workflow is named "${body.workflow}"`, { field: 'workflow' });
  resolveInputs(latest.definition as TWorkflowDefinition, body.inputs);
  const now = await databaseNow(db);
  // an interval counts from a whole second, so that its slots read well
  const anchorAt = new Date(Math.ceil(now.getTime() / 1000) * 1000);
  const row = {
    cron: body.cron ?? null,
    timeZone: body.cron === undefined ? null : (body.timeZone ?? 'UTC'),
    everySeconds: body.everySeconds ?? null,
    anchorAt,
  };
  const timing = timingOf(row);
  try {
    checkTiming(timing);
  } catch (error) {
    throw new AppError('VALIDATION', `${(error as Error).message}`, {
      field: /time zone/.test((error as Error).message) ? 'timeZone' : 'cron',
    });
  }
  const nextFireAt = nextSlot(timing, now);
  if (!nextFireAt) throw new AppError('VALIDATION', `"${body.cron}" never fires again`, { field: 'cron' });
  const created = await db.workflowSchedule.create({
    data: {
      workflowName: body.workflow,
      ...row,
      inputs: body.inputs,
      misfire: body.misfire,
      catchUpSeconds: body.catchUpSeconds,
      overlap: body.overlap,
      paused: body.paused,
      nextFireAt,
      createdBy: actor,
    },
  });
  return toView(created, new Map());
}

export async function listSchedules(db: TDb, workflow?: string): Promise<TScheduleView[]> {
  const rows = await db.workflowSchedule.findMany({ where: { workflowName: workflow }, orderBy: { createdAt: 'asc' } });
  const names = await nodeNames(
    db,
    rows.map((row) => row.lastFiredNode),
  );
  return rows.map((row) => toView(row, names));
}

export async function getSchedule(db: TDb, id: string): Promise<TScheduleView> {
  const row = await db.workflowSchedule.findUnique({ where: { id } });
  if (!row) throw new AppError('NOT_FOUND', `no schedule has the id ${id}`);
  return toView(row, await nodeNames(db, [row.lastFiredNode]));
}

/**
 * Pause or resume. A resumed schedule goes on from its next slot after now: the slots of the
 * pause are not missed slots (nobody wanted them), so no misfire policy applies to them.
 */
export async function setSchedulePaused(db: TDb, id: string, paused: boolean): Promise<TScheduleView> {
  const row = await db.workflowSchedule.findUnique({ where: { id } });
  if (!row) throw new AppError('NOT_FOUND', `no schedule has the id ${id}`);
  if (row.paused !== paused) {
    // a paused schedule never fires, so its next_fire_at stays put until it is resumed
    const next = paused ? row.nextFireAt : nextSlot(timingOf(row), await databaseNow(db));
    if (!next) throw new AppError('CONFLICT', 'the schedule never fires again; remove it instead');
    await db.workflowSchedule.updateMany({
      where: { id, paused: row.paused },
      data: { paused, nextFireAt: next, updatedAt: new Date() },
    });
  }
  return getSchedule(db, id);
}

/**
 * Removes a schedule; its runs stay (without their schedule). Unlinking them writes every run of
 * the schedule in one transaction, so they are locked by id first, the order every writer of
 * several runs keeps (lib/workflow/checkpoint-batch.ts, "Lock order").
 */
export async function deleteSchedule(db: TDb, id: string): Promise<{ deleted: string }> {
  const changed = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM workflow_run WHERE schedule_id = ${id}::uuid ORDER BY id FOR UPDATE`;
    return tx.workflowSchedule.deleteMany({ where: { id } });
  });
  if (changed.count === 0) throw new AppError('NOT_FOUND', `no schedule has the id ${id}`);
  return { deleted: id };
}
