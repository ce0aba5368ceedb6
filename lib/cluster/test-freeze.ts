/**
 * TESTS ONLY. A freeze point marks a dangerous moment: a statement that changes who may hold a
 * slot has just been handed to the database (a claim, a renewal, a settings change, a make
 * active, a push). The integration tests start a node with ORCH_TEST_FREEZE_FILE set; writing a
 * point's name into that file arms it, and the next time this process reaches that point it
 * deletes the file and stops its whole process group with a real SIGSTOP, exactly there. The
 * test then observes the cluster around the frozen node, and sends SIGCONT. Without the
 * variable (always, outside tests) a freeze point does nothing.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { testFreezeFileEnv } from '@/lib/env';

export const FREEZE_POINTS = ['claim', 'renew', 'settings', 'make-active', 'push'] as const;
export type TFreezePoint = (typeof FREEZE_POINTS)[number];

let armFile: string | null | undefined;

function armedWith(point: TFreezePoint): boolean {
  armFile ??= testFreezeFileEnv() ?? null;
  if (!armFile || !existsSync(armFile)) return false;
  let armed: string;
  try {
    armed = readFileSync(armFile, 'utf8').trim();
  } catch {
    return false;
  }
  if (armed !== point) return false;
  rmSync(armFile, { force: true });
  return true;
}

/**
 * Call right after handing a statement to the database. Lets the statement leave the process
 * (a few turns of the event loop), then freezes the process group until a test sends SIGCONT.
 */
export async function freezePoint(point: TFreezePoint, inFlight?: Promise<unknown>): Promise<void> {
  if (!armedWith(point)) return;
  // the caller awaits it after the freeze; meanwhile a failure must not count as unhandled
  inFlight?.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 5));
  // pid 0: the caller's whole process group (the node's supervisor and its server)
  process.kill(0, 'SIGSTOP');
}
