/**
 * `orchctl schedule add|list|pause|resume|remove` and `orchctl workflow list-runs`: workflow
 * schedules (a cron expression in a time zone, or every N seconds) and the runs they fired.
 */
import type { TScheduleView } from '@/lib/workflow/schedules';
import type { TRunSummary } from '@/lib/workflow/views';
import { callApi, CliError } from './api-client';
import { formatTable, type TNodeCommandOptions } from './cluster-view';

export type TScheduleAddOptions = TNodeCommandOptions & {
  cron?: string;
  tz?: string;
  every?: number;
  input?: string[];
  misfire?: string;
  catchUp?: number;
  overlap?: string;
  paused?: boolean;
  json?: boolean;
};
export type TScheduleListOptions = TNodeCommandOptions & { json?: boolean };
export type TListRunsOptions = TNodeCommandOptions & {
  schedule?: string;
  workflow?: string;
  status?: string;
  limit?: number;
  json?: boolean;
};

function inputsOf(pairs: string[] = []): Record<string, string> {
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

export async function addSchedule(options: TScheduleAddOptions, workflow: string): Promise<void> {
  if ((options.cron === undefined) === (options.every === undefined))
    throw new CliError('give either --cron EXPR or --every SECONDS');
  if (options.tz !== undefined && options.cron === undefined) throw new CliError('--tz applies to --cron only');
  const schedule = await callApi<TScheduleView>(options.url, '/api/schedules', {
    user: options.user,
    password: options.password,
    method: 'POST',
    body: {
      workflow,
      cron: options.cron,
      timeZone: options.tz,
      everySeconds: options.every,
      inputs: inputsOf(options.input),
      misfire: options.misfire,
      catchUpSeconds: options.catchUp,
      overlap: options.overlap,
      paused: options.paused,
    },
  });
  if (options.json) process.stdout.write(`${JSON.stringify(schedule, null, 2)}\n`);
  else console.log(schedule.id);
}

function timingText(schedule: TScheduleView): string {
  return schedule.cron !== null ? `cron "${schedule.cron}" ${schedule.timeZone}` : `every ${schedule.everySeconds} s`;
}

export async function printSchedules(options: TScheduleListOptions): Promise<void> {
  const schedules = await callApi<TScheduleView[]>(options.url, '/api/schedules', options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(schedules, null, 2)}\n`);
    return;
  }
  if (schedules.length === 0) {
    console.log('no schedules');
    return;
  }
  const rows = schedules.map((schedule) => [
    schedule.id,
    schedule.workflowName,
    timingText(schedule),
    schedule.paused ? 'paused' : (schedule.nextFireTimes[0] ?? '-'),
    schedule.lastFiredAt
      ? `${schedule.lastFiredFor} by ${schedule.lastFiredNodeName ?? schedule.lastFiredNodeId} (epoch ${schedule.lastFiredEpoch})`
      : '-',
    schedule.lastResult ?? '-',
  ]);
  console.log(formatTable(['ID', 'WORKFLOW', 'WHEN', 'NEXT (UTC)', 'LAST FIRED', 'RESULT'], rows));
}

export async function pauseSchedule(options: TNodeCommandOptions, id: string, paused: boolean): Promise<void> {
  const schedule = await callApi<TScheduleView>(options.url, `/api/schedules/${encodeURIComponent(id)}`, {
    user: options.user,
    password: options.password,
    method: 'PATCH',
    body: { paused },
  });
  console.log(
    schedule.paused ? `schedule ${schedule.id} paused` : `schedule ${schedule.id} resumed; next at ${schedule.nextFireTimes[0]}`,
  );
}

export async function removeSchedule(options: TNodeCommandOptions, id: string): Promise<void> {
  await callApi(options.url, `/api/schedules/${encodeURIComponent(id)}`, {
    user: options.user,
    password: options.password,
    method: 'DELETE',
  });
  console.log(`schedule ${id} removed`);
}

export async function listWorkflowRuns(options: TListRunsOptions): Promise<void> {
  const query = new URLSearchParams();
  if (options.schedule) query.set('schedule', options.schedule);
  if (options.workflow) query.set('workflow', options.workflow);
  if (options.status) query.set('status', options.status);
  query.set('limit', String(options.limit ?? 100));
  const runs = await callApi<TRunSummary[]>(options.url, `/api/runs?${query}`, options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    return;
  }
  const rows = runs.map((run) => [
    run.id,
    run.workflowName,
    run.status,
    run.scheduledFor ?? '-',
    run.lastNodeName ?? '-',
    run.createdAt,
  ]);
  console.log(formatTable(['ID', 'WORKFLOW', 'STATUS', 'SCHEDULED FOR', 'NODE', 'CREATED (UTC)'], rows));
}
