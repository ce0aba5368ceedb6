/**
 * The light standby heartbeat of PgClusterStore: a standby whose reports did not change sends a
 * statement that writes only its liveness. What it must not lose against the full text: a report
 * that changes reaches the row with the next heartbeat, a member the active node marked LATE is
 * RECOVERED once, a settings change is answered with the next heartbeat, and the full text still
 * goes out every FULL_HEARTBEAT_EVERY heartbeats and whenever the clock skew moved. One database,
 * one member per case (heartbeats are called directly: no timing involved).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_HEARTBEAT_EVERY, SKEW_STEP_MS } from '@/lib/cluster/light-heartbeats';
import { PgClusterStore } from '@/lib/cluster/pg-store';
import type { THeartbeatInput, TReportedConfiguration } from '@/lib/cluster/store';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';

const QUERY_TIMEOUT_MS = 10_000;

function configuration(fingerprint: string, extra: Partial<TReportedConfiguration> = {}): TReportedConfiguration {
  return {
    active: fingerprint,
    pending: fingerprint,
    activeDocument: { settings: { logLevel: 'info' }, fingerprint },
    pendingDocument: { settings: { logLevel: 'info' }, fingerprint },
    localChanges: false,
    keepsOwnCertificate: false,
    ...extra,
  };
}

describe('light standby heartbeat (PgClusterStore)', () => {
  let databaseUrl: string;
  let store: PgClusterStore;
  const run = (sql: string, values: unknown[] = []) => withClient(databaseUrl, (client) => client.query(sql, values));

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    await run(
      `INSERT INTO cluster (id, cluster_id, name, heartbeat_interval_ms, failover_heartbeats, active_node_count, previous_interval_ms, previous_window_ms)
       VALUES (1, $1, 'light', 1000, 3, 1, 1000, 3000)`,
      [randomUUID()],
    );
    store = new PgClusterStore(databaseUrl, () => QUERY_TIMEOUT_MS);
  });

  afterAll(async () => {
    await store?.close();
  });

  async function member(): Promise<string> {
    const id = randomUUID();
    expect(await store.register({ id, name: `m-${id.slice(0, 8)}`, url: 'http://m.invalid', version: 'test' })).toBe(
      'registered',
    );
    return id;
  }

  /** one heartbeat, and which text it went out as */
  async function beat(input: Omit<THeartbeatInput, 'lease'>) {
    const before = { ...store.sent };
    const result = await store.heartbeat({ lease: null, ...input });
    const text = store.sent.light > before.light ? 'light' : 'full';
    expect(store.sent.full + store.sent.light).toBe(before.full + before.light + 1);
    return { result, text };
  }

  async function row(id: string) {
    const { rows } = await run(
      `SELECT active_fingerprint, pending_fingerprint, active_config, local_changes, keeps_own_certificate, config_unreadable,
              clock_skew_ms, observed, heartbeat_count::int AS heartbeats
         FROM cluster_node WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  it('sends the light text while nothing changes, and a changed report reaches the row with the next heartbeat', async () => {
    const id = await member();
    const first = configuration('f1');
    expect((await beat({ nodeId: id, skewMs: 5, configuration: first })).text).toBe('full');
    for (let i = 0; i < 5; i += 1) {
      const { result, text } = await beat({ nodeId: id, skewMs: 5 + (i % 3), configuration: first });
      expect(text).toBe('light');
      expect(result).toMatchObject({ accepted: true, maintenance: false, renewed: false, asynchronousCommit: true });
      expect(result.settings).toMatchObject({ intervalMs: 1000, failoverHeartbeats: 3, settingsVersion: 1 });
    }
    expect(await row(id)).toMatchObject({ active_fingerprint: 'f1', local_changes: false, clock_skew_ms: 5, heartbeats: 6 });

    // each report changes in turn; each goes out in the full text and is in the row after it
    const changes: [Partial<THeartbeatInput>, Record<string, unknown>][] = [
      [
        { configuration: configuration('f2') },
        { active_fingerprint: 'f2', active_config: { settings: { logLevel: 'info' }, fingerprint: 'f2' } },
      ],
      [{ configuration: configuration('f2', { pending: 'p3' }) }, { pending_fingerprint: 'p3' }],
      [{ configuration: configuration('f2', { pending: 'p3', localChanges: true }) }, { local_changes: true }],
      [
        { configuration: configuration('f2', { pending: 'p3', localChanges: true, keepsOwnCertificate: true }) },
        { keeps_own_certificate: true },
      ],
      [{ configuration: null, configurationError: 'unreadable: EACCES' }, { config_unreadable: 'unreadable: EACCES' }],
      [{ configuration: configuration('f4') }, { config_unreadable: null, active_fingerprint: 'f4' }],
      [{ configuration: configuration('f4'), skewMs: 5 + SKEW_STEP_MS }, { clock_skew_ms: 5 + SKEW_STEP_MS }],
    ];
    for (const [change, expected] of changes) {
      const input = { nodeId: id, skewMs: 5, configuration: null, ...change };
      expect((await beat(input)).text).toBe('full');
      expect(await row(id)).toMatchObject(expected);
      // and the same again is light
      expect((await beat(input)).text).toBe('light');
      expect(await row(id)).toMatchObject(expected);
    }
  });

  it('records RECOVERED once when a light heartbeat meets a stage the active node recorded', async () => {
    const id = await member();
    await beat({ nodeId: id, skewMs: null, configuration: configuration('r') });
    expect((await beat({ nodeId: id, skewMs: null, configuration: configuration('r') })).text).toBe('light');
    for (const stage of ['LATE', 'NOT_RESPONDING']) {
      // as the active node's heartbeat marks a silent member
      await run(`UPDATE cluster_node SET observed = $2 WHERE id = $1`, [id, stage]);
      const { text } = await beat({ nodeId: id, skewMs: null, configuration: configuration('r') });
      expect(text).toBe('light');
      expect(await row(id)).toMatchObject({ observed: 'ALIVE' });
      expect((await beat({ nodeId: id, skewMs: null, configuration: configuration('r') })).text).toBe('light');
    }
    const { rows } = await run(`SELECT details FROM cluster_event WHERE kind = 'RECOVERED' AND node_id = $1 ORDER BY id`, [id]);
    expect(rows.map((event) => event.details)).toEqual([{ was: 'LATE' }, { was: 'NOT_RESPONDING' }]);
  });

  it('answers a settings change with the next light heartbeat, and keeps the time since the change moving', async () => {
    const id = await member();
    const report = configuration('s');
    await beat({ nodeId: id, skewMs: null, configuration: report });
    const before = await beat({ nodeId: id, skewMs: null, configuration: report });
    expect(before.text).toBe('light');
    const later = await beat({ nodeId: id, skewMs: null, configuration: report });
    expect(later.result.settings.sinceChangeMs).toBeGreaterThanOrEqual(before.result.settings.sinceChangeMs);
    await run(
      `UPDATE cluster SET heartbeat_interval_ms = 700, previous_interval_ms = heartbeat_interval_ms, settings_version = settings_version + 1,
              settings_changed_at = now() WHERE id = 1`,
    );
    try {
      const after = await beat({ nodeId: id, skewMs: null, configuration: report });
      expect(after.text).toBe('light');
      expect(after.result.settings).toMatchObject({
        intervalMs: 700,
        previousIntervalMs: 1000,
        settingsVersion: before.result.settings.settingsVersion + 1,
      });
      expect(after.result.settings.sinceChangeMs).toBeLessThan(60_000);
      const next = await beat({ nodeId: id, skewMs: null, configuration: report });
      expect(next.text).toBe('light');
      expect(next.result.settings).toMatchObject({ intervalMs: 700, settingsVersion: after.result.settings.settingsVersion });
    } finally {
      await run(
        `UPDATE cluster SET heartbeat_interval_ms = 1000, previous_interval_ms = 1000, settings_version = settings_version + 1 WHERE id = 1`,
      );
    }
  });

  it('tells maintenance, a restart request and a removal through the light text', async () => {
    const id = await member();
    const report = configuration('m');
    await beat({ nodeId: id, skewMs: null, configuration: report });
    await run(`UPDATE cluster_node SET maintenance = true, restart_requested_at = now() + interval '1 second' WHERE id = $1`, [
      id,
    ]);
    const told = await beat({ nodeId: id, skewMs: null, configuration: report });
    expect(told.text).toBe('light');
    expect(told.result).toMatchObject({ accepted: true, maintenance: true, restartRequested: true });
    await run(`UPDATE cluster_node SET removed_at = now(), removed_by = 'test' WHERE id = $1`, [id]);
    const removed = await beat({ nodeId: id, skewMs: null, configuration: report });
    expect(removed.text).toBe('light');
    expect(removed.result.accepted).toBe(false);
    // refused: the next one is the full text again (and refused again)
    const again = await beat({ nodeId: id, skewMs: null, configuration: report });
    expect(again).toMatchObject({ text: 'full', result: { accepted: false } });
  });

  it('sends the full text after FULL_HEARTBEAT_EVERY light ones, which repairs a row changed behind the node', async () => {
    const id = await member();
    const report = configuration('n');
    expect((await beat({ nodeId: id, skewMs: null, configuration: report })).text).toBe('full');
    await run(`UPDATE cluster_node SET active_fingerprint = NULL, active_config = NULL WHERE id = $1`, [id]);
    const texts: string[] = [];
    for (let i = 0; i < FULL_HEARTBEAT_EVERY + 1; i += 1)
      texts.push((await beat({ nodeId: id, skewMs: null, configuration: report })).text);
    expect(texts.slice(0, FULL_HEARTBEAT_EVERY).every((text) => text === 'light')).toBe(true);
    expect(texts[FULL_HEARTBEAT_EVERY]).toBe('full');
    expect(await row(id)).toMatchObject({
      active_fingerprint: 'n',
      active_config: { settings: { logLevel: 'info' }, fingerprint: 'n' },
    });
  });

  it('sends the full text on a new connection (a database restart can lose asynchronous commits)', async () => {
    const id = await member();
    const report = configuration('c');
    await beat({ nodeId: id, skewMs: null, configuration: report });
    expect((await beat({ nodeId: id, skewMs: null, configuration: report })).text).toBe('light');
    // every connection of the store ends, as in a restart of the database
    await run(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    const texts: string[] = [];
    const accepted = await pollUntil(
      async () => {
        const before = store.sent.light;
        const result = await store.heartbeat({ nodeId: id, lease: null, skewMs: null, configuration: report });
        texts.push(store.sent.light > before ? 'light' : 'full');
        return result.accepted;
      },
      { what: 'a heartbeat on a new connection', intervalMs: 50 },
    );
    expect(accepted).toBe(true);
    expect(texts.at(-1)).toBe('full');
  });

  it('sends the full text after a registration (a restart) and with a lease', async () => {
    const id = await member();
    const report = configuration('g');
    await beat({ nodeId: id, skewMs: null, configuration: report });
    expect((await beat({ nodeId: id, skewMs: null, configuration: report })).text).toBe('light');
    await store.register({ id, name: 'restarted', url: 'http://m.invalid', version: 'test' });
    expect((await beat({ nodeId: id, skewMs: null, configuration: report })).text).toBe('full');
    const claim = await store.claim(id, 60_000, 0);
    if (!claim || 'waitMs' in claim) throw new Error(`no slot for the member: ${JSON.stringify(claim)}`);
    const full = store.sent.full;
    const active = await store.heartbeat({
      nodeId: id,
      lease: { slot: claim.slot, epoch: claim.epoch },
      skewMs: null,
      configuration: report,
    });
    expect(active).toMatchObject({ renewed: true, asynchronousCommit: false });
    expect(store.sent.full).toBe(full + 1);
    await store.release(id, { slot: claim.slot, epoch: claim.epoch }, 'stopping');
  });
});
