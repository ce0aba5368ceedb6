import { describe, expect, it } from 'vitest';
import {
  checkTiming,
  MISFIRE_GRACE_MS,
  nextSlot,
  nextSlots,
  planFiring,
  type TScheduleTiming,
} from '@/lib/workflow/schedule-times';

const iso = (dates: (Date | null)[]) => dates.map((date) => date?.toISOString() ?? null);
const at = (text: string) => new Date(text);

describe('the slots of a cron schedule in a time zone', () => {
  it('reads the expression in the zone, not in UTC', () => {
    const berlin: TScheduleTiming = { kind: 'cron', cron: '0 9 * * *', timeZone: 'Europe/Berlin' };
    const tokyo: TScheduleTiming = { kind: 'cron', cron: '0 9 * * *', timeZone: 'Asia/Tokyo' };
    expect(nextSlot(berlin, at('2026-01-15T00:00:00Z'))?.toISOString()).toBe('2026-01-15T08:00:00.000Z'); // CET, UTC+1
    expect(nextSlot(berlin, at('2026-07-15T00:00:00Z'))?.toISOString()).toBe('2026-07-15T07:00:00.000Z'); // CEST, UTC+2
    expect(nextSlot(tokyo, at('2026-07-15T00:00:00Z'))?.toISOString()).toBe('2026-07-16T00:00:00.000Z');
  });

  it('a local time that the spring DST change skips fires once, right after the gap', () => {
    // Europe/Berlin, 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:30 does not exist that day
    const timing: TScheduleTiming = { kind: 'cron', cron: '30 2 * * *', timeZone: 'Europe/Berlin' };
    expect(iso(nextSlots(timing, at('2026-03-28T00:00:00Z'), 3))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z', // 03:00 CEST, the first instant after the gap
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('a local time that the autumn DST change repeats fires once, not twice', () => {
    // America/New_York, 1 November 2026: 01:00-02:00 happens twice (EDT, then EST)
    const timing: TScheduleTiming = { kind: 'cron', cron: '30 1 * * *', timeZone: 'America/New_York' };
    expect(iso(nextSlots(timing, at('2026-10-31T00:00:00Z'), 3))).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    // an hourly schedule through the repeated hour: every instant once, 25 slots that day
    const hourly: TScheduleTiming = { kind: 'cron', cron: '0 * * * *', timeZone: 'America/New_York' };
    const day = nextSlots(hourly, at('2026-11-01T03:59:59Z'), 25);
    expect(new Set(iso(day)).size).toBe(25);
    expect(day[24].toISOString()).toBe('2026-11-02T04:00:00.000Z');
  });

  it('a zone without DST keeps its offset; a seconds field is allowed', () => {
    const timing: TScheduleTiming = { kind: 'cron', cron: '*/20 * * * * *', timeZone: 'Asia/Kolkata' };
    expect(iso(nextSlots(timing, at('2026-03-29T00:00:00Z'), 3))).toEqual([
      '2026-03-29T00:00:20.000Z',
      '2026-03-29T00:00:40.000Z',
      '2026-03-29T00:01:00.000Z',
    ]);
  });

  it('refuses an unknown zone or a malformed expression with a clear message', () => {
    expect(() => checkTiming({ kind: 'cron', cron: '0 9 * * *', timeZone: 'Mars/Olympus' })).toThrow(
      '"Mars/Olympus" is not an IANA time zone',
    );
    expect(() => checkTiming({ kind: 'cron', cron: 'every day', timeZone: 'UTC' })).toThrow(
      '"every day" is not a cron expression',
    );
    expect(() => checkTiming({ kind: 'cron', cron: '0 61 * * *', timeZone: 'UTC' })).toThrow('is not a cron expression');
    expect(() => checkTiming({ kind: 'every', everySeconds: 0, anchor: new Date() })).toThrow('1 or more');
    expect(() => checkTiming({ kind: 'cron', cron: '0 9 * * 1-5', timeZone: 'Europe/Berlin' })).not.toThrow();
  });
});

describe('the slots of an interval schedule', () => {
  const timing: TScheduleTiming = { kind: 'every', everySeconds: 10, anchor: at('2026-01-01T00:00:00Z') };

  it('are every N seconds from the anchor, whatever the time zone or DST', () => {
    expect(nextSlot(timing, at('2026-03-29T00:59:55Z'))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(nextSlot(timing, at('2026-03-29T01:00:00Z'))?.toISOString()).toBe('2026-03-29T01:00:10.000Z');
    expect(nextSlot(timing, at('2025-12-01T00:00:00Z'))?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});

describe('what fires after a time without an active node (misfire policy)', () => {
  const every: TScheduleTiming = { kind: 'every', everySeconds: 1, anchor: at('2026-01-01T00:00:00Z') };
  const now = at('2026-01-01T01:00:00.300Z');

  it('on time: each due slot fires once, the next one is left for later', () => {
    const plan = planFiring(every, { policy: 'skip', catchUpSeconds: 0 }, at('2026-01-01T00:59:59Z'), now);
    expect(iso(plan.fire)).toEqual(['2026-01-01T00:59:59.000Z', '2026-01-01T01:00:00.000Z']);
    expect(plan.skipped).toBe(0);
    expect(plan.nextFireAt?.toISOString()).toBe('2026-01-01T01:00:01.000Z');
  });

  it('a slot late by less than the grace still fires, whatever the policy', () => {
    const due = new Date(now.getTime() - MISFIRE_GRACE_MS + 300);
    expect(planFiring(every, { policy: 'skip', catchUpSeconds: 0 }, due, now).fire[0].toISOString()).toBe(due.toISOString());
  });

  it('fire-once: a ten-minute outage fires one run for the latest missed slot, then the on-time ones', () => {
    const plan = planFiring(every, { policy: 'fire-once', catchUpSeconds: 0 }, at('2026-01-01T00:50:00Z'), now);
    expect(plan.fire[0].toISOString()).toBe('2026-01-01T00:59:55.000Z');
    expect(iso(plan.fire.slice(1))).toEqual([
      '2026-01-01T00:59:56.000Z',
      '2026-01-01T00:59:57.000Z',
      '2026-01-01T00:59:58.000Z',
      '2026-01-01T00:59:59.000Z',
      '2026-01-01T01:00:00.000Z',
    ]);
    expect(plan.skipped).toBe(595);
  });

  it('skip: the missed slots do not fire, only the on-time ones', () => {
    const plan = planFiring(every, { policy: 'skip', catchUpSeconds: 0 }, at('2026-01-01T00:50:00Z'), now);
    expect(plan.fire[0].toISOString()).toBe('2026-01-01T00:59:56.000Z');
    expect(plan.fire).toHaveLength(5);
    expect(plan.skipped).toBe(596);
  });

  it('catch-up: each missed slot within the window fires, older ones do not', () => {
    const plan = planFiring(every, { policy: 'catch-up', catchUpSeconds: 30 }, at('2026-01-01T00:50:00Z'), now);
    expect(plan.fire[0].toISOString()).toBe('2026-01-01T00:59:31.000Z');
    expect(plan.fire.at(-1)?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
    expect(plan.fire).toHaveLength(30);
    expect(plan.skipped).toBe(571);
  });

  it('catch-up of more slots than one firing takes: the rest waits for the next call', () => {
    const plan = planFiring(every, { policy: 'catch-up', catchUpSeconds: 3_600 }, at('2026-01-01T00:30:00Z'), now);
    expect(plan.fire).toHaveLength(100);
    expect(plan.nextFireAt?.toISOString()).toBe('2026-01-01T00:31:40.000Z');
  });

  it('a daily cron schedule missed over a DST change fires once for the latest missed day', () => {
    const daily: TScheduleTiming = { kind: 'cron', cron: '30 2 * * *', timeZone: 'Europe/Berlin' };
    const plan = planFiring(
      daily,
      { policy: 'fire-once', catchUpSeconds: 0 },
      at('2026-03-27T01:30:00Z'),
      at('2026-03-30T12:00:00Z'),
    );
    expect(iso(plan.fire)).toEqual(['2026-03-30T00:30:00.000Z']);
    expect(plan.skipped).toBe(3);
    expect(plan.nextFireAt?.toISOString()).toBe('2026-03-31T00:30:00.000Z');
  });
});
