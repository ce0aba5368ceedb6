/**
 * When a schedule fires: pure calculation, no clock of its own (the scheduler passes the
 * database's time). A schedule's slots are the times of a cron expression read in an IANA time
 * zone (croner: a local time that a DST change skips fires at the first instant after the gap; one
 * it repeats fires once), or every N seconds from the schedule's anchor.
 *
 * A slot is on time while `now - slot` is at most MISFIRE_GRACE_MS: it fires. An older slot was
 * missed (no active node could fire it: an outage) and the schedule's misfire policy decides:
 * - `fire-once`: the missed slots together fire one run (for the latest of them), now;
 * - `skip`: they do not fire;
 * - `catch-up`: each missed slot at most `catchUpSeconds` old fires; older ones do not.
 */
import { Cron } from 'croner';

/** A slot fired this late still counts as on time (a busy host, a failover between two active nodes). */
export const MISFIRE_GRACE_MS = 5_000;
/** At most this many runs per schedule and firing: a long catch-up goes on at the next tick. */
export const MAX_SLOTS_PER_FIRING = 100;
export const MISFIRE_POLICIES = ['fire-once', 'skip', 'catch-up'] as const;
export type TMisfirePolicy = (typeof MISFIRE_POLICIES)[number];
export const OVERLAP_POLICIES = ['allow', 'skip'] as const;
export type TOverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export type TScheduleTiming =
  { kind: 'cron'; cron: string; timeZone: string } | { kind: 'every'; everySeconds: number; anchor: Date };

export type TMisfire = { policy: TMisfirePolicy; catchUpSeconds: number };

/** Throws a message naming what is wrong: an unknown zone, a cron expression croner refuses. */
export function checkTiming(timing: TScheduleTiming): void {
  if (timing.kind === 'every') {
    if (!Number.isInteger(timing.everySeconds) || timing.everySeconds < 1)
      throw new Error('every must be a whole number of seconds, 1 or more');
    return;
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: timing.timeZone });
  } catch {
    throw new Error(`"${timing.timeZone}" is not an IANA time zone (e.g. Europe/Berlin, UTC)`);
  }
  try {
    new Cron(timing.cron, { timezone: timing.timeZone, paused: true });
  } catch (error) {
    throw new Error(`"${timing.cron}" is not a cron expression (${(error as Error).message})`);
  }
  if (nextSlot(timing, new Date()) === null) throw new Error(`"${timing.cron}" never fires`);
}

const crons = new Map<string, Cron>();
function cronOf(timing: Extract<TScheduleTiming, { kind: 'cron' }>): Cron {
  const key = `${timing.timeZone}\u0000${timing.cron}`;
  let cron = crons.get(key);
  if (!cron) {
    cron = new Cron(timing.cron, { timezone: timing.timeZone, paused: true });
    if (crons.size > 1_000) crons.clear();
    crons.set(key, cron);
  }
  return cron;
}

/** The first slot strictly after `after`; null when there is none (a cron date in the past). */
export function nextSlot(timing: TScheduleTiming, after: Date): Date | null {
  if (timing.kind === 'every') {
    const step = timing.everySeconds * 1000;
    const anchor = timing.anchor.getTime();
    const n = Math.max(0, Math.floor((after.getTime() - anchor) / step) + 1);
    return new Date(anchor + n * step);
  }
  return cronOf(timing).nextRun(after);
}

/** The next `count` slots after `after`. */
export function nextSlots(timing: TScheduleTiming, after: Date, count: number): Date[] {
  const slots: Date[] = [];
  let from = after;
  while (slots.length < count) {
    const slot = nextSlot(timing, from);
    if (!slot) break;
    slots.push(slot);
    from = slot;
  }
  return slots;
}

export type TFiringPlan = {
  /** the slots that fire now, oldest first */
  fire: Date[];
  /** missed slots that do not fire (misfire policy) */
  skipped: number;
  /** the first slot not handled by this plan; null when the schedule never fires again */
  nextFireAt: Date | null;
};

/**
 * What to fire at `now` for a schedule whose first unhandled slot is `due`. Slots after `now`
 * are left for later; at most MAX_SLOTS_PER_FIRING fire at once (the rest at the next call).
 */
export function planFiring(timing: TScheduleTiming, misfire: TMisfire, due: Date, now: Date): TFiringPlan {
  const onTimeFrom = now.getTime() - MISFIRE_GRACE_MS;
  const fire: Date[] = [];
  let skipped = 0;
  let slot: Date | null = due;

  if (slot.getTime() < onTimeFrom) {
    // missed slots: walk only where the policy needs them, so a long outage costs no long loop
    const catchUpFrom =
      misfire.policy === 'catch-up' ? Math.min(onTimeFrom, now.getTime() - misfire.catchUpSeconds * 1000) : onTimeFrom;
    if (slot.getTime() < catchUpFrom) {
      const resume = nextSlot(timing, new Date(catchUpFrom - 1));
      let latestMissed: Date | null = null;
      if (misfire.policy === 'fire-once') latestMissed = lastSlotBefore(timing, slot, onTimeFrom);
      skipped = countSlots(timing, slot, resume);
      if (latestMissed) {
        fire.push(latestMissed);
        skipped -= 1;
      }
      slot = resume;
    }
    if (misfire.policy === 'catch-up') {
      while (slot && slot.getTime() < onTimeFrom && fire.length < MAX_SLOTS_PER_FIRING) {
        fire.push(slot);
        slot = nextSlot(timing, slot);
      }
      if (slot && slot.getTime() < onTimeFrom) return { fire, skipped, nextFireAt: slot };
    }
  }
  while (slot && slot.getTime() <= now.getTime() && fire.length < MAX_SLOTS_PER_FIRING) {
    fire.push(slot);
    slot = nextSlot(timing, slot);
  }
  return { fire, skipped, nextFireAt: slot };
}

/** The latest slot at or after `from` and before `before` (ms); null when there is none. */
function lastSlotBefore(timing: TScheduleTiming, from: Date, before: number): Date | null {
  if (timing.kind === 'every') {
    const step = timing.everySeconds * 1000;
    const anchor = timing.anchor.getTime();
    const latest = anchor + Math.floor((before - 1 - anchor) / step) * step;
    return latest >= from.getTime() ? new Date(latest) : null;
  }
  // croner's reference is rounded to whole seconds: ask from a little later, keep those before
  const previous = cronOf(timing)
    .previousRuns(3, new Date(before + 2_000))
    .find((slot) => slot.getTime() < before);
  return previous && previous.getTime() >= from.getTime() && previous.getTime() < before ? previous : null;
}

/** Slots in [from, until) (until null: none after from); by arithmetic for intervals; for cron at most 1000 are counted (a short loop: the node's heartbeat shares the thread). */
function countSlots(timing: TScheduleTiming, from: Date, until: Date | null): number {
  if (until === null) return 1;
  if (timing.kind === 'every') return Math.max(0, Math.round((until.getTime() - from.getTime()) / (timing.everySeconds * 1000)));
  let count = 0;
  let slot: Date | null = from;
  while (slot && slot.getTime() < until.getTime() && count < 1_000) {
    count += 1;
    slot = nextSlot(timing, slot);
  }
  return count;
}
