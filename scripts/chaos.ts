/**
 * `npm run chaos -- --minutes M --nodes K [--seed N] [--network auto|off] [--database builtin|replicated] [--database-fault-first] [--sample-minutes S] [--spare-node N] [--old-runs R] [--min-faults F] [--json]`: a cluster of K real nodes on one PostgreSQL
 * at 1 s × 3, under a steady stream of workflow runs, while nodes are killed (kill -9), frozen
 * (SIGSTOP past the window, then SIGCONT), restarted, frozen exactly inside a claim (the active
 * is frozen and the standby that claims its slot freezes itself right after sending the claim,
 * through the test-only freeze point), and the database itself is restarted, one fault at a time
 * at random. Where it can make network namespaces (root, iproute2, iptables; `--network off`
 * not given), each node runs on a host of its own (scripts/chaos/network.ts) and the network
 * fails too: a node partitioned (link down), its path to the database 150 ms ± 50 ms slower, or
 * losing 5 % of its packets; where it cannot, it says why and runs without network faults. The
 * seed chooses the same faults again with `--seed` (on a machine that makes namespaces as well,
 * or with `--network off` on both). With `--database replicated` the nodes use a multi-host URL on a
 * PostgreSQL 15 primary + synchronous standby (Debian's postgresql-15), and the database fault is a
 * *database failover* instead: the primary's postmaster is killed (SIGKILL), the standby promoted,
 * and the old primary rebuilt (pg_basebackup) as the new standby; the network faults reach the
 * paths to both servers. The database fault comes 2nd to 4th among the first faults (chosen by
 * the seed); `--database-fault-first` makes it the first, as soon as the cluster is steady, so
 * that a short run is sure to see it. At the end, with the faults over and every run given time
 * to finish,
 * it prints what held and exits non-zero when any of these was violated:
 * - runs lost: 0 (every run the cluster accepted ends COMPLETED);
 * - elements executed twice beyond interrupted ones: 0 (from the nodes' own system logs: an
 *   element may run again only as the retry of one interrupted by a takeover);
 * - moments with more than N nodes believing themselves active: 0 (from the nodes' own records);
 * and reports the longest time without an active node and the false failovers of live nodes
 * (a node that gave up its slot while nothing happened to it or the database, or only latency or
 * loss on its path to the database: those must not cost a failover).
 * For a soak, `--spare-node N` keeps node N out of the process faults (kill, SIGSTOP, restart,
 * claim freeze), so that one process's memory over the whole run shows a leak, and `--old-runs R`
 * seeds a history past a 1-day retention (scripts/chaos/history.ts): the run then also fails
 * unless the product's retention deletes it while the faults go on.
 * `--min-faults F`: on a loaded machine the faults take longer and fewer fit in M minutes; the run
 * then goes on, runs and faults, until it has made F faults, for at most M minutes more.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { countWatchedRows, RETENTION_DAYS, RETENTION_SETTINGS, seedOldHistory, type TTableCount } from './chaos/history';
import { ChaosNetwork, JITTER_MS, LATENCY_MS, LOSS } from './chaos/network';
import { newSeed, seededRandom } from './chaos/random';
import pg from 'pg';
import { activePeriods, BELIEF_LOG_FILE, maxConcurrentActive, type TBeliefRecord } from '@/lib/cluster/belief-log';
import { ensureCluster } from '@/lib/cluster/ensure-cluster';
import { createDb } from '@/lib/db/client';
import { applyMigrations } from '@/lib/db/migrate';
import { startBuiltInDatabase, type TBuiltInDatabase } from '@/lib/node/built-in-database';
import { findFreePort } from '@/lib/node/ports';
import { SYSTEM_LOG_FILE } from '@/lib/workflow/system-log';
import { startReplicaPair, type ReplicaPair } from '../tests/helpers/pg-replication';
import { BenchNode } from './bench/bench-node';
import { handleInterrupts, onInterrupt } from './bench/interrupt';
import { seconds, sleep } from './bench/stats';

const INTERVAL_MS = 1_000;
const FAILOVER_HEARTBEATS = 3;
const WINDOW_MS = INTERVAL_MS * FAILOVER_HEARTBEATS;
const ACTIVE_NODES = 1;
const PASSWORD = 'chaos-root-password';
const AUTH = `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`;
const SUBMIT_EVERY_MS = 500;
const DRAIN_TIMEOUT_MS = 180_000;
/** the set-up's requests to a node that is up (import the workflow, set the retention) */
const STARTUP_REQUEST_TIMEOUT_MS = 30_000;
/** after a fault on a node (or the database) ends, its consequences may take this long to settle */
const SETTLE_MS = WINDOW_MS + 2 * INTERVAL_MS;

const WORKFLOW = {
  name: 'Chaos Tick',
  description: 'Ticks a few times, writing each tick to the system log and the server log.',
  inputs: [{ name: 'ticks', type: 'number', default: 5 }],
  elements: [
    { id: 'start', type: 'set', variable: 'n', expression: '1' },
    { id: 'tick', type: 'log', target: 'system', message: "'tick ' + n" },
    { id: 'record', type: 'log', target: 'server', message: "'tick ' + n" },
    { id: 'increment', type: 'set', variable: 'n', expression: 'n + 1' },
    { id: 'more', type: 'decision', condition: 'n <= ticks', then: 'pause', else: 'done' },
    { id: 'pause', type: 'sleep', seconds: 0.2, next: 'tick' },
    { id: 'done', type: 'end' },
  ],
};

type TFault = {
  kind: 'kill' | 'freeze' | 'restart' | 'database' | 'claim-freeze' | 'database-failover' | 'partition' | 'latency' | 'loss';
  node?: string;
  from: number;
  to: number;
};
/** faults on a node's process: `--spare-node` keeps one node out of these */
const PROCESS_FAULTS: TFault['kind'][] = ['kill', 'freeze', 'restart', 'claim-freeze'];
/** how often the node's memory (and, while old history is left, the rows past the horizon) is read */
const WATCH_EVERY_MS = 10_000;
/** after the drain, how long the retention may still take to delete the old history (its run pruner runs every 60 s) */
const RETENTION_WAIT_MS = 150_000;
/** faults that must not cost a failover: a slot given up under them is a false failover */
const HARMLESS: TFault['kind'][] = ['latency', 'loss'];

