/**
 * Configuration sync on the injected timeline with in-memory stores: a pushed version is written
 * once (not once per heartbeat while the write is in flight), a failed write is tried again after
 * 30 s (not on every heartbeat), a restart is asked for once, and stop() waits for the write in
 * flight. No database, no sleeping.
 */
import { describe, expect, it } from 'vitest';
import { APPLY_RETRY_MS, ConfigSync, nextSyncStep, type TConfigSyncStore, type TSyncState } from '@/lib/config/config-sync';
import { heartbeatResult, Timeline } from '../helpers/fake-cluster';
import { FakeRolloutStore } from '../helpers/fake-rollout-store';

const heartbeat = heartbeatResult;

/** A data directory that takes each write as a promise the test settles. */
class FakeDataDir implements TConfigSyncStore {
  version = 0;
  writes: { version: number; settle: (error?: Error) => void }[] = [];

  applyReference(): Promise<number | null> {
    return new Promise((resolve, reject) => {
      const version = 7;
      this.writes.push({
        version,
        settle: (error) => {
          if (error) return reject(error);
          this.version = version;
          resolve(version);
        },
      });
    });
  }

  async appliedVersion(): Promise<number> {
    return this.version;
  }
}

function setUp() {
  const timeline = new Timeline();
  const dataDir = new FakeDataDir();
  const restarts: string[] = [];
  const logged: { level: string; message: string }[] = [];
  const sync = new ConfigSync({
    dataDir: '/nowhere',
    nodeId: 'n1',
    requestRestart: (reason) => restarts.push(reason),
    log: (level, message) => logged.push({ level, message }),
    clock: timeline.clock('n1'),
    store: dataDir,
    rolloutStore: new FakeRolloutStore(timeline),
  });
  return { timeline, dataDir, restarts, logged, sync };
}

describe('configuration sync (injected clock and stores)', () => {
  it('writes a pushed version once, however many heartbeats come while the write is in flight', async () => {
    const { timeline, dataDir, sync, logged } = setUp();
    sync.start();
    for (let beat = 0; beat < 5; beat += 1) {
      sync.onHeartbeat(heartbeat({ referenceVersion: 7 }));
      await timeline.advance(1_000);
    }
    expect(dataDir.writes).toHaveLength(1);
    dataDir.writes[0].settle();
    await timeline.advance(0);
    expect(sync.snapshot()).toMatchObject({ appliedVersion: 7, apply: { kind: 'idle' } });
    sync.onHeartbeat(heartbeat({ referenceVersion: 7 }));
    expect(dataDir.writes).toHaveLength(1); // nothing newer
    expect(logged.map((line) => line.message)).toEqual([
      'configuration version 7 written; it takes effect at the next restart (hot settings at once)',
    ]);
    await sync.stop();
  });

  it('tries a failed write again after 30 s, not on every heartbeat, logging once per try', async () => {
    const { timeline, dataDir, sync, logged } = setUp();
    sync.start();
    sync.onHeartbeat(heartbeat({ referenceVersion: 7 }));
    dataDir.writes[0].settle(new Error('EACCES: permission denied'));
    await timeline.advance(0);
    for (let elapsed = 0; elapsed < APPLY_RETRY_MS - 1_000; elapsed += 1_000) {
      sync.onHeartbeat(heartbeat({ referenceVersion: 7 }));
      await timeline.advance(1_000);
    }
    expect(dataDir.writes).toHaveLength(1);
    expect(logged.filter((line) => line.level === 'error')).toHaveLength(1);
    await timeline.advance(1_000);
    sync.onHeartbeat(heartbeat({ referenceVersion: 7 }));
    expect(dataDir.writes).toHaveLength(2);
    dataDir.writes[1].settle();
    await timeline.advance(0);
    expect(sync.snapshot().appliedVersion).toBe(7);
    await sync.stop();
  });

  it('asks for a restart once, however many heartbeats ask for it', async () => {
    const { timeline, sync, restarts } = setUp();
    sync.start();
    for (let beat = 0; beat < 3; beat += 1) {
      sync.onHeartbeat(heartbeat({ restartRequested: true }));
      await timeline.advance(1_000);
    }
    expect(restarts).toEqual(['requested by an operator or a rolling reset']);
    await sync.stop();
  });

  it('stop() waits for the write in flight, and a stopped sync ignores heartbeats', async () => {
    const { timeline, dataDir, sync } = setUp();
    sync.start();
    sync.onHeartbeat(heartbeat({ referenceVersion: 7 }));
    let stopped = false;
    const stopping = sync.stop().then(() => (stopped = true));
    await timeline.advance(5_000);
    expect(stopped).toBe(false);
    expect(sync.snapshot().lifecycle).toBe('stopping');
    dataDir.writes[0].settle();
    await stopping;
    expect(sync.snapshot().lifecycle).toBe('stopped');
    sync.onHeartbeat(heartbeat({ referenceVersion: 8, restartRequested: true }));
    expect(dataDir.writes).toHaveLength(1);
  });
});

describe('what a heartbeat asks of configuration sync (pure)', () => {
  const state = (change: Partial<TSyncState> = {}): TSyncState => ({
    lifecycle: 'running',
    apply: { kind: 'idle' },
    appliedVersion: 3,
    restart: 'none',
    ...change,
  });

  it('writes a newer version only when no write is in flight or waiting to be tried again', () => {
    expect(nextSyncStep(state(), heartbeat({ referenceVersion: 4 }), 0)).toEqual({ restart: false, apply: true });
    expect(nextSyncStep(state(), heartbeat({ referenceVersion: 3 }), 0)).toEqual({ restart: false, apply: false });
    expect(nextSyncStep(state({ apply: { kind: 'applying' } }), heartbeat({ referenceVersion: 4 }), 0).apply).toBe(false);
    expect(nextSyncStep(state({ apply: { kind: 'retrying', afterMs: 100 } }), heartbeat({ referenceVersion: 4 }), 99).apply).toBe(
      false,
    );
    expect(
      nextSyncStep(state({ apply: { kind: 'retrying', afterMs: 100 } }), heartbeat({ referenceVersion: 4 }), 100).apply,
    ).toBe(true);
  });

  it('answers heartbeats before start (the agent starts first), but none once stopping', () => {
    expect(nextSyncStep(state({ lifecycle: 'idle' }), heartbeat({ restartRequested: true }), 0)).toEqual({
      restart: true,
      apply: false,
    });
    expect(nextSyncStep(state({ restart: 'requested' }), heartbeat({ restartRequested: true }), 0).restart).toBe(false);
    expect(nextSyncStep(state({ lifecycle: 'stopping' }), heartbeat({ restartRequested: true, referenceVersion: 9 }), 0)).toEqual(
      { restart: false, apply: false },
    );
  });
});
