/**
 * A node whose configuration cannot be read keeps heartbeating (liveness does not depend on a
 * file), but says so: one error in its log and one CONFIG_UNREADABLE cluster event per reason,
 * not one per heartbeat. Real ClusterAgent on the injected timeline and in-memory store.
 */
import { describe, expect, it } from 'vitest';
import { ClusterAgent } from '@/lib/cluster/agent';
import type { TReportedConfiguration } from '@/lib/cluster/store';
import { MemoryStore, Timeline } from '../helpers/fake-cluster';

const REPORT: TReportedConfiguration = {
  active: 'a',
  pending: 'a',
  activeDocument: {},
  pendingDocument: {},
  localChanges: false,
  keepsOwnCertificate: false,
};

describe('a configuration that cannot be read', () => {
  it('is logged and recorded once per reason, and the heartbeats go on', async () => {
    const timeline = new Timeline();
    const store = new MemoryStore(timeline);
    const id = '00000000-0000-4000-8000-000000000001';
    const logged: { level: string; message: string }[] = [];
    let failure: string | null = 'EACCES: permission denied, open config.json';
    const agent = new ClusterAgent({
      store,
      clock: timeline.clock(id),
      node: { id, name: 'node-1', url: 'http://node-1', version: 'test' },
      clusterId: 'cluster',
      log: (level, message) => logged.push({ level, message }),
      configuration: async () => {
        if (failure) throw new Error(failure);
        return REPORT;
      },
    });
    const unreadable = () => store.events.filter((event) => event.kind === 'CONFIG_UNREADABLE');
    const errors = () => logged.filter((line) => line.level === 'error');

    await agent.start();
    await timeline.advance(10_000);
    expect(agent.status().state).toBe('ACTIVE');
    expect(unreadable()).toHaveLength(1);
    expect(JSON.parse(unreadable()[0].details!)).toMatchObject({ message: 'EACCES: permission denied, open config.json' });
    expect(errors()).toHaveLength(1);
    expect(errors()[0].message).toMatch(/^the configuration cannot be read \(EACCES/);

    failure = null;
    await timeline.advance(5_000);
    expect(logged.some((line) => line.message === 'the configuration can be read again')).toBe(true);

    failure = 'config.json is not JSON';
    await timeline.advance(10_000);
    expect(unreadable()).toHaveLength(2);
    expect(errors()).toHaveLength(2);
    await agent.stop();
  });
});
