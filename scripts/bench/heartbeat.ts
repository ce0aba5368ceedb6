/**
 * Heartbeat cost: many simulated members heartbeating against one PostgreSQL through the store
 * the agent uses (PgClusterStore), each on the agent's schedule. Reported: statements per
 * heartbeat as PostgreSQL counts them, heartbeat latency, and the CPU PostgreSQL spent.
 *
 * Statements are counted from pg_stat_database: outside an explicit transaction every statement
 * is one transaction, so the change of xact_commit + xact_rollback over the run, less what each
 * connection opened costs (a backend's start-up runs one transaction of its own, and the pool's
 * check that the server is the primary, with its identity, one more; measured here, not
 * assumed), is what the heartbeats cost. The active member's duty of recording silent members
 * rides on its heartbeat (the same statement), so every statement counted is a heartbeat's.
 *
 * The peer, measured next on the same server: the same members sending a bare heartbeat UPDATE
 * (last_heartbeat_at and the count, nothing else) through plain pools of the same size, on the
 * same schedule; its PostgreSQL CPU is the floor any heartbeat has to pay. Both CPU figures count
 * after a warm-up (WARM_UP_SECONDS), with the part the client backends spent beside them. Then,
 * with less noise, each text's PostgreSQL CPU per statement sent back to back (measureBackToBack).
 * Measurement queries go to the `postgres` database, so they do not count. A backend reports its
 * counts with a delay (at most once a second, or when it exits), so both readings are taken when
 * no client backend is connected to the cluster's database: every count has been reported by then.
 */
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import pg from 'pg';
import { claimGraceMs, heartbeatDelay, type TRole } from '@/lib/cluster/election';
import { agentPoolConfig, PgClusterStore } from '@/lib/cluster/pg-store';

import { createPrimaryPool } from '@/lib/db/primary';
import { livenessWindow } from '@/lib/cluster/settings';
import type { TClusterSettingsRow } from '@/lib/cluster/store';
import { startClusterDatabase, type TClusterDatabase } from './cluster-database';
import { cpuBetween, sampleProcessesCpu, samplePostgresCpu, type TCpuSample } from './postgres-cpu';
import { ms, sleep, summarize, yesNo } from './stats';

/** what every real heartbeat carries: the node's active and pending configuration fingerprints */
// what a real node reports: two fingerprints and documents of a typical size
const SAMPLE_DOCUMENT = {
  plugins: [{ name: 'greeting', version: '1.0.0', sha256: 'c'.repeat(64) }],
  certificate: {
    fingerprint: 'AB:'.repeat(31) + 'AB',
    subject: 'CN=cluster',
    sans: ['DNS:localhost', 'IP Address:127.0.0.1'],
    notAfter: '2029-01-01T00:00:00.000Z',
  },
  settings: { logLevel: 'info', maxConcurrentRuns: 10, runRetentionDays: 30 },
};
const SAMPLE_CONFIGURATION = {
  active: 'a'.repeat(64),
  pending: 'b'.repeat(64),
  activeDocument: SAMPLE_DOCUMENT,
  pendingDocument: SAMPLE_DOCUMENT,
  localChanges: true,
  keepsOwnCertificate: false,
};

export type THeartbeatBenchOptions = {
  members: number;
  seconds: number;
  /** members sharing one store (one pool of 3 connections, as one node has) */
  membersPerStore: number;
};

const INTERVAL_MS = 1_000;
const FAILOVER_HEARTBEATS = 3;
/** the agent's read timeout at a 1 s interval (scripts/node-server.ts) */
const QUERY_TIMEOUT_MS = 1_000;
const POOL_SIZE = 3; // PgClusterStore's pool
// issue 21's goals for 200 members at 1 s
const GOAL_STATEMENTS = 1;
const GOAL_P99_MS = 5;
const GOAL_CORES = 0.05;
/**
 * Seconds of heartbeats before the CPU counts: every store opens its connections on its first
 * heartbeats, and each connection checks that its server is the primary and plans the statements
 * it sends, once. A node does that when it starts, not at every heartbeat, so it is not the
 * heartbeat's cost (it is small: 0-0.002 core over a 60 s run). Printed apart ("the whole run").
 */