/** the database faults: both leave the cluster without a database for a while */
const isDatabaseFault = (fault: TFault) => fault.kind === 'database' || fault.kind === 'database-failover';

export type TChaosReport = {
  /** `--seed` replays the same choices of faults */
  seed: number;
  minutes: number;
  nodes: number;
  /** how the network failed, or why it could not */
  network: string;
  faults: Record<TFault['kind'], number>;
  runsAccepted: number;
  runsCompleted: number;
  runsLost: number;
  submissionsRefused: number;
  elementsReExecuted: number;
  elementsExecutedTwiceBeyondInterrupted: number;
  maxNodesBelievingActive: number;
  longestWithoutActiveMs: number;
  longestWithoutActiveOutsideDatabaseRestartsMs: number;
  falseFailovers: number;
  /** of those, while the node's path to the database was slow or lossy */
  falseFailoversUnderLatencyOrLoss: number;
  ok: boolean;
  /** for a soak: memory and database size at the start and at the end (added by main) */
  resources?: { start: TResources; samples: TResources[]; end: TResources };
  /** for a soak: each node's resident memory, its largest seen every 10 s (added by main) */
  rssMaxMb?: Record<string, number | null>;
  /** `--spare-node`: the node no process fault touched, so its memory over the whole run shows a leak */
  spare?: {
    node: string;
    pidAtStart: string;
    pidAtEnd: string;
    processFaults: number;
    rssMb: { start: number | null; end: number | null; max: number | null };
  };
  /** `--old-runs`: the history seeded past the retention horizon, and whether the product deleted it */
  retention?: {
    oldRuns: number;
    retentionDays: number;
    seeded: Record<string, TTableCount>;
    prunedAfterSeconds: number | null;
    /** the nodes' own log lines about it: "NODE TIME MESSAGE" */
    log: string[];
  };
};

