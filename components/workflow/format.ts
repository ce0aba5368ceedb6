/** Run ids and durations as the workflow pages write them. */
import { FINISHED_STATUSES } from '@/lib/workflow/schemas';

/** The first 8 characters of a run or node id: enough to tell them apart on one screen (the full id goes in a title). */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function isFinished(status: string | undefined): boolean {
  return status !== undefined && (FINISHED_STATUSES as readonly string[]).includes(status);
}

/** "0.4 s", "12 s", "3 min 5 s"; "—" while it has no end. */
export function formatDuration(startedAt: string, endedAt: string | null): string {
  if (!endedAt) return '—';
  const seconds = Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** A variable's value as JSON, so a string "1" and a number 1 read differently. */
export function formatValue(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
