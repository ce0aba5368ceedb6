/**
 * A hostile or mistaken seed cannot take over a joining node, and a hostile configuration
 * version in the shared database cannot write outside any node's data directory. Each test is
 * named for the attack; every refusal leaves the joining node standalone with nothing written.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFingerprint, type TConfigDocument } from '@/lib/config/document';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { health, seedCluster } from '../helpers/cluster';

const B_ROOT = 'b-local-root-password';
const bLocal = basicAuth('root', B_ROOT);
let databaseUrl: string;
let seed: NodeProcess; // A: a member of the cluster
let member: NodeProcess; // C: another member
let joiner: NodeProcess; // B: standalone on its built-in database
let realInfo: Record<string, unknown>;
let realBundle: Record<string, unknown>;

type TRecorded = { method: string; url: string; authorization?: string; body: string };

/** A loopback HTTP server a test scripts by hand; it records every request it gets. */
async function listener(handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const requests: TRecorded[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      handle(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const json = (res: http.ServerResponse, value: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

/** A stand-in seed: answers join-info and join-bundle with what the test gives, or A's real answers. */
function fakeSeed(answers: { info?: unknown; bundle?: unknown }) {
  return listener((req, res) => {
    if (req.url === '/api/cluster/join-info') return json(res, answers.info ?? { ...realInfo, nodeId: crypto.randomUUID() });
    if (req.url === '/api/cluster/join-bundle') return json(res, answers.bundle ?? realBundle);
    json(res, { error: { message: 'not found' } }, 404);
  });
}

async function post(node: NodeProcess, route: string, auth: string, body: unknown) {
  const response = await fetch(`${node.url}${route}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const previewOnB = (seedUrl: string) =>
  post(joiner, '/api/cluster/join-preview', bLocal, { seedUrl, user: 'root', password: ROOT_PASSWORD });

async function expectStillStandalone(): Promise<void> {
  expect((await health(joiner))?.clusterId).toBeNull();
  expect(existsSync(path.join(joiner.dataDir, 'cluster.json'))).toBe(false);
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: 500, failoverHeartbeats: 4 });
  [seed, member, joiner] = await Promise.all([
    startNode({ databaseUrl, name: 'A' }),
    startNode({ databaseUrl, name: 'C' }),
    startNode({ name: 'B', env: { ORCH_ROOT_PASSWORD: B_ROOT } }),
  ]);
  realInfo = await (await fetch(`${seed.url}/api/cluster/join-info`)).json();
  // A's real bundle, as a hostile seed that knows the cluster would have it
  const issued = await post(seed, '/api/cluster/join-bundle', '', {
    node: { id: crypto.randomUUID(), name: 'probe', url: 'http://127.0.0.1:1', version: realInfo.version },
    credentials: { user: 'root', password: ROOT_PASSWORD },
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  realBundle = issued.body;
});
afterAll(stopAllNodes);

describe('the join client does not follow a seed elsewhere', () => {
  it('a seed answering 307 to another local port gets no second request with the password', async () => {
    const elsewhere = await listener((_req, res) => json(res, realBundle));
    const redirecting = await listener((req, res) => {
      if (req.url === '/api/cluster/join-info') return json(res, { ...realInfo, nodeId: crypto.randomUUID() });
      res.writeHead(307, { location: `${elsewhere.url}/api/cluster/join-bundle` });
      res.end();
    });
    const answer = await previewOnB(redirecting.url);
    expect(answer.status, JSON.stringify(answer.body)).toBe(422);
    expect(answer.body.error.message).toMatch(/^the seed node answered with a redirect \(HTTP 307\), which a join never follows/);
    expect(redirecting.requests.map((request) => request.url)).toEqual(['/api/cluster/join-info', '/api/cluster/join-bundle']);
    expect(elsewhere.requests).toEqual([]);
    await expectStillStandalone();
    redirecting.close();
    elsewhere.close();
  });

  it('a seed answering 302 for its join information gets the join refused before any credential is sent', async () => {
    const elsewhere = await listener((_req, res) => json(res, realInfo));
    const redirecting = await listener((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/api/cluster/join-info` });
      res.end();
    });
    const answer = await previewOnB(redirecting.url);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ field: 'seedUrl' });
    expect(answer.body.error.message).toMatch(/redirect \(HTTP 302\)/);
    expect(elsewhere.requests).toEqual([]);
    expect(redirecting.requests.every((request) => !request.body.includes(ROOT_PASSWORD))).toBe(true);
    await expectStillStandalone();
    redirecting.close();
    elsewhere.close();
  });
});