/** every random choice of this run: faults, nodes, pauses (seeded in main) */
let random = seededRandom(0);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      nodes: { type: 'string', default: '3' },
      seed: { type: 'string' },
      network: { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
      database: { type: 'string', default: 'builtin' },
      'sample-minutes': { type: 'string', default: '10' },
      'spare-node': { type: 'string' },
      'old-runs': { type: 'string', default: '0' },
      'database-fault-first': { type: 'boolean', default: false },
      'min-faults': { type: 'string', default: '0' },
    },
  });
  if (values.database !== 'builtin' && values.database !== 'replicated')
    throw new Error(`--database takes builtin or replicated, not "${values.database}"`);
  const replicated = values.database === 'replicated';
  const seed = values.seed === undefined ? newSeed() : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new Error(`--seed takes a whole number from 0 to ${2 ** 32 - 1}, not "${values.seed}"`);
  random = seededRandom(seed);
  const minutes = Number(values.minutes);
  const nodeCount = Number(values.nodes);
  if (!(minutes > 0) || !Number.isInteger(nodeCount) || nodeCount < 2)
    throw new Error('--minutes must be > 0 and --nodes a whole number ≥ 2');
  const minFaults = Number(values['min-faults']);
  if (!Number.isInteger(minFaults) || minFaults < 0)
    throw new Error(`--min-faults takes a whole number ≥ 0, not "${values['min-faults']}"`);
  const sampleMinutes = Number(values['sample-minutes']);
  if (!(sampleMinutes > 0)) throw new Error(`--sample-minutes must be > 0, not "${values['sample-minutes']}"`);
  const spareIndex = values['spare-node'] === undefined ? undefined : Number(values['spare-node']);
  if (spareIndex !== undefined && !(Number.isInteger(spareIndex) && spareIndex >= 1 && spareIndex <= nodeCount))
    throw new Error(`--spare-node takes a node's number from 1 to ${nodeCount}, not "${values['spare-node']}"`);
  const oldRuns = Number(values['old-runs']);
  if (!(Number.isInteger(oldRuns) && oldRuns >= 0 && oldRuns <= 1_000_000))
    throw new Error(`--old-runs takes a whole number from 0 to 1000000, not "${values['old-runs']}"`);
  if (values.network !== 'auto' && values.network !== 'off')
    throw new Error(`--network takes auto or off, not "${values.network}"`);
  const say = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

  const root = await mkdtemp(path.join(os.tmpdir(), 'orch-chaos-'));
  // under root, the database runs as the postgres user, which must be able to enter this folder
  await chmod(root, 0o755);
  const databaseDir = path.join(root, 'database');
  // SIGINT/SIGTERM (a test that timed out, Ctrl-C) stop the nodes, databases and namespaces below
  handleInterrupts();
  let database: TBuiltInDatabase | undefined = replicated ? undefined : await startBuiltInDatabase({ dataDir: databaseDir });
  const pair: ReplicaPair | undefined = replicated ? await startReplicaPair({ synchronous: true }) : undefined;
  const nodes: BenchNode[] = [];
  let network: ChaosNetwork | undefined;
  const cleanup = async () => {
    await Promise.all(nodes.map((node) => node.kill()));
    await network?.destroy();
    await database?.stop().catch(() => {});
    await pair?.stop();
    await rm(root, { recursive: true, force: true });
  };
  const forget = onInterrupt(cleanup);
  try {
    if (pair) await pair.query(pair.primary, 'CREATE DATABASE orch');
    // replicated: both hosts, the nodes follow whichever is the writable primary
    const url = pair ? pair.url([pair.primary, pair.standby], 'orch') : database!.url;
    await applyMigrations(url);
    const db = createDb(url, { max: 1 });
    await ensureCluster(db, { name: 'chaos', heartbeatIntervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS });
    await db.$disconnect();

    const names = Array.from({ length: nodeCount }, (_, index) => `c${index + 1}`);
    let networkNote = 'off (--network off)';
    if (values.network === 'auto') {
      // each node reaches each database server through a proxy of its own
      const servers = pair
        ? [pair.primary, pair.standby].map((server) => ({ host: '127.0.0.1', port: server.port }))
        : [{ host: new URL(url).hostname, port: Number(new URL(url).port) }];
      const made = await ChaosNetwork.create(names, servers);
      if (typeof made === 'string') networkNote = `none: ${made}`;
      else {
        network = made;
        networkNote = `partition, latency, loss (${made.description})`;
      }
    }
    say(
      network ? `chaos: network faults on: ${networkNote}` : `chaos: no network faults (all nodes on 127.0.0.1): ${networkNote}`,
    );
    for (const [index, name] of names.entries()) {
      nodes.push(
        new BenchNode({
          port: network ? 3000 : await findFreePort(),
          dataDir: path.join(root, `node-${index + 1}`),
          databaseUrl: network ? network.databaseUrlFor(name, url) : url,
          rootPassword: PASSWORD,
          name,
          freezeFile: path.join(root, `node-${index + 1}.freeze`),
          host: network?.host(name),
        }),
      );
    }
    for (const node of nodes) {
      node.start();
      await node.waitForHealth((health) => health.state === 'ACTIVE' || health.state === 'STANDBY', 'up');
    }
    const imported = await fetch(`${nodes[0].url}/api/workflows`, {
      method: 'POST',
      headers: { authorization: AUTH, 'content-type': 'application/json' },
      body: JSON.stringify(WORKFLOW),
      // a node that never answers stops the run with this error instead of stalling it
      signal: AbortSignal.timeout(STARTUP_REQUEST_TIMEOUT_MS),
    });
    if (!imported.ok) throw new Error(`importing the chaos workflow: HTTP ${imported.status} ${await imported.text()}`);
    say(`chaos: seed ${seed} (replay with --seed ${seed})`);
    say(
      `chaos: ${nodeCount} nodes at ${INTERVAL_MS / 1000} s × ${FAILOVER_HEARTBEATS}, ${minutes} min of runs and faults (data in ${root})`,
    );
    // a replicated pair's writable server changes with a failover: the one that is the primary now
    const resourcesUrl = () => (pair ? pair.singleUrl(pair.primary, 'orch') : url);
    const spared = spareIndex === undefined ? undefined : nodes[spareIndex - 1];
    if (spared) say(`chaos: ${spared.label} is spared: no kill, SIGSTOP or restart (network and database faults still reach it)`);
    let seeded: Record<string, TTableCount> | undefined;
    if (oldRuns > 0) {
      // the retention settings at their minimum on every node, as an admin sets them
      for (const node of nodes) {
        const answer = await fetch(`${node.url}/api/config/settings`, {
          method: 'PUT',
          headers: { authorization: AUTH, 'content-type': 'application/json' },
          body: JSON.stringify(RETENTION_SETTINGS),
          // a node that never answers stops the run with this error instead of stalling it
          signal: AbortSignal.timeout(STARTUP_REQUEST_TIMEOUT_MS),
        });
        if (!answer.ok) throw new Error(`setting ${node.label}'s retention: HTTP ${answer.status} ${await answer.text()}`);
      }
      const client = new pg.Client({ connectionString: resourcesUrl() });
      await client.connect();
      try {
        const identity = JSON.parse(readFileSync(path.join(nodes[0].options.dataDir, 'node.json'), 'utf8')) as { id: string };
        await seedOldHistory(client, { runs: oldRuns, workflowName: WORKFLOW.name, nodeId: identity.id });
        seeded = await countWatchedRows(client);
      } finally {
        await client.end();
      }
      say(`chaos: retention set to ${RETENTION_DAYS} day on every node; seeded a history past it: ${describeCounts(seeded)}`);
    }
    const resourcesAtStart = await readResources(nodes, resourcesUrl());
    say(`chaos: at the start: ${describeResources(resourcesAtStart)}`);

    const frozen = new Set<BenchNode>();
    const accepted: string[] = [];
    let refused = 0;
    const startedAt = Date.now();
    // --min-faults may move the end later, up to latestEnd
    let endAt = startedAt + minutes * 60_000;
    const latestEnd = endAt + minutes * 60_000;
    let faulting = true;

    // every 10 s: each node's memory (its largest), and whether the old history is gone yet
    const rssMaxMb: Record<string, number | null> = { ...resourcesAtStart.rssMb };
    let prunedAt: number | undefined = seeded ? undefined : startedAt;
    // what the nodes' pruners said they deleted (or why they could not), from their process logs
    const retentionLog = new Set<string>();
    let watching = true;
    const watch = async () => {
      for (const [label, mb] of Object.entries(readRss(nodes).rssMb))
        if (mb !== null) rssMaxMb[label] = Math.max(rssMaxMb[label] ?? 0, mb);
      for (const node of nodes) for (const line of retentionLines(node.output())) retentionLog.add(`${node.label} ${line}`);
      if (prunedAt !== undefined) return;
      const client = new pg.Client({ connectionString: resourcesUrl(), connectionTimeoutMillis: 5_000 });
      try {
        await client.connect();
        const counts = await countWatchedRows(client);
        if (Object.values(counts).every((count) => count.pastHorizon === 0)) {
          prunedAt = Date.now();
          say(`  ${clock(prunedAt)} retention: nothing older than ${RETENTION_DAYS} day is left: ${describeCounts(counts)}`);
        }
      } catch {
        // the database is down for a fault: the next look sees it
      } finally {
        await client.end().catch(() => {});
      }
    };
    const watcher = (async () => {
      while (watching) {
        await watch();
        const until = Date.now() + WATCH_EVERY_MS;
        while (watching && Date.now() < until) await sleep(500);
      }
    })();

    // a soak's samples in between: a leak shows as growth from sample to sample, not only at the end
    const samples: TResources[] = [];
    const sampling = (async () => {
      for (let next = startedAt + sampleMinutes * 60_000; next < endAt - 30_000; next += sampleMinutes * 60_000) {
        while (Date.now() < next) await sleep(Math.min(1_000, next - Date.now()));
        // the database may be down for a fault right now: then this sample is skipped
        const sample = await readResources(nodes, resourcesUrl()).catch(() => null);
        if (!sample) {
          say(`  ${clock(Date.now())} sample skipped: database unreachable`);
          continue;
        }
        samples.push(sample);
        say(`  ${clock(Date.now())} after ${((Date.now() - startedAt) / 60_000).toFixed(1)} min: ${describeResources(sample)}`);
      }
    })();

    const load = (async () => {
      while (Date.now() < endAt || faulting) {
        const candidates = nodes.filter((node) => node.isRunning() && !frozen.has(node));
        const node = candidates[Math.floor(random() * candidates.length)];
        if (node) {
          const answer = await fetch(`${node.url}/api/workflows/Chaos%20Tick/runs`, {
            method: 'POST',
            headers: { authorization: AUTH, 'content-type': 'application/json' },
            body: JSON.stringify({ inputs: { ticks: 5 } }),
            signal: AbortSignal.timeout(5_000),
          }).catch(() => null);
          // the body can time out after the status arrived (a node frozen mid-answer): then the
          // run may exist unseen, which the drain below still sees in the database, not as lost
          const id =
            answer?.status === 201
              ? await answer
                  .json()
                  .then((body) => (body as { id: string }).id)
                  .catch(() => null)
              : null;
          if (id) accepted.push(id);
          else refused += 1;
        }
        await sleep(SUBMIT_EVERY_MS);
      }
    })();

    const faults: TFault[] = [];
    // one fault of each kind first (so that even a short run sees them all), then at random;
    // network faults, when there are any, take turns with the others from the start
    const processFaults = shuffle<TFault['kind']>(['kill', 'freeze', 'restart', 'claim-freeze']);
    const networkFaults = network ? shuffle<TFault['kind']>(['partition', 'latency', 'loss']) : [];
    const plan: TFault['kind'][] = processFaults.flatMap((kind, index) =>
      networkFaults[index] ? [networkFaults[index], kind] : [kind],
    );
    const databaseFault: TFault['kind'] = replicated ? 'database-failover' : 'database';
    // drawn either way, so that a seed chooses the same other faults with and without --database-fault-first
    const databaseSlot = 1 + Math.floor(random() * 3);
    plan.splice(values['database-fault-first'] ? 0 : databaseSlot, 0, databaseFault);
    let lastDatabaseRestart = 0;
    const pick = (): TFault['kind'] => {
      const planned = plan.shift();
      if (planned) return planned;
      const roll = random();
      if (roll < 0.1 && Date.now() - lastDatabaseRestart > 60_000) return databaseFault;
      if (network && roll >= 0.7) return roll < 0.8 ? 'partition' : roll < 0.9 ? 'latency' : 'loss';
      const rest = network ? roll / 0.7 : roll;
      return rest < 0.4 ? 'kill' : rest < 0.6 ? 'freeze' : rest < 0.8 ? 'claim-freeze' : 'restart';
    };
    for (;;) {
      if (Date.now() >= endAt - 8_000) {
        if (faults.length >= minFaults || Date.now() >= latestEnd - 8_000) break;
        // room for one more fault and the 8 s after it
        endAt = Math.min(latestEnd, Date.now() + 8_000 + 5_000);
        say(`  ${clock(Date.now())} ${faults.length} of the ${minFaults} faults asked for: going on until ${clock(endAt)}`);
      }
      await sleep(2_000 + random() * (minutes > 2 ? 6_000 : 3_000));
      const kind = pick();
      const targets = spared && PROCESS_FAULTS.includes(kind) ? nodes.filter((candidate) => candidate !== spared) : nodes;
      const node = targets[Math.floor(random() * targets.length)];
      const from = Date.now();
      if (kind === 'database-failover' && pair) {
        say(
          `  ${clock(from)} database failover: kill -9 the primary (port ${pair.primary.port}), promote the standby (port ${pair.standby.port})`,
        );
        await pair.killPrimary();
        await sleep(random() * 2_000);
        await pair.promote();
        const promotedAt = Date.now();
        await pair.rebuildOldPrimaryAsStandby();
        say(`  ${clock(Date.now())} old primary rebuilt as the standby of the new one`);
        lastDatabaseRestart = Date.now();
        faults.push({ kind, from, to: promotedAt });
      } else if (kind === 'database' && database) {
        say(`  ${clock(from)} database restart`);
        await database.stop();
        database = undefined;
        await sleep(2_000 + random() * 2_000);
        database = await startBuiltInDatabase({ dataDir: databaseDir });
        lastDatabaseRestart = Date.now();
        faults.push({ kind, from, to: Date.now() });
      } else if (kind === 'kill') {
        say(`  ${clock(from)} kill -9 ${node.label}`);
        await node.kill();
        await sleep(1_000 + random() * 3_000);
        node.start();
        await node.waitForHealth((health) => health.state !== 'STARTING', 'back', 120_000).catch(() => undefined);
        faults.push({ kind, node: node.label, from, to: Date.now() });
      } else if (kind === 'freeze') {
        say(`  ${clock(from)} SIGSTOP ${node.label}`);
        frozen.add(node);
        node.killGroup('SIGSTOP');
        await sleep(WINDOW_MS + 500 + random() * 2_000);
        node.killGroup('SIGCONT');
        frozen.delete(node);
        faults.push({ kind, node: node.label, from, to: Date.now() });
      } else if (kind === 'claim-freeze') {
        // freeze the active; the standby that claims its slot freezes itself right after sending the claim
        const states = await Promise.all(nodes.map((candidate) => readHealthState(candidate)));
        const active = nodes.find((_, index) => states[index] === 'ACTIVE');
        // a spared node is neither frozen as the active nor armed as a standby
        const standbys = nodes.filter((candidate, index) => states[index] === 'STANDBY' && candidate !== spared);
        if (!active || active === spared || standbys.length === 0) continue;
        say(`  ${clock(from)} SIGSTOP ${active.label}, then freeze inside the next claim`);
        for (const standby of standbys) writeFileSync(standby.options.freezeFile!, 'claim');
        frozen.add(active);
        active.killGroup('SIGSTOP');
        const claimer = await waitForFrozen(standbys, 2 * WINDOW_MS + 5_000);
        for (const standby of standbys) rmSync(standby.options.freezeFile!, { force: true });
        // another armed standby may have sent a claim of its own (and frozen) at the same moment
        const alsoFrozen = standbys.filter((standby) => standby !== claimer && isFrozen(standby));
        const frozenAt = Date.now();
        if (claimer) {
          frozen.add(claimer);
          say(`  ${clock(frozenAt)} ${claimer.label} froze inside its claim`);
        }
        await sleep(WINDOW_MS + 500 + random() * 2_000);
        active.killGroup('SIGCONT');
        claimer?.killGroup('SIGCONT');
        for (const standby of alsoFrozen) standby.killGroup('SIGCONT');
        frozen.delete(active);
        if (claimer) frozen.delete(claimer);
        faults.push({ kind: 'freeze', node: active.label, from, to: Date.now() });
        if (claimer) faults.push({ kind: 'claim-freeze', node: claimer.label, from: frozenAt, to: Date.now() });
      } else if (network && kind === 'partition') {
        say(`  ${clock(from)} partition ${node.label} (link down)`);
        frozen.add(node);
        await network.partition(node.label, true);
        await sleep(WINDOW_MS + 500 + random() * 3_000);
        await network.partition(node.label, false);
        frozen.delete(node);
        faults.push({ kind, node: node.label, from, to: Date.now() });
      } else if (network && kind === 'latency') {
        const lasts = 8_000 + random() * 8_000;
        say(`  ${clock(from)} latency ${node.label} ↔ database +${LATENCY_MS} ms ± ${JITTER_MS} ms for ${seconds(lasts)}`);
        network.latency(node.label, true);
        await sleep(lasts);
        network.latency(node.label, false);
        faults.push({ kind, node: node.label, from, to: Date.now() });
      } else if (network && kind === 'loss') {
        const lasts = 8_000 + random() * 8_000;
        say(`  ${clock(from)} loss ${node.label} ↔ database ${LOSS * 100} % for ${seconds(lasts)}`);
        await network.loss(node.label, true);
        await sleep(lasts);
        await network.loss(node.label, false);
        faults.push({ kind, node: node.label, from, to: Date.now() });
      } else {
        say(`  ${clock(from)} restart ${node.label}`);
        await node.stop();
        node.start();
        await node.waitForHealth((health) => health.state !== 'STARTING', 'back', 120_000).catch(() => undefined);
        faults.push({ kind, node: node.label, from, to: Date.now() });
      }
    }
    faulting = false;
    await load;
    await sampling;
    say(`chaos: faults over; waiting for ${accepted.length} accepted runs to finish`);

    const client = new pg.Client({ connectionString: resourcesUrl() });
    await client.connect();
    const readRuns = async () => (await client.query<{ id: string; status: string }>('SELECT id, status FROM workflow_run')).rows;
    const drainUntil = Date.now() + DRAIN_TIMEOUT_MS;
    let runs = await readRuns();
    while (runs.some((run) => run.status === 'PENDING' || run.status === 'RUNNING') && Date.now() < drainUntil) {
      await sleep(1_000);
      runs = await readRuns();
    }
    const resumes = (
      await client.query<{ run_id: string; count: number }>(
        `SELECT run_id, count(*)::int AS count FROM workflow_run_event WHERE kind = 'RESUMED' GROUP BY run_id`,
      )
    ).rows;
    await client.end();
    // the run pruner looks once a minute: the old history may outlast the faults by that much
    const retentionUntil = Date.now() + RETENTION_WAIT_MS;
    while (prunedAt === undefined && Date.now() < retentionUntil) await sleep(1_000);
    watching = false;
    await watcher;
    await watch();
    const resourcesAtEnd = await readResources(nodes, resourcesUrl());
    say(`chaos: at the end:   ${describeResources(resourcesAtEnd)}`);

    const report: TChaosReport = {
      ...analyse({ seed, minutes, nodes, network: networkNote, faults, accepted, refused, runs, resumes }),
      resources: { start: resourcesAtStart, samples, end: resourcesAtEnd },
      rssMaxMb,
    };
    if (spared) {
      report.spare = {
        node: spared.label,
        pidAtStart: resourcesAtStart.pid[spared.label] ?? '',
        pidAtEnd: resourcesAtEnd.pid[spared.label] ?? '',
        processFaults: faults.filter((fault) => fault.node === spared.label && PROCESS_FAULTS.includes(fault.kind)).length,
        rssMb: {
          start: resourcesAtStart.rssMb[spared.label],
          end: resourcesAtEnd.rssMb[spared.label],
          max: rssMaxMb[spared.label],
        },
      };
    }
    if (seeded) {
      report.retention = {
        oldRuns,
        retentionDays: RETENTION_DAYS,
        seeded,
        prunedAfterSeconds: prunedAt === undefined ? null : Math.round((prunedAt - startedAt) / 1000),
        log: [...retentionLog].sort((a, b) => a.slice(a.indexOf(' ')).localeCompare(b.slice(b.indexOf(' ')))),
      };
      // the history past the horizon must be gone: otherwise retention does not work
      if (prunedAt === undefined) report.ok = false;
    }
    if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else printReport(report);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    forget();
    await cleanup();
  }
}

