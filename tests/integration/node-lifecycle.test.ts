/**
 * A node on its built-in database, as `orchctl node start` runs it: first start, second start,
 * a crashed server, a clean stop, and the start-up errors an operator can make.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@/lib/node/ports';
import { createTestDatabase, withClient } from '../helpers/database';
import { pollUntil } from '../helpers/poll';
import { isAlive, ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes } from '../helpers/node-process';
import { health as healthOf } from '../helpers/cluster';

afterAll(stopAllNodes);

describe('a node on its built-in database', () => {
  it('creates root once, restarts a crashed server, and stops leaving no process', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-lifecycle-'));
    const first = await startNode({ dataDir, env: { ORCH_ROOT_PASSWORD: '' } });

    // a generated root password is printed once, and it works
    const printed = /created administrator "root" with password: (\S+)/.exec(first.output())?.[1];
    expect(printed).toBeTruthy();
    // alone on its built-in database, the node is standalone (no cluster id) and takes the active slot
    const health = await pollUntil(
      async () => {
        const body = await healthOf(first);
        return body?.state === 'ACTIVE' ? body : undefined;
      },
      { what: 'the standalone node to become active' },
    );
    expect(health).toMatchObject({ clusterId: null, name: expect.any(String), version: expect.any(String) });
    expect(health.epoch).toBeGreaterThanOrEqual(1);
    const status = await runOrchctl(['status', '--url', first.url, '--json', '--user', 'root', '--password', printed!]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).nodes[0]).toMatchObject({ id: health.nodeId, local: true, state: 'ACTIVE' });

    // kill -9 of the server (not the supervisor): the supervisor starts it again
    const crashed = first.serverPid()!;
    process.kill(crashed, 'SIGKILL');
    await pollUntil(() => first.serverPid() !== crashed && isAlive(first.serverPid()), { what: 'a new server process' });
    const restarted = await pollUntil(() => healthOf(first), { what: 'the restarted server' });
    expect(restarted.nodeId).toBe(health.nodeId);
    expect(first.output()).toMatch(/server ended \(SIGKILL\); starting it again/);

    // SIGTERM: supervisor, server and built-in database all end
    const pids = [first.pid, first.serverPid(), first.databasePid()];
    expect(pids.every(isAlive)).toBe(true);
    expect(await first.stop('SIGTERM')).toBe(0);
    await pollUntil(() => pids.every((pid) => !isAlive(pid)), { what: 'every process of the node to end' });

    // second start on the same data: same identity, no new root, the printed password still works
    const second = await startNode({ dataDir, port: first.port, env: { ORCH_ROOT_PASSWORD: 'ignored-now' } });
    expect(second.output()).not.toMatch(/created administrator/);
    expect((await healthOf(second))?.nodeId).toBe(health.nodeId);
    const again = await runOrchctl(['status', '--url', second.url, '--user', 'root', '--password', printed!]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('cluster: standalone');
    await second.stop();
  });
});

describe('orchctl', () => {
  it('explains itself with --help', async () => {
    const result = await runOrchctl(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['node', 'demo', 'status']) expect(result.stdout).toContain(command);
    const start = await runOrchctl(['node', 'start', '--help']);
    for (const option of ['--port', '--data-dir', '--database-url', '--name', '--advertise'])
      expect(start.stdout).toContain(option);
  });

  it('says in one line why a command failed', async () => {
    const result = await runOrchctl(['status', '--url', `http://127.0.0.1:${await findFreePort()}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(/^orchctl: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
  });
});

describe('start-up errors: exit non-zero with one clear line', () => {
  it('an unusable data directory', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'orch-bad-')), 'a-file');
    await writeFile(file, 'not a directory');
    const result = await runOrchctl([
      'node',
      'start',
      '--port',
      String(await findFreePort()),
      '--data-dir',
      path.join(file, 'data'),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/data directory .* is not usable/);
  });

  it('a port in use', async () => {
    const blocker = net.createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, resolve));
    try {
      const result = await runOrchctl([
        'node',
        'start',
        '--port',
        String(port),
        '--data-dir',
        await mkdtemp(path.join(os.tmpdir(), 'orch-port-')),
      ]);
      expect(result.code).not.toBe(0);
      expect(result.stderr.trim()).toBe(`orchctl: port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('an unreachable ORCH_DATABASE_URL, without showing its password', async () => {
    const deadPort = await findFreePort();
    const result = await runOrchctl(
      ['node', 'start', '--port', String(await findFreePort()), '--data-dir', await mkdtemp(path.join(os.tmpdir(), 'orch-db-'))],
      { ORCH_DATABASE_URL: `postgresql://orch:hunter2secret@127.0.0.1:${deadPort}/orch` },
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`127.0.0.1:${deadPort}/orch is not reachable`);
    expect(result.stderr + result.stdout).not.toContain('hunter2secret');
  });
});

describe('a node on a shared database', () => {
  it('migrates an empty database and creates root from ORCH_ROOT_PASSWORD once', async () => {
    const databaseUrl = await createTestDatabase({ migrated: false });
    const node = await startNode({ databaseUrl });
    expect(node.output()).toMatch(/created administrator "root" with the password from ORCH_ROOT_PASSWORD/);
    const ok = await runOrchctl(['status', '--url', node.url, '--json'], { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD });
    expect(ok.code, ok.stderr).toBe(0);
    await node.stop();
    const rows = await withClient(databaseUrl, (client) => client.query(`SELECT name, role, password_hash FROM app_user`));
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ name: 'root', role: 'admin' });
    expect(rows.rows[0].password_hash).not.toContain(ROOT_PASSWORD);
  });
});
