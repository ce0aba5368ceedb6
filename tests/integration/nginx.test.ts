/**
 * Debian's nginx with the repository's configuration (deploy/nginx/orchestrator.conf) in front of
 * two real nodes: requests through nginx keep being served across a failover (kill -9 of the
 * active node), failing for no longer than the failover window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@/lib/node/ports';
import { createTestDatabase } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, ROOT, seedCluster, startNodes } from '../helpers/cluster';

const NGINX = '/usr/sbin/nginx';
const CONFIG = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'nginx', 'orchestrator.conf');
const WINDOW_MS = 2_000;
let nodes: NodeProcess[];
let nginx: ChildProcess;
let base: string;

/** The repository's server configuration with this test's ports, inside a minimal nginx.conf. */
function nginxConfig(prefix: string, port: number): string {
  const site = readFileSync(CONFIG, 'utf8')
    .replace(/^\s*server 127\.0\.0\.1:\d+ .*$/gm, '')
    .replace('upstream orchestrator {', `upstream orchestrator {\n${nodes.map((node) => `    server 127.0.0.1:${node.port} max_fails=1 fail_timeout=2s;`).join('\n')}`)
    .replace(/listen \d+;/, `listen 127.0.0.1:${port};`);
  return `
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
${site}
}`;
}

beforeAll(async () => {
  expect(existsSync(NGINX), 'nginx from Debian\'s packages is needed (.ci/run installs it)').toBe(true);
  const databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  nodes = await startNodes(databaseUrl, 2);
  await pollUntil(async () => (await health(nodes[0]))?.state === 'ACTIVE', { what: 'n1 active' });
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'orch-nginx-'));
  for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(prefix, dir));
  const port = await findFreePort();
  writeFileSync(path.join(prefix, 'nginx.conf'), nginxConfig(prefix, port));
  nginx = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: 'inherit' });
  base = `http://127.0.0.1:${port}`;
  await pollUntil(async () => (await fetch(`${base}/api/health`)).ok, { what: 'nginx to answer' });
});
afterAll(async () => {
  nginx?.kill('SIGTERM');
  await stopAllNodes();
});

describe('nginx in front of the cluster', () => {
  it('keeps serving across a failover, failing for no longer than the window', async () => {
    const failures: number[] = [];
    let served = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        const at = Date.now();
        const ok = await fetch(`${base}/api/cluster`, { headers: { authorization: ROOT }, signal: AbortSignal.timeout(5_000) })
          .then((response) => response.ok)
          .catch(() => false);
        if (ok) served += 1;
        else failures.push(at);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await pollUntil(() => served > 20, { what: 'traffic through nginx' });
    nodes[0].killGroup('SIGKILL');
    await pollUntil(async () => (await health(nodes[1]))?.state === 'ACTIVE', { what: 'n2 to take over', timeoutMs: 10_000 });
    const servedAtTakeover = served;
    await pollUntil(() => served > servedAtTakeover + 20, { what: 'traffic after the failover' });
    running = false;
    await load;
    const failingForMs = failures.length === 0 ? 0 : failures[failures.length - 1] - failures[0];
    expect(failingForMs).toBeLessThanOrEqual(WINDOW_MS);
    // and through nginx the cluster now answers with n2 active
    const status = await (await fetch(`${base}/api/cluster`, { headers: { authorization: ROOT } })).json();
    expect(status.nodes.find((node: { name: string }) => node.name === 'n2').state).toBe('ACTIVE');
  });
});