function analyse(input: {
  seed: number;
  minutes: number;
  nodes: BenchNode[];
  network: string;
  faults: TFault[];
  accepted: string[];
  refused: number;
  runs: { id: string; status: string }[];
  resumes: { run_id: string; count: number }[];
}): TChaosReport {
  const { nodes, faults, accepted, runs } = input;
  const byId = new Map(runs.map((run) => [run.id, run.status]));
  const lost = runs.filter((run) => run.status !== 'COMPLETED').length + accepted.filter((id) => !byId.has(id)).length;

  // every execution of the "tick" element leaves one system-log line on the node that ran it
  const executions = new Map<string, number>();
  for (const node of nodes) {
    const file = path.join(node.options.dataDir, SYSTEM_LOG_FILE);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const entry = JSON.parse(line) as { runId: string | null; message: string };
      if (entry.runId && entry.message.startsWith('tick '))
        executions.set(`${entry.runId} ${entry.message}`, (executions.get(`${entry.runId} ${entry.message}`) ?? 0) + 1);
    }
  }
  const extraByRun = new Map<string, number>();
  for (const [key, count] of executions) {
    const runId = key.split(' ')[0];
    extraByRun.set(runId, (extraByRun.get(runId) ?? 0) + count - 1);
  }
  const resumed = new Map(input.resumes.map((row) => [row.run_id, row.count]));
  let reExecuted = 0;
  let beyond = 0;
  for (const [runId, extra] of extraByRun) {
    reExecuted += extra;
    // each takeover may run the one element that was interrupted again, no more
    beyond += Math.max(0, extra - (resumed.get(runId) ?? 0));
  }

  const records: TBeliefRecord[] = nodes.flatMap((node) => {
    const file = path.join(node.options.dataDir, BELIEF_LOG_FILE);
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as TBeliefRecord)
      : [];
  });
  const nodeIds = new Map<string, string>();
  for (const node of nodes) {
    const identity = path.join(node.options.dataDir, 'node.json');
    if (existsSync(identity)) nodeIds.set((JSON.parse(readFileSync(identity, 'utf8')) as { id: string }).id, node.label);
  }
  // a killed or frozen node, and every node while the database is down, does no active work from
  // that moment on, whatever it believed: its active period ends there for the "no active node" figure
  const working = activePeriods(records).map((period) => {
    const stop = faults.find(
      (fault) =>
        (isDatabaseFault(fault) ||
          ((fault.kind === 'kill' || fault.kind === 'freeze' || fault.kind === 'claim-freeze' || fault.kind === 'partition') &&
            fault.node === nodeIds.get(period.node))) &&
        fault.from >= period.from &&
        fault.from < period.to,
    );
    return stop ? { ...period, to: stop.from } : period;
  });
  const periods = activePeriods(records);
  const start = Math.min(...periods.map((period) => period.from));
  const end = Math.max(...faults.map((fault) => fault.to), start);
  const databaseFaults = faults.filter(isDatabaseFault);
  const longest = (exclude: TFault[]) => longestGap(working, start, end, exclude);

  // a node that gave up its slot although nothing happened to it or to the database (latency and
  // loss on its path to the database do not count as happening: they must not cost a failover)
  const during = (fault: TFault, label: string | undefined, at: number) =>
    (isDatabaseFault(fault) || fault.node === label) && at >= fault.from - INTERVAL_MS && at <= fault.to + SETTLE_MS;
  const disturbed = (label: string | undefined, at: number) =>
    faults.some((fault) => !HARMLESS.includes(fault.kind) && during(fault, label, at));
  const gaveUp = records.filter((record) => record.t === 'end' && (record.reason === 'fenced' || record.reason === 'lost'));
  const falseOnes = gaveUp.filter((record) => !disturbed(nodeIds.get(record.node), record.at));
  const underLatencyOrLoss = falseOnes.filter((record) =>
    faults.some((fault) => HARMLESS.includes(fault.kind) && during(fault, nodeIds.get(record.node), record.at)),
  );

  const count = (kind: TFault['kind']) => faults.filter((fault) => fault.kind === kind).length;
  const maxActive = maxConcurrentActive(periods);
  return {
    seed: input.seed,
    minutes: input.minutes,
    nodes: nodes.length,
    network: input.network,
    faults: {
      kill: count('kill'),
      freeze: count('freeze'),
      restart: count('restart'),
      database: count('database'),
      'claim-freeze': count('claim-freeze'),
      partition: count('partition'),
      latency: count('latency'),
      loss: count('loss'),
      'database-failover': count('database-failover'),
    },
    runsAccepted: accepted.length,
    runsCompleted: runs.filter((run) => run.status === 'COMPLETED').length,
    runsLost: lost,
    submissionsRefused: input.refused,
    elementsReExecuted: reExecuted,
    elementsExecutedTwiceBeyondInterrupted: beyond,
    maxNodesBelievingActive: maxActive,
    longestWithoutActiveMs: Math.round(longest([])),
    longestWithoutActiveOutsideDatabaseRestartsMs: Math.round(longest(databaseFaults)),
    falseFailovers: falseOnes.length,
    falseFailoversUnderLatencyOrLoss: underLatencyOrLoss.length,
    ok: lost === 0 && beyond === 0 && maxActive <= ACTIVE_NODES,
  };
}