const WARM_UP_SECONDS = 5;
/** How many heartbeats each back-to-back measurement sends. */
const BACK_TO_BACK_HEARTBEATS = 20_000;
const BARE_HEARTBEAT_SQL =
  'UPDATE cluster_node SET last_heartbeat_at = now(), heartbeat_count = heartbeat_count + 1 WHERE id = $1';
/** monitorEventLoopDelay samples on a timer of this period, and its figures include the period */
const LOOP_DELAY_RESOLUTION_MS = 10;

type TLease = { slot: number; epoch: number };

/** What the members did, for the cross-check against PostgreSQL's own count. */
class CallRecorder {
  readonly heartbeatMs: number[] = [];
  /** the active member's heartbeats (lease renewal and observation of silent members) */
  readonly activeHeartbeatMs: number[] = [];
  failedCalls = 0;
  lostLeases = 0;
  lastError?: unknown;

  get calls(): number {
    return this.heartbeatMs.length + this.failedCalls;
  }

  fail(error: unknown): void {
    this.failedCalls += 1;
    this.lastError = error;
  }
}

type TLoopState = 'idle' | 'running' | 'stopping' | 'stopped';

/**
 * One member on the agent's schedule (lib/cluster/agent.ts): a heartbeat every interval, timed
 * from the start of the previous one; an active member's heartbeat renews its lease and records
 * other members' liveness, as the agent's does.
 */
class SimulatedMember {
  private state: TLoopState = 'idle';
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();
  private skewMs: number | null = null;
  private settings?: TClusterSettingsRow;

  constructor(
    readonly id: string,
    private readonly store: PgClusterStore,
    private readonly recorder: CallRecorder,
    private lease: TLease | null,
  ) {}

  start(firstDelayMs: number): void {
    if (this.state !== 'idle') throw new Error(`a member cannot start when ${this.state}`);
    this.state = 'running';
    this.schedule(firstDelayMs);
  }

  /** Stops the loop and waits for the call in flight. */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    clearTimeout(this.timer);
    await this.inFlight;
    this.state = 'stopped';
  }

  private schedule(delayMs: number): void {
    if (this.state !== 'running') return;
    this.timer = setTimeout(
      () => {
        this.inFlight = this.beat();
      },
      Math.max(0, delayMs),
    );
  }

  private async beat(): Promise<void> {
    const startedAt = performance.now();
    let next = INTERVAL_MS;
    try {
      const wallBefore = Date.now();
      const active = this.lease !== null;
      const heartbeat = await this.store.heartbeat({
        nodeId: this.id,
        lease: this.lease,
        skewMs: this.skewMs,
        configuration: SAMPLE_CONFIGURATION,
        observe: this.lease && this.settings ? livenessWindow(this.settings) : null,
      });
      const tookMs = performance.now() - startedAt;
      this.recorder.heartbeatMs.push(tookMs);
      if (active) this.recorder.activeHeartbeatMs.push(tookMs);
      this.skewMs = heartbeat.dbNowMs - (wallBefore + Date.now()) / 2;
      this.settings = heartbeat.settings;
      if (this.lease && !heartbeat.renewed) {
        this.recorder.lostLeases += 1;
        this.lease = null;
      }
      const role: TRole = this.lease ? { kind: 'active', ...this.lease } : { kind: 'standby' };
      const { intervalMs, failoverHeartbeats } = heartbeat.settings;
      next = heartbeatDelay(role, intervalMs, intervalMs * failoverHeartbeats) - (performance.now() - startedAt);
    } catch (error) {
      this.recorder.fail(error);
    }
    this.schedule(next);
  }
}

type TDbCounters = { transactions: number; sessions: number };

/** Readings of PostgreSQL's own counters, over a connection to another database. */
class DatabaseCounters {
  private constructor(
    private readonly admin: pg.Client,
    private readonly databaseName: string,
  ) {}

  static async open(database: TClusterDatabase): Promise<DatabaseCounters> {
    const admin = new pg.Client({ connectionString: database.adminUrl });
    await admin.connect();
    return new DatabaseCounters(admin, database.databaseName);
  }

  async maxConnections(): Promise<number> {
    const { rows } = await this.admin.query<{ max: number; reserved: number }>(
      `SELECT current_setting('max_connections')::int AS max, current_setting('superuser_reserved_connections')::int AS reserved`,
    );
    return rows[0].max - rows[0].reserved;
  }

