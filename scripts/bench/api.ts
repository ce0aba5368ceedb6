/**
 * Node start-up (fresh and warm data directory) and API latency, on one real node running on its
 * built-in database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '@/lib/node/ports';
import { BenchNode } from './bench-node';
import { onInterrupt } from './interrupt';
import { ms, summarize } from './stats';

const PASSWORD = 'bench-root-password';

async function latency(label: string, count: number, request: () => Promise<Response>): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const response = await request();
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${label}: HTTP ${response.status}`);
    samples.push(performance.now() - started);
  }
  const summary = summarize(samples);
  console.log(`  ${label.padEnd(38)} n=${count}  p50 ${ms(summary.p50)}  p95 ${ms(summary.p95)}  max ${ms(summary.max)}`);
}

async function msUntilHealthy(node: BenchNode): Promise<number> {
  const startedAt = performance.now();
  node.start();
  await node.waitForHealth(() => true, 'answering /api/health');
  return Math.round(performance.now() - startedAt);
}

export async function runApiBench(): Promise<void> {
  console.log('== node start-up and API latency: one node on its built-in database ==');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-'));
  const node = new BenchNode({ port: await findFreePort(), dataDir, rootPassword: PASSWORD });
  const removeDataDir = () => rm(dataDir, { recursive: true, force: true });
  const forget = onInterrupt(removeDataDir);
  try {
    console.log('node start-up, built-in database (orchctl node start → /api/health answers):');
    console.log(`  fresh data directory (initdb, migrate, root)  ${await msUntilHealthy(node)} ms`);
    await node.stop();
    console.log(`  existing data directory                       ${await msUntilHealthy(node)} ms`);

    const created = await fetch(`${node.url}/api/tokens`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`root:${PASSWORD}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'bench' }),
    });
    if (!created.ok) throw new Error(`POST /api/tokens: HTTP ${created.status}`);
    const { token } = (await created.json()) as { token: string };
    const bearer = { headers: { authorization: `Bearer ${token}` } };
    console.log('API latency, sequential requests on one node:');
    await latency('GET /api/health (no auth)', 500, () => fetch(`${node.url}/api/health`));
    await latency('GET /api/cluster (bearer token)', 500, () => fetch(`${node.url}/api/cluster`, bearer));
    await latency('GET /api/users (bearer token)', 200, () => fetch(`${node.url}/api/users`, bearer));
  } finally {
    await node.stop();
    forget();
    await removeDataDir();
  }
}