/** The longest stretch in [start, end] covered by no active period, ignoring stretches that overlap an excluded fault. */
function longestGap(periods: { from: number; to: number }[], start: number, end: number, exclude: TFault[]): number {
  const sorted = [...periods].sort((a, b) => a.from - b.from);
  let coveredUntil = start;
  let longest = 0;
  const consider = (from: number, to: number) => {
    if (to <= from) return;
    if (exclude.some((fault) => from <= fault.to + SETTLE_MS && to >= fault.from)) return;
    longest = Math.max(longest, to - from);
  };
  for (const period of sorted) {
    if (period.from > coveredUntil) consider(coveredUntil, Math.min(period.from, end));
    coveredUntil = Math.max(coveredUntil, period.to);
    if (coveredUntil >= end) break;
  }
  if (coveredUntil < end) consider(coveredUntil, end);
  return longest;
}

/**
 * What a soak watches for leaks: each node server's resident memory (a node restarted by a fault
 * starts again from nothing), the database's size with its largest tables and their live rows
 * (PostgreSQL's estimate), and the machine's load average (the machine may be shared).
 */
type TResources = {
  /** each node server's process id: the same at the start and the end when nothing restarted it */
  pid: Record<string, string | null>;
  rssMb: Record<string, number | null>;
  /** how long each node server has been running: a fault's restart starts its memory again */
  upMinutes: Record<string, number | null>;
  databaseMb: number;
  tablesMb: Record<string, number>;
  tableRows: Record<string, number>;
  /** the tables retention keeps bounded: exact rows, rows past the horizon, size in MB */
  watched: Record<string, TTableCount & { mb: number }>;
  loadAverage: number[];
};