describe('the join client caps what a seed can make it read', () => {
  it('a seed answering with a 50 MB body is cut off past 1 MiB with a clear error', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const flooding = await listener((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"padding":"');
      const pump = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end('"}');
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    const startedAt = Date.now();
    const answer = await previewOnB(flooding.url);
    expect(answer.status).toBe(422);
    expect(answer.body.error.message).toBe("the seed node's answer is larger than 1 MiB, more than a join needs; it was cut off");
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(sent).toBeLessThan(50 * 1024 * 1024); // the client stopped reading: the rest was never sent
    await expectStillStandalone();
    flooding.close();
  });

  it('a seed that never finishes its answer is cut off within 10 s', async () => {
    const hanging = await listener((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"nodeId":'); // and nothing more, ever
    });
    const startedAt = Date.now();
    const answer = await previewOnB(hanging.url);
    const took = Date.now() - startedAt;
    expect(answer.status).toBe(502);
    expect(answer.body.error.message).toBe(`the seed node at ${hanging.url} cannot be reached (no complete answer within 10 s)`);
    expect(took).toBeGreaterThanOrEqual(9_500);
    expect(took).toBeLessThan(15_000);
    await expectStillStandalone();
    hanging.close();
  });
});

describe('the join bundle is checked against its schema', () => {
  it('a bundle with a database URL that is not postgres:// is refused naming databaseUrl', async () => {
    const fake = await fakeSeed({ bundle: { ...realBundle, databaseUrl: 'mysql://orch:secret@127.0.0.1/orch' } });
    const answer = await previewOnB(fake.url);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ field: 'bundle.databaseUrl' });
    expect(answer.body.error.message).toBe(
      "the seed's join bundle is refused: databaseUrl must be a postgres:// or postgresql:// URL naming its host",
    );
    expect(JSON.stringify(answer.body)).not.toContain('secret');
    await expectStillStandalone();
    fake.close();
  });

  it('a bundle missing its session secret is refused naming authSecret', async () => {
    const { authSecret: _left, ...withoutSecret } = realBundle;
    const fake = await fakeSeed({ bundle: withoutSecret });
    const answer = await previewOnB(fake.url);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ field: 'bundle.authSecret' });
    expect(answer.body.error.message).toMatch(/^the seed's join bundle is refused: authSecret /);
    await expectStillStandalone();
    fake.close();
  });

  it('join information with a cluster name of a megabyte is refused naming clusterName', async () => {
    const fake = await fakeSeed({ info: { ...realInfo, nodeId: crypto.randomUUID(), clusterName: 'x'.repeat(900_000) } });
    const answer = await previewOnB(fake.url);
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ field: 'info.clusterName' });
    await expectStillStandalone();
    fake.close();
  });
});

describe('the node switches only to what the administrator confirmed', () => {
  it("shows the seed's cluster, database host and certificate, and changes nothing", async () => {
    const answer = await previewOnB(seed.url);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const database = new URL(databaseUrl);
    expect(answer.body).toMatchObject({
      clusterId: realInfo.clusterId,
      clusterName: realInfo.clusterName,
      databaseHost: `${database.hostname}:${database.port}${database.pathname}`,
      fingerprint: null, // plain HTTP between loopback addresses
      clusterFingerprint: realInfo.clusterFingerprint,
    });
    expect(JSON.stringify(answer.body)).not.toContain(database.password);
    await expectStillStandalone();
  });

  it('a confirmed join whose bundle differs from what was confirmed is refused with 409 naming what differs', async () => {
    const preview = (await previewOnB(seed.url)).body;
    const confirmed = {
      clusterId: preview.clusterId,
      clusterName: preview.clusterName,
      databaseHost: 'db.example:5432/orch',
      fingerprint: preview.fingerprint,
    };
    const answer = await post(joiner, '/api/cluster/join', bLocal, { previewId: preview.previewId, confirmed });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ field: 'confirmed.databaseHost' });
    expect(answer.body.error.message).toBe(
      `the join bundle differs from what was confirmed: database host is ${preview.databaseHost}, not db.example:5432/orch`,
    );
    await expectStillStandalone();
    // a refused preview is spent: the administrator checks the seed again
    const again = await post(joiner, '/api/cluster/join', bLocal, {
      previewId: preview.previewId,
      confirmed: { ...confirmed, databaseHost: preview.databaseHost },
    });
    expect(again.status).toBe(422);
    expect(again.body.error.field).toBe('previewId');
    await expectStillStandalone();
  });

  it('a confirmation naming another cluster is refused with 409', async () => {
    const preview = (await previewOnB(seed.url)).body;
    const confirmed = {
      clusterId: crypto.randomUUID(),
      clusterName: 'elsewhere',
      databaseHost: preview.databaseHost,
      fingerprint: preview.fingerprint,
    };
    const answer = await post(joiner, '/api/cluster/join', bLocal, { previewId: preview.previewId, confirmed });
    expect(answer.status).toBe(409);
    expect(answer.body.error.field).toBe('confirmed.clusterId');
    expect(answer.body.error.message).toMatch(/cluster id is .*; cluster name is .*, not elsewhere$/);
    await expectStillStandalone();
  });
});