  /** Waits until no client is connected to the cluster's database, so that every backend has reported its counts. */
  async settled(): Promise<TDbCounters> {
    const deadline = performance.now() + 15_000;
    for (;;) {
      const { rows } = await this.admin.query<{ clients: number }>(
        `SELECT count(*)::int AS clients FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
        [this.databaseName],
      );
      if (rows[0].clients === 0) break;
      if (performance.now() > deadline) throw new Error(`${rows[0].clients} connections to ${this.databaseName} did not close`);
      await sleep(20);
    }
    const { rows } = await this.admin.query<{ transactions: string; sessions: string }>(
      'SELECT xact_commit + xact_rollback AS transactions, sessions FROM pg_stat_database WHERE datname = $1',
      [this.databaseName],
    );
    return { transactions: Number(rows[0].transactions), sessions: Number(rows[0].sessions) };
  }

  /** The pids of the backends connected to the cluster's database now. */
  async clientBackends(): Promise<number[]> {
    const { rows } = await this.admin.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`,
      [this.databaseName],
    );
    return rows.map((row) => row.pid);
  }

  close(): Promise<void> {
    return this.admin.end();
  }
}

/** PostgreSQL's CPU at one moment: the whole server's, and each client backend's of the cluster's database. */
type TCpuMark = { server: TCpuSample; backends: Map<number, number> };

async function markCpu(database: TClusterDatabase, counters: DatabaseCounters): Promise<TCpuMark> {
  const backends = sampleProcessesCpu(await counters.clientBackends());
  return { server: samplePostgresCpu(database.postmasterPid()), backends };
}

/**
 * CPU from one mark to the next: the server's, and the part of it spent by the client backends
 * (the heartbeat statements); a backend that started in between counts from its start.
 */
async function cpuSince(database: TClusterDatabase, counters: DatabaseCounters, from: TCpuMark) {
  const to = await markCpu(database, counters);
  const server = cpuBetween(from.server, to.server);
  let backendSeconds = 0;
  for (const [pid, seconds] of to.backends) backendSeconds += seconds - (from.backends.get(pid) ?? 0);
  return { ...server, processes: to.server.processes, backendCores: backendSeconds / server.wallSeconds };
}

/**
 * Updates of cluster_node so far, and how many were HOT (the new row version on the same page, no
 * index entry written). Read over a connection of its own, closed before the counters are read,
 * and after every backend that updated has exited (and so reported its counts).
 */
async function readNodeUpdates(database: TClusterDatabase): Promise<{ updates: number; hot: number }> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ updates: string; hot: string }>(
      `SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'cluster_node'`,
    );
    return { updates: Number(rows[0].updates), hot: Number(rows[0].hot) };
  } finally {
    await client.end();
  }
}

/**
 * Transactions PostgreSQL counts for opening a connection (and closing it) with no query on it:
 * through a pool as the store's (its primary check included), or a plain one (the peer's).
 */
async function measureConnectionCost(
  database: TClusterDatabase,
  counters: DatabaseCounters,
  kind: 'primary' | 'plain',
): Promise<number> {
  const before = await counters.settled();
  const pool =
    kind === 'primary'
      ? createPrimaryPool(database.url, { max: 1, ...agentPoolConfig(), readIdentity: true }).pool
      : new pg.Pool({ connectionString: database.url, max: 1 });
  for (let i = 0; i < 3; i += 1) {
    const client = await pool.connect();
    client.release(true);
  }
  await pool.end();
  const after = await counters.settled();
  return (after.transactions - before.transactions) / (after.sessions - before.sessions);
}

/**
 * The peer: every member sends a bare heartbeat UPDATE every interval through plain pools of the
 * store's size, for as long as the product's heartbeats ran. Its PostgreSQL CPU in cores.
 */