function readRss(nodes: BenchNode[]): Pick<TResources, 'pid' | 'rssMb' | 'upMinutes'> {
  const pids: Record<string, string | null> = {};
  const rssMb: Record<string, number | null> = {};
  const upMinutes: Record<string, number | null> = {};
  const ticksPerSecond = 100; // USER_HZ on Linux
  const bootedSecondsAgo = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  for (const node of nodes) {
    const pidFile = path.join(node.options.dataDir, 'run', 'server.pid');
    const pid = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '';
    const status = pid && existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
    pids[node.label] = status ? pid : null;
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    rssMb[node.label] = kb ? Math.round(Number(kb) / 1024) : null;
    const stat = pid && existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    // field 22 (starttime, in ticks since boot), counted after the command name's closing parenthesis
    const startTicks = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]) : Number.NaN;
    upMinutes[node.label] = Number.isFinite(startTicks)
      ? Math.round((bootedSecondsAgo - startTicks / ticksPerSecond) / 6) / 10
      : null;
  }
  return { pid: pids, rssMb, upMinutes };
}

async function readResources(nodes: BenchNode[], url: string): Promise<TResources> {
  const memory = readRss(nodes);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const mb = (bytes: string) => Math.round(Number(bytes) / 1024 / 102.4) / 10;
    const size = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes');
    const tables = await client.query<{ name: string; bytes: string; rows: string }>(
      `SELECT relname AS name, pg_total_relation_size(relid)::text AS bytes, n_live_tup::text AS rows
         FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT 8`,
    );
    const counts = await countWatchedRows(client);
    const sizes = await client.query<{ name: string; bytes: string }>(
      `SELECT relname AS name, pg_total_relation_size(relid)::text AS bytes FROM pg_stat_user_tables WHERE relname = ANY($1)`,
      [Object.keys(counts)],
    );
    const sizeOf = new Map(sizes.rows.map((row) => [row.name, mb(row.bytes)]));
    return {
      ...memory,
      databaseMb: mb(size.rows[0].bytes),
      watched: Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, { ...count, mb: sizeOf.get(name) ?? 0 }])),
      tablesMb: Object.fromEntries(tables.rows.map((row) => [row.name, mb(row.bytes)])),
      tableRows: Object.fromEntries(tables.rows.map((row) => [row.name, Number(row.rows)])),
      loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    };
  } finally {
    await client.end();
  }
}

