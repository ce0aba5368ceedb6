/**
 * The scheduler of one node: while the node's agent says it is active, it looks for schedules
 * whose next slot has come (on the database clock), plans what fires (schedule-times.ts: the
 * misfire policy after an outage), and fires it in one fenced statement (schedule-store.ts). Two
 * active nodes both run it; the compare-and-set on next_fire_at and the unique (schedule, slot)
 * key make each slot fire once. The runs it creates wait as PENDING for the runners.
 *
 * It never blocks the heartbeat: its database work is asynchronous on a pool of its own, and the
 * calculation per tick is bounded (schedules per tick, slots per firing).
 */
import { AppError } from '@/lib/api/app-error';
import type { TRunnerAgent } from '@/lib/workflow/runner';
import type { TLease } from '@/lib/workflow/run-store';
import type { ScheduleStore, TDueSchedule } from '@/lib/workflow/schedule-store';
import { planFiring, type TScheduleTiming } from '@/lib/workflow/schedule-times';
import { resolveInputs } from '@/lib/workflow/start-run';

export const SCHEDULE_TICK_MS = 250;
const SCHEDULES_PER_TICK = 50;

export type TSchedulerOptions = {
  store: ScheduleStore;
  agent: TRunnerAgent;
  node: { id: string; name: string };
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
};

export function timingOf(schedule: Pick<TDueSchedule, 'cron' | 'timeZone' | 'everySeconds' | 'anchorAt'>): TScheduleTiming {
  if (schedule.cron !== null) return { kind: 'cron', cron: schedule.cron, timeZone: schedule.timeZone ?? 'UTC' };
  return { kind: 'every', everySeconds: schedule.everySeconds ?? 60, anchor: schedule.anchorAt };
}

export class WorkflowScheduler {
  private running = false;
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  /** the last warning per schedule, so that a broken schedule does not write one line per tick */
  private readonly warned = new Map<string, string>();

  constructor(private readonly options: TSchedulerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    await this.options.store.close().catch(() => {});
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule(SCHEDULE_TICK_MS));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const { agent, store, node } = this.options;
    if (!agent.isActiveNow()) return;
    const lease: TLease = { nodeId: node.id, epoch: agent.status().epoch };
    try {
      for (const schedule of await store.due(lease, SCHEDULES_PER_TICK)) {
        // a node frozen in the middle of a tick wakes up fenced: its statements change nothing
        if (!this.running || !agent.isActiveNow()) return;
        await this.fire(schedule, lease);
      }
    } catch (error) {
      this.options.log('warn', `scheduler: ${(error as Error).message}`);
    }
  }

  private async fire(schedule: TDueSchedule, lease: TLease): Promise<void> {
    const plan = planFiring(
      timingOf(schedule),
      { policy: schedule.misfire, catchUpSeconds: schedule.catchUpSeconds },
      schedule.nextFireAt,
      schedule.dbNow,
    );
    // with overlap "skip", slots fired together would overlap each other: the latest one stands for them
    const slots = schedule.overlap === 'skip' ? plan.fire.slice(-1) : plan.fire;
    let workflow: { version: number; firstElementId: string; waitOnFailure: boolean } | null = null;
    let inputs = {};
    let result: string | null = slots.length > 0 ? 'fired' : plan.skipped > 0 ? `skipped ${plan.skipped} missed slot(s)` : null;
    if (slots.length > 0) {
      const latest = await this.options.store.latestDefinition(schedule.workflowName);
      try {
        if (!latest) throw new AppError('NOT_FOUND', `no workflow is named "${schedule.workflowName}"`);
        inputs = resolveInputs(latest.definition, schedule.inputs);
        workflow = {
          version: latest.version,
          firstElementId: latest.definition.elements[0].id,
          waitOnFailure: latest.definition.onFailure === 'wait',
        };
      } catch (error) {
        // the schedule moves on without firing, and says why (the workflow or its inputs changed)
        result = `not fired: ${(error as Error).message}`;
        if (this.warned.get(schedule.id) !== result) this.options.log('warn', `schedule ${schedule.id}: ${result}`);
        this.warned.set(schedule.id, result);
      }
    }
    if (plan.skipped > 0)
      this.options.log(
        'info',
        `schedule ${schedule.id}: ${plan.skipped} slot(s) missed while no node was active; misfire policy ${schedule.misfire}`,
      );
    await this.options.store.fire({
      scheduleId: schedule.id,
      lease,
      nodeName: this.options.node.name,
      plannedFrom: schedule.nextFireAt,
      nextFireAt: plan.nextFireAt,
      slots,
      workflow,
      inputs,
      result,
    });
  }
}
