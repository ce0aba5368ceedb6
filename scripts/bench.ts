/**
 * `npm run bench`: the figures the issues ask for, measured on real node processes against a
 * production build. For now: node start-up (fresh and warm), and API latency.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inheritedEnv } from '@/lib/env';
import { PROJECT_ROOT } from '@/lib/node/paths';
import { findFreePort } from '@/lib/node/ports';
import { ensureBuild } from './cli/demo';

const ORCHCTL = path.join(PROJECT_ROOT, 'bin', 'orchctl.mjs');
const PASSWORD = 'bench-root-password';

function startNode(port: number, dataDir: string): ChildProcess {
  return spawn(process.execPath, [ORCHCTL, 'node', 'start', '--port', String(port), '--data-dir', dataDir], {
    stdio: 'ignore',
    env: inheritedEnv({ ORCH_ROOT_PASSWORD: PASSWORD }),
  });
}

async function msUntilHealthy(url: string, startedAt: number): Promise<number> {
  for (;;) {
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return Date.now() - startedAt;
    if (Date.now() - startedAt > 120_000) throw new Error('node did not become healthy within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(label: string, count: number, request: () => Promise<Response>): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const response = await request();
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${label}: HTTP ${response.status}`);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const fmt = (value: number) => `${value.toFixed(2)} ms`;
  console.log(`  ${label.padEnd(38)} n=${count}  p50 ${fmt(percentile(samples, 50))}  p95 ${fmt(percentile(samples, 95))}  max ${fmt(samples.at(-1)!)}`);
}

async function main(): Promise<void> {
  ensureBuild();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-'));
  const port = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  console.log(`Orchestrator Control Center benchmarks (${os.cpus().length} cores, Node ${process.version})`);

  console.log('node start-up, built-in database (orchctl node start → /api/health answers):');
  let node = startNode(port, dataDir);
  console.log(`  fresh data directory (initdb, migrate, root)  ${await msUntilHealthy(url, Date.now())} ms`);
  await stop(node);
  const warmStart = Date.now();
  node = startNode(port, dataDir);
  console.log(`  existing data directory                       ${await msUntilHealthy(url, warmStart)} ms`);

  try {
    const created = await fetch(`${url}/api/tokens`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    const { token } = (await created.json()) as { token: string };
    console.log('API latency, sequential requests on one node:');
    await latency('GET /api/health (no auth)', 500, () => fetch(`${url}/api/health`));
    await latency('GET /api/cluster (bearer token)', 500, () => fetch(`${url}/api/cluster`, { headers: { authorization: `Bearer ${token}` } }));
    await latency('GET /api/users (bearer token)', 200, () => fetch(`${url}/api/users`, { headers: { authorization: `Bearer ${token}` } }));
  } finally {
    await stop(node);
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