function describeResources(resources: TResources): string {
  const rss = Object.entries(resources.rssMb)
    .map(([label, value]) => `${label} ${value ?? '–'} MB (up ${resources.upMinutes[label] ?? '–'} min)`)
    .join(', ');
  const watched = Object.entries(resources.watched)
    .map(([name, table]) => `${name} ${table.rows} rows (${table.pastHorizon} past ${RETENTION_DAYS} d) ${table.mb} MB`)
    .join(', ');
  const others = Object.entries(resources.tablesMb)
    .filter(([name]) => !(name in resources.watched))
    .map(([name, value]) => `${name} ${value} MB/~${resources.tableRows[name] ?? '?'} rows`)
    .join(', ');
  return `node RSS ${rss}; database ${resources.databaseMb} MB: ${watched}; also ${others}; load average ${resources.loadAverage.join(' ')}`;
}

/** A node's process-log lines about pruning, as "TIME MESSAGE" (the log is JSON lines; a plain line is taken whole). */
function retentionLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => /pruned \d+ finished run|retention: deleted|retention pruning failed/.test(line))
    .map((line) => {
      try {
        const entry = JSON.parse(line) as { time?: number | string; msg?: string };
        return `${entry.time === undefined ? '' : clock(new Date(entry.time).getTime())} ${entry.msg ?? line}`;
      } catch {
        return line;
      }
    });
}

function describeCounts(counts: Record<string, TTableCount>): string {
  return Object.entries(counts)
    .map(([name, count]) => `${name} ${count.rows} rows (${count.pastHorizon} past ${RETENTION_DAYS} d)`)
    .join(', ');
}