async function measureBareHeartbeats(
  database: TClusterDatabase,
  counters: DatabaseCounters,
  ids: string[],
  storeCount: number,
  seconds: number,
): Promise<{ cores: number; backendCores: number; perHeartbeat: number; latency: ReturnType<typeof summarize>; failed: number }> {
  const connectionCost = await measureConnectionCost(database, counters, 'plain');
  const pools = Array.from({ length: storeCount }, () => new pg.Pool({ connectionString: database.url, max: POOL_SIZE }));
  const latencyMs: number[] = [];
  let failed = 0;
  let running = true;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  const beat = (id: string, pool: pg.Pool) => {
    const startedAt = performance.now();
    const call = pool
      .query({
        name: 'bare-heartbeat',
        text: BARE_HEARTBEAT_SQL,
        values: [id],
        query_timeout: QUERY_TIMEOUT_MS,
      } as pg.QueryConfig)
      .then(
        () => void latencyMs.push(performance.now() - startedAt),
        () => void (failed += 1),
      )
      .finally(() => {
        inFlight.delete(call);
        if (!running) return;
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            beat(id, pool);
          },
          Math.max(0, INTERVAL_MS - (performance.now() - startedAt)),
        );
        timers.add(timer);
      });
    inFlight.add(call);
  };
  try {
    const before = await counters.settled();
    ids.forEach((id, i) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        beat(id, pools[i % storeCount]);
      }, Math.random() * INTERVAL_MS);
      timers.add(timer);
    });
    await sleep(WARM_UP_SECONDS * 1000);
    const warm = await markCpu(database, counters);
    await sleep(seconds * 1000);
    const cpu = await cpuSince(database, counters, warm);
    running = false;
    for (const timer of timers) clearTimeout(timer);
    await Promise.all([...inFlight]);
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    const after = await counters.settled();
    const transactions = after.transactions - before.transactions - (after.sessions - before.sessions) * connectionCost;
    return {
      cores: cpu.cores,
      backendCores: cpu.backendCores,
      perHeartbeat: transactions / latencyMs.length,
      latency: summarize(latencyMs),
      failed,
    };
  } finally {
    await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
  }
}

/**
 * PostgreSQL CPU per heartbeat statement with the statements sent back to back, one at a time
 * (each waits for the previous answer), round-robin over the members, counted on the backends
 * that ran them only: the statement's own cost, without the noise that moves the paced figure by a
 * tenth from run to run (the machine waking up for each statement, and PostgreSQL's background
 * work: autovacuum after the paced minutes, checkpoints, the WAL writer). Through a store (the
 * light text while the report stays the same, the full text when it changes every time) and, the
 * peer, the bare UPDATE on one plain connection.
 */
async function measureBackToBack(
  database: TClusterDatabase,
  counters: DatabaseCounters,
  ids: string[],
): Promise<{ lightUs: number; fullUs: number; bareUs: number }> {
  const store = new PgClusterStore(database.url, () => QUERY_TIMEOUT_MS);
  const bare = new pg.Client({ connectionString: database.url });
  const perHeartbeatUs = async (send: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < ids.length; i += 1) await send(i); // connections made, plans cached, every member known
    const before = await markCpu(database, counters);
    for (let i = 0; i < BACK_TO_BACK_HEARTBEATS; i += 1) await send(i);
    const { backendCores, wallSeconds } = await cpuSince(database, counters, before);
    return ((backendCores * wallSeconds) / BACK_TO_BACK_HEARTBEATS) * 1e6;
  };
  const beat = (i: number, configuration: typeof SAMPLE_CONFIGURATION) =>
    store.heartbeat({ nodeId: ids[i % ids.length], lease: null, skewMs: null, configuration });
  try {
    await bare.connect();
    const light = await perHeartbeatUs((i) => beat(i, SAMPLE_CONFIGURATION));
    const lightSent = store.sent.light;
    // a new pending fingerprint every time: the full text
    let changes = 0;
    const full = await perHeartbeatUs((i) => {
      changes += 1;
      return beat(i, { ...SAMPLE_CONFIGURATION, pending: String(changes).padStart(64, '0') });
    });
    if (store.sent.light !== lightSent) throw new Error('a heartbeat with a changed report went out as the light text');
    const bareUs = await perHeartbeatUs((i) =>
      bare.query({ name: 'bare-heartbeat', text: BARE_HEARTBEAT_SQL, values: [ids[i % ids.length]] }),
    );
    return { lightUs: light, fullUs: full, bareUs };
  } finally {
    await store.close();
    await bare.end().catch(() => {});
  }
}

