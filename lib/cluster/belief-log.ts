/**
 * This node's own record of when it believed it was active, with which epoch, until when: one
 * JSON line per change, in its data directory. Written before the node acts on the belief, it
 * lets a test (or an operator after an incident) prove that no more than N nodes believed
 * themselves active at any moment.
 */
import { mkdirSync } from 'node:fs';
import { appendRotatingSync } from '@/lib/node/rotating-file';
import path from 'node:path';

export type TBeliefRecord =
  | { t: 'begin' | 'extend'; node: string; epoch: number; slot: number; at: number; until: number }
  | { t: 'end'; node: string; epoch: number; slot: number; at: number; reason: string };

export type TBeliefLog = { write(record: TBeliefRecord): void };

export const BELIEF_LOG_FILE = path.join('logs', 'active-periods.jsonl');

export function fileBeliefLog(dataDir: string): TBeliefLog {
  const file = path.join(dataDir, BELIEF_LOG_FILE);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // synchronous on purpose: the record is on disk before the node acts on what it says; rotated
  // by size so that it never fills the disk
  return { write: (record) => appendRotatingSync(file, `${JSON.stringify(record)}\n`) };
}

export const noBeliefLog: TBeliefLog = { write: () => {} };

/** Active periods from a belief log's records: [from, to) in wall-clock milliseconds. */
export function activePeriods(records: TBeliefRecord[]): { node: string; epoch: number; from: number; to: number }[] {
  const periods: { node: string; epoch: number; from: number; to: number }[] = [];
  for (const record of records) {
    if (record.t === 'end') {
      for (const period of periods) {
        if (period.node === record.node && period.epoch === record.epoch && period.to > record.at)
          period.to = Math.max(period.from, record.at);
      }
    } else if (record.until > record.at) {
      periods.push({ node: record.node, epoch: record.epoch, from: record.at, to: record.until });
    }
  }
  return periods;
}

/** The largest number of nodes that believed themselves active at the same moment. */
export function maxConcurrentActive(periods: { node: string; from: number; to: number }[]): number {
  const edges = periods.flatMap((period) => [
    { at: period.from, node: period.node, delta: 1 },
    { at: period.to, node: period.node, delta: -1 },
  ]);
  // ends before starts at the same instant: [from, to) periods that touch do not overlap
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
  const perNode = new Map<string, number>();
  let max = 0;
  for (const edge of edges) {
    perNode.set(edge.node, (perNode.get(edge.node) ?? 0) + edge.delta);
    const activeNodes = [...perNode.values()].filter((count) => count > 0).length;
    max = Math.max(max, activeNodes);
  }
  return max;
}