/** The soak's figures: per table and per node, at the start, at each sample and at the end. */
function printSoak(report: TChaosReport): void {
  const { start, samples, end } = report.resources!;
  const moments: [string, TResources][] = [
    ['start', start],
    ...samples.map((sample, index): [string, TResources] => [`sample ${index + 1}`, sample]),
    ['end', end],
  ];
  const table = (header: string[], rows: string[][]) => {
    const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
    for (const row of [header, ...rows])
      console.log(
        row
          .map((cell, column) => cell.padEnd(widths[column]))
          .join('  ')
          .trimEnd(),
      );
  };
  console.log('\nsoak: tables (exact rows / rows past the retention horizon / MB with indexes and TOAST)');
  const names = Object.keys(start.watched);
  table(
    ['moment', 'database MB', ...names, 'load average'],
    moments.map(([label, at]) => [
      label,
      String(at.databaseMb),
      ...names.map((name) =>
        at.watched[name] ? `${at.watched[name].rows} / ${at.watched[name].pastHorizon} / ${at.watched[name].mb}` : '–',
      ),
      at.loadAverage.join(' '),
    ]),
  );
  console.log('\nsoak: node server RSS in MB (uptime in minutes; a restarted node starts again from nothing)');
  const labels = Object.keys(start.rssMb);
  table(
    ['moment', ...labels],
    moments.map(([label, at]) => [label, ...labels.map((node) => `${at.rssMb[node] ?? '–'} (up ${at.upMinutes[node] ?? '–'})`)]),
  );
  if (report.rssMaxMb)
    console.log(
      `largest RSS seen (every ${WATCH_EVERY_MS / 1000} s): ${labels.map((node) => `${node} ${report.rssMaxMb![node] ?? '–'} MB`).join(', ')}`,
    );
  if (report.spare) {
    const { node, pidAtStart, pidAtEnd, processFaults, rssMb } = report.spare;
    console.log(
      `spared node ${node}: RSS start ${rssMb.start ?? '–'} MB, end ${rssMb.end ?? '–'} MB, max ${rssMb.max ?? '–'} MB; process ${pidAtStart} → ${pidAtEnd} (${pidAtStart === pidAtEnd ? 'one process throughout' : 'RESTARTED'}), ${processFaults} process faults on it`,
    );
  }
  if (report.retention) {
    const { oldRuns, retentionDays, prunedAfterSeconds } = report.retention;
    console.log(
      prunedAfterSeconds === null
        ? `retention: the ${oldRuns} seeded runs (and audit entries, events) older than ${retentionDays} d were NOT all deleted`
        : `retention: the ${oldRuns} seeded runs, their events and log lines, audit entries and cluster events older than ${retentionDays} d were deleted ${prunedAfterSeconds} s after the faults began`,
    );
    for (const line of report.retention.log) console.log(`  ${line}`);
  }
}

function printReport(report: TChaosReport): void {
  const rows: [string, string, string][] = [
    ['seed', String(report.seed), 'replay with --seed'],
    [
      'faults',
      `${report.faults.kill} kill -9, ${report.faults.freeze} SIGSTOP, ${report.faults['claim-freeze']} frozen inside a claim, ${report.faults.restart} restarts, ${report.faults.database} database restarts, ${report.faults['database-failover']} database failovers`,
      '',
    ],
    [
      'network faults',
      `${report.faults.partition} partitions, ${report.faults.latency} × latency, ${report.faults.loss} × loss`,
      report.network,
    ],
    ['runs accepted / completed', `${report.runsAccepted} / ${report.runsCompleted}`, ''],
    ['runs lost', String(report.runsLost), report.runsLost === 0 ? 'ok (goal 0)' : 'VIOLATED (goal 0)'],
    ['elements re-run after a takeover', String(report.elementsReExecuted), 'allowed: the interrupted element'],
    [
      'elements executed twice beyond interrupted ones',
      String(report.elementsExecutedTwiceBeyondInterrupted),
      report.elementsExecutedTwiceBeyondInterrupted === 0 ? 'ok (goal 0)' : 'VIOLATED (goal 0)',
    ],
    [
      'most nodes believing themselves active at once',
      String(report.maxNodesBelievingActive),
      report.maxNodesBelievingActive <= ACTIVE_NODES ? `ok (at most ${ACTIVE_NODES})` : `VIOLATED (at most ${ACTIVE_NODES})`,
    ],
    ['longest time without an active node', seconds(report.longestWithoutActiveMs), 'includes database restarts'],
    [
      '  … outside database restarts',
      seconds(report.longestWithoutActiveOutsideDatabaseRestartsMs),
      `window ${seconds(WINDOW_MS)}`,
    ],
    ['false failovers of live nodes', String(report.falseFailovers), ''],
    [
      '  … with latency or loss to the database',
      String(report.falseFailoversUnderLatencyOrLoss),
      `+${LATENCY_MS} ± ${JITTER_MS} ms, ${LOSS * 100} % loss`,
    ],
    ['run submissions refused (node down or frozen)', String(report.submissionsRefused), 'not runs: never accepted'],
  ];
  if (report.retention)
    rows.push([
      'history past the retention horizon',
      report.retention.prunedAfterSeconds === null ? 'left' : 'deleted',
      report.retention.prunedAfterSeconds === null ? 'VIOLATED (goal: deleted)' : 'ok (goal: deleted)',
    ]);
  const width = Math.max(...rows.map((row) => row[0].length));
  for (const [label, value, note] of rows) console.log(`${label.padEnd(width)}  ${value.padEnd(14)}  ${note}`);
  if (report.resources) printSoak(report);
  console.log(report.ok ? 'chaos: every guarantee held' : 'chaos: a guarantee was VIOLATED');
}

async function readHealthState(node: BenchNode): Promise<string | undefined> {
  const answer = await fetch(`${node.url}/api/health`, { signal: AbortSignal.timeout(1_000) }).catch(() => null);
  return answer?.ok ? ((await answer.json()) as { state: string }).state : undefined;
}

/** The first of NODES whose server process is stopped (it froze itself at its armed point), or undefined. */
async function waitForFrozen(nodes: BenchNode[], withinMs: number): Promise<BenchNode | undefined> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const found = nodes.find(isFrozen);
    if (found) return found;
    await sleep(20);
  }
  return undefined;
}

function isFrozen(node: BenchNode): boolean {
  const pidFile = path.join(node.options.dataDir, 'run', 'server.pid');
  const pid = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : '';
  const stat = pid && existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
}

function shuffle<T>(items: T[]): T[] {
  return items
    .map((item) => ({ item, key: random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

const clock = (at: number) => new Date(at).toISOString().slice(11, 19);

await main();