describe('orchctl join asks on a terminal', () => {
  it('shows the facts and changes nothing when the administrator answers no at the prompt', async () => {
    const orchctl = path.resolve(import.meta.dirname, '..', '..', 'bin', 'orchctl.mjs');
    // `script` gives the CLI a real terminal; the node's own credentials come from the environment
    const command = `${process.execPath} ${orchctl} join --url ${joiner.url} --seed ${seed.url} --seed-user root --seed-password ${ROOT_PASSWORD}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ORCH_USER: 'root', ORCH_PASSWORD: B_ROOT, ORCH_TOKEN: '' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await pollUntil(() => output.includes('join this cluster? [y/N]'), { what: 'the prompt' });
    expect(output).toMatch(/database host: +127\.0\.0\.1:\d+\/test_\w+/);
    child.stdin.write('n\r');
    expect(await exited).not.toBe(0);
    expect(output).toContain('orchctl: not joined: not confirmed; nothing changed');
    await expectStillStandalone();
  });
});

describe('a configuration version inserted into the database with a path outside the data directory', () => {
  it('is refused by every node (nothing written outside, the error logged, heartbeats go on) and refuses a join', async () => {
    const outside = path.join(os.tmpdir(), `orch-escape-${randomBytes(6).toString('hex')}`);
    // the same depth for every node's data directory under the temporary folder
    const name = path.relative(path.join(seed.dataDir, 'plugins'), outside);
    expect(name.startsWith('..')).toBe(true);
    const content = JSON.stringify({
      format: 'orch-plugin/1',
      manifest: {
        name: 'escape',
        version: '1.0.0',
        description: '',
        actions: [{ name: 'run', description: '', inputs: {}, output: 'string' }],
      },
      code: 'exports.run = () => "x";',
    });
    const sha256 = createHash('sha256').update(content).digest('hex');
    const document: TConfigDocument = {
      plugins: [],
      certificate: null,
      settings: {
        logLevel: 'info',
        maxConcurrentRuns: 10,
        runRetentionDays: 30,
        auditRetentionDays: 365,
        eventRetentionDays: 90,
        configVersionsKept: 20,
      },
    };
    const heartbeats = () =>
      withClient(databaseUrl, async (client) => {
        const { rows } = await client.query<{ name: string; n: number }>(
          `SELECT name, heartbeat_count::int AS n FROM cluster_node WHERE name IN ('A', 'C')`,
        );
        return Object.fromEntries(rows.map((row) => [row.name, row.n]));
      });
    const before = await heartbeats();
    await withClient(databaseUrl, async (client) => {
      await client.query(`INSERT INTO config_blob (sha256, content) VALUES ($1, $2)`, [sha256, Buffer.from(content)]);
      await client.query(
        `INSERT INTO config_version (fingerprint, document, files, pushed_by, pushed_from_node, pushed_from_name) VALUES ($1, $2, $3, 'mallory', gen_random_uuid(), 'nowhere')`,
        [configFingerprint(document), JSON.stringify(document), JSON.stringify([{ kind: 'plugin', name: `${name}`, sha256 }])],
      );
    });

    for (const node of [seed, member]) {
      await pollUntil(() => /could not apply the pushed configuration.*files\.0\.name must be kebab-case/.test(node.output()), {
        what: `${node.port} to log the refusal`,
      });
    }
    const after = await pollUntil(
      async () => {
        const now = await heartbeats();
        return now.A >= before.A + 3 && now.C >= before.C + 3 && now;
      },
      { what: 'A and C to keep heartbeating' },
    );
    expect(after).toBeTruthy();
    // the cluster goes on working: one of its nodes is active (which one may change on a loaded machine)
    expect([(await health(seed))?.state, (await health(member))?.state]).toContain('ACTIVE');
    expect(existsSync(`${outside}.orchplugin`)).toBe(false);

    const answer = await previewOnB(seed.url);
    expect(answer.status).toBe(422);
    expect(answer.body.error.field).toBe('files.0.name');
    expect(answer.body.error.message).toMatch(
      /^the cluster's pushed configuration cannot be written on this node: configuration version \d+ is refused: files\.0\.name must be kebab-case/,
    );
    await expectStillStandalone();
    expect(existsSync(`${outside}.orchplugin`)).toBe(false);
  });
});