/** Registers every member (the first one becomes the active member) through a store of its own. */
async function registerMembers(database: TClusterDatabase, ids: string[]): Promise<TLease> {
  const store = new PgClusterStore(database.url, () => 5_000);
  try {
    const registration = (id: string, i: number) => ({
      id,
      name: `sim-${i + 1}`,
      url: `http://sim-${i + 1}.invalid`,
      version: 'bench',
    });
    // the first to register is first in line for the slot
    await store.register(registration(ids[0], 0));
    await Promise.all(ids.slice(1).map((id, i) => store.register(registration(id, i + 1))));
    const heartbeat = await store.heartbeat({ nodeId: ids[0], lease: null, skewMs: null, configuration: null });
    const claim = await store.claim(
      ids[0],
      livenessWindow(heartbeat.settings).lateAfterMs,
      claimGraceMs(heartbeat.settings.intervalMs),
    );
    if (!claim || 'waitMs' in claim) throw new Error('the first simulated member could not take the active slot');
    return { slot: claim.slot, epoch: claim.epoch };
  } finally {
    await store.close();
  }
}

export async function runHeartbeatBench(options: THeartbeatBenchOptions): Promise<boolean> {
  const { members, seconds, membersPerStore } = options;
  const storeCount = Math.ceil(members / membersPerStore);
  console.log(
    `== heartbeat cost: ${members} simulated members (1 active) at ${INTERVAL_MS / 1000} s × ${FAILOVER_HEARTBEATS}, ` +
      `${storeCount} stores with pools of ${POOL_SIZE}, ${seconds} s ==`,
  );
  const database = await startClusterDatabase({ heartbeatIntervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS });
  const stores: PgClusterStore[] = [];
  let counters: DatabaseCounters | undefined;
  try {
    counters = await DatabaseCounters.open(database);
    const allowed = await counters.maxConnections();
    if (storeCount * POOL_SIZE + 2 > allowed) {
      throw new Error(
        `${storeCount} pools of ${POOL_SIZE} need more connections than PostgreSQL allows (${allowed}); raise --members-per-store`,
      );
    }
    const connectionCost = await measureConnectionCost(database, counters, 'primary');
    const ids = Array.from({ length: members }, () => randomUUID());
    const lease = await registerMembers(database, ids);

    const recorder = new CallRecorder();
    for (let i = 0; i < storeCount; i += 1) stores.push(new PgClusterStore(database.url, () => QUERY_TIMEOUT_MS));
    const simulated = ids.map((id, i) => new SimulatedMember(id, stores[i % storeCount], recorder, i === 0 ? lease : null));

    const updatesBefore = await readNodeUpdates(database);
    const before = await counters.settled();
    const start = await markCpu(database, counters);
    const ownCpuBefore = process.cpuUsage();
    // a heartbeat's latency as measured here includes waits for this process's own event loop
    const loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    loopDelay.enable();
    // the active member renews at once (its lease is running); the others at a random phase
    simulated.forEach((member, i) => member.start(i === 0 ? 0 : Math.random() * INTERVAL_MS));
    await sleep(WARM_UP_SECONDS * 1000);
    const warm = await markCpu(database, counters);
    await sleep(seconds * 1000);
    const cpu = await cpuSince(database, counters, warm);
    // the whole run: the warm-up (every connection opened, every statement planned) included
    const whole = await cpuSince(database, counters, start);
    await Promise.all(simulated.map((member) => member.stop()));
    const ownCpu = process.cpuUsage(ownCpuBefore);
    loopDelay.disable();
    const loopDelayMs = (p: number) => Math.max(0, loopDelay.percentile(p) / 1e6 - LOOP_DELAY_RESOLUTION_MS);
    const light = stores.reduce((sum, store) => sum + store.sent.light, 0);
    await Promise.all(stores.splice(0).map((store) => store.close()));
    const after = await counters.settled();
    const updatesAfter = await readNodeUpdates(database);
    const nodeUpdates = updatesAfter.updates - updatesBefore.updates;
    const hotShare = nodeUpdates === 0 ? 0 : (updatesAfter.hot - updatesBefore.hot) / nodeUpdates;

    const heartbeats = recorder.heartbeatMs.length;
    const connections = after.sessions - before.sessions;
    const transactions = after.transactions - before.transactions - connections * connectionCost;
    const perHeartbeat = transactions / heartbeats;
    const latency = summarize(recorder.heartbeatMs);
    const active = summarize(recorder.activeHeartbeatMs);
    const pad = (label: string) => `  ${label.padEnd(22)}`;
    console.log(
      `${pad('heartbeats')}${heartbeats} (${(heartbeats / whole.wallSeconds).toFixed(1)}/s), ${active.count} of the active member, ` +
        `failed calls ${recorder.failedCalls}, leases lost ${recorder.lostLeases}`,
    );
    console.log(
      `${pad('statements/heartbeat')}${perHeartbeat.toFixed(3)} by PostgreSQL's count ` +
        `(${transactions} transactions; ${connections} connections opened, ${connectionCost} each with the primary check, ` +
        `not counted); ${(recorder.calls / heartbeats).toFixed(3)} calls per heartbeat`,
    );
    console.log(
      `${pad('light heartbeats')}${light} (${((light / heartbeats) * 100).toFixed(1)} %: standbys whose reports had not changed, ` +
        `lib/cluster/light-heartbeats.ts)`,
    );
    console.log(`${pad('heartbeat latency')}p50 ${ms(latency.p50)}  p99 ${ms(latency.p99)}  max ${ms(latency.max)}`);
    if (active.count > 0)
      console.log(
        `${pad('active member')}p50 ${ms(active.p50)}  p99 ${ms(active.p99)}  max ${ms(active.max)} ` +
          `(renewal and observation of silent members, committed synchronously)`,
      );
    console.log(
      `${pad('PostgreSQL CPU')}${cpu.cores.toFixed(3)} cores (${cpu.cpuSeconds.toFixed(2)} s CPU over ${cpu.wallSeconds.toFixed(1)} s, ` +
        `postmaster and its ${cpu.processes - 1} children, after a warm-up of ${WARM_UP_SECONDS} s); ` +
        `of which the backends ${cpu.backendCores.toFixed(3)} (the statements; the rest is PostgreSQL's background work); ` +
        `the whole run with the warm-up ${whole.cores.toFixed(3)} (connections opened, statements planned)`,
    );
    console.log(`${pad('member rows')}${nodeUpdates} updates, ${(hotShare * 100).toFixed(1)} % HOT (no index entry written)`);
    console.log(
      `${pad('load generator')}${((ownCpu.user + ownCpu.system) / 1e6 / whole.wallSeconds).toFixed(3)} cores (this process, same machine), ` +
        `event-loop delay p99 ${ms(loopDelayMs(99))} max ${ms(loopDelayMs(100))}`,
    );
    if (recorder.lastError) console.log(`${pad('last call error')}${String(recorder.lastError)}`);

    const bare = await measureBareHeartbeats(database, counters, ids, storeCount, seconds);
    console.log(
      `${pad('peer: bare UPDATE')}${bare.cores.toFixed(3)} cores PostgreSQL CPU (backends ${bare.backendCores.toFixed(3)}), ` +
        `${bare.perHeartbeat.toFixed(3)} statements each, ` +
        `p50 ${ms(bare.latency.p50)}  p99 ${ms(bare.latency.p99)}, failed ${bare.failed} ` +
        `(the same members and schedule, \`${BARE_HEARTBEAT_SQL.split(' WHERE')[0]}\` only)`,
    );
    // the standbys (the active member, whose lease has run out by now, left out)
    const backToBack = await measureBackToBack(database, counters, ids.slice(1));
    console.log(
      `${pad('back to back')}PostgreSQL CPU per heartbeat on its backend, ${BACK_TO_BACK_HEARTBEATS} sent one at a time: ` +
        `light ${backToBack.lightUs.toFixed(0)} µs, full text ${backToBack.fullUs.toFixed(0)} µs, ` +
        `peer: bare UPDATE ${backToBack.bareUs.toFixed(0)} µs (committed synchronously; the standby's texts are not)`,
    );
    // one statement, rounded: a heartbeat never takes a second one
    const statementsOk = perHeartbeat < GOAL_STATEMENTS + 0.0005;
    const latencyOk = latency.p99 < GOAL_P99_MS;
    const coresOk = cpu.cores <= GOAL_CORES;
    console.log(
      `${pad('goals')}${GOAL_STATEMENTS} statement per heartbeat: ${yesNo(statementsOk)}; ` +
        `p99 < ${GOAL_P99_MS} ms: ${yesNo(latencyOk)}; ≤ ${GOAL_CORES} PostgreSQL cores: ${yesNo(coresOk)} ` +
        `(${(cpu.cores / bare.cores).toFixed(1)} × the bare UPDATE)`,
    );
    return statementsOk && latencyOk && coresOk && recorder.failedCalls === 0 && recorder.lostLeases === 0;
  } finally {
    await Promise.all(stores.map((store) => store.close().catch(() => {})));
    await counters?.close().catch(() => {});
    await database.stop();
  }
}
