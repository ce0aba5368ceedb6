import { describe, expect, it } from 'vitest';
import { deriveAlarms } from '@/lib/cluster/alarms';

const node = (name: string, state: 'ACTIVE' | 'STANDBY' | 'NOT_RESPONDING' | 'REMOVED', clockSkewMs: number | null = 0) => ({
  id: name,
  name,
  state,
  clockSkewMs,
});

describe('cluster alarms', () => {
  it('none for a healthy cluster', () => {
    expect(deriveAlarms({ activeNodeCount: 1, nodes: [node('a', 'ACTIVE'), node('b', 'STANDBY')] })).toEqual([]);
  });

  it('no active node, or fewer than configured', () => {
    expect(
      deriveAlarms({ activeNodeCount: 1, nodes: [node('a', 'NOT_RESPONDING'), node('b', 'STANDBY')] }).map((a) => a.code),
    ).toEqual(['NO_ACTIVE']);
    const fewer = deriveAlarms({ activeNodeCount: 2, nodes: [node('a', 'ACTIVE'), node('b', 'NOT_RESPONDING')] });
    expect(fewer).toEqual([{ code: 'TOO_FEW_ACTIVE', message: '1 of 2 active nodes: fewer than configured.' }]);
  });

  it('clock skew above one second on a live node', () => {
    const alarms = deriveAlarms({
      activeNodeCount: 1,
      nodes: [node('a', 'ACTIVE', 1_500), node('b', 'STANDBY', -900), node('c', 'REMOVED', 9_000)],
    });
    expect(alarms.map((alarm) => [alarm.code, alarm.nodeId])).toEqual([['CLOCK_SKEW', 'a']]);
    expect(alarms[0].message).toContain('1.5 s');
  });

  it('a served certificate that expires within 30 days, or has expired', () => {
    const now = Date.parse('2026-11-26T00:00:00Z');
    const serving = (name: string, notAfter: string | null) => ({ ...node(name, 'STANDBY'), certificateNotAfter: notAfter });
    const alarms = deriveAlarms({
      activeNodeCount: 1,
      nowMs: now,
      nodes: [
        { ...serving('a', '2027-06-01T00:00:00Z'), state: 'ACTIVE' as const },
        serving('b', '2026-12-06T00:00:00Z'),
        serving('c', '2026-11-01T00:00:00Z'),
        serving('d', null),
      ],
    });
    expect(alarms.map((alarm) => [alarm.code, alarm.nodeId])).toEqual([
      ['CERTIFICATE_EXPIRING', 'b'],
      ['CERTIFICATE_EXPIRING', 'c'],
    ]);
    expect(alarms[0].message).toContain('expires in 10 days');
    expect(alarms[1].message).toContain('has expired');
  });

  it('a live node that cannot read its configuration, with the reason', () => {
    const alarms = deriveAlarms({
      activeNodeCount: 1,
      nodes: [
        node('a', 'ACTIVE'),
        { ...node('b', 'STANDBY'), configUnreadable: 'settings.json is not JSON' },
        { ...node('c', 'NOT_RESPONDING'), configUnreadable: 'stale' },
      ],
    });
    expect(alarms.map((alarm) => [alarm.code, alarm.nodeId])).toEqual([['CONFIG_UNREADABLE', 'b']]);
    expect(alarms[0].message).toContain('settings.json is not JSON');
  });
});
