/**
 * Installing plugin packages on a real node (on its built-in database) through `orchctl plugin`
 * and the API: the samples install and are listed, refusals change nothing, a viewer cannot
 * install, and the packages are files in the node's data directory.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';

const SAMPLES = path.resolve(import.meta.dirname, '..', '..', 'samples', 'plugins');
const GREETING = path.join(SAMPLES, 'greeting.orchplugin');
const ARITHMETIC = path.join(SAMPLES, 'arithmetic.orchplugin');
const asRoot = ['--user', 'root', '--password', ROOT_PASSWORD];
const root = basicAuth('root', ROOT_PASSWORD);
const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

type TListed = { plugins: { name: string; version: string; sha256: string; actions: { name: string }[] }[]; errors: unknown[] };

let node: NodeProcess;

async function pluginList(): Promise<TListed> {
  const listed = await runOrchctl(['plugin', 'list', '--url', node.url, ...asRoot, '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as TListed;
}

async function post(pathname: string, auth: string, body: unknown) {
  const response = await fetch(`${node.url}${pathname}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function expectOneLineRefusal(result: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

beforeAll(async () => {
  node = await startNode({ name: 'plugins' });
});
afterAll(stopAllNodes);

describe('plugin packages on a node', () => {
  it('installs both samples with orchctl', async () => {
    for (const [file, name] of [
      [GREETING, 'greeting'],
      [ARITHMETIC, 'arithmetic'],
    ]) {
      const installed = await runOrchctl(['plugin', 'install', '--url', node.url, ...asRoot, file]);
      expect(installed.code, installed.stderr).toBe(0);
      expect(installed.stdout.trim()).toBe(
        `installed ${name} 1.0.0 (sha256 ${sha256Of(file)}); the node uses it after a restart`,
      );
    }
  });

  it('lists them, sorted by name, as JSON and as a table', async () => {
    const listed = await pluginList();
    expect(listed.errors).toEqual([]);
    expect(listed.plugins.map(({ name, version, sha256 }) => ({ name, version, sha256 }))).toEqual([
      { name: 'arithmetic', version: '1.0.0', sha256: sha256Of(ARITHMETIC) },
      { name: 'greeting', version: '1.0.0', sha256: sha256Of(GREETING) },
    ]);
    expect(listed.plugins[0].actions.map((action) => action.name)).toEqual(['add', 'multiply']);

    const table = await runOrchctl(['plugin', 'list', '--url', node.url, ...asRoot]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+STATE\s+ACTIONS\s+SHA256$/);
    expect(lines[1]).toMatch(
      new RegExp(`^arithmetic\\s+1\\.0\\.0\\s+enabled\\s+add, multiply\\s+${sha256Of(ARITHMETIC).slice(0, 12)}$`),
    );
    expect(lines[2]).toMatch(new RegExp(`^greeting\\s+1\\.0\\.0\\s+enabled\\s+greet\\s+${sha256Of(GREETING).slice(0, 12)}$`));
  });

  it('refuses the same version again and a malformed package, leaving the list unchanged', async () => {
    const before = await pluginList();

    const again = await runOrchctl(['plugin', 'install', '--url', node.url, ...asRoot, GREETING]);
    expectOneLineRefusal(again, /^orchctl: greeting 1\.0\.0 is already installed \(HTTP 409\)$/);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-plugin-file-'));
    const malformed = path.join(dir, 'broken.orchplugin');
    const pkg = JSON.parse(readFileSync(GREETING, 'utf8'));
    await writeFile(malformed, JSON.stringify({ ...pkg, manifest: { ...pkg.manifest, name: 'broken', version: '2' } }));
    const refused = await runOrchctl(['plugin', 'install', '--url', node.url, ...asRoot, malformed]);
    expectOneLineRefusal(refused, /^orchctl: manifest\.version must look like 1\.2\.3 \(HTTP 400\)$/);

    const missing = await runOrchctl(['plugin', 'install', '--url', node.url, ...asRoot, path.join(dir, 'missing.orchplugin')]);
    expectOneLineRefusal(missing, /^orchctl: cannot read .*missing\.orchplugin \(ENOENT\)$/);

    expect(await pluginList()).toEqual(before);
  });

  it('lets a viewer list plugins but not install one (403)', async () => {
    const created = await post('/api/users', root, { name: 'plugin-viewer', role: 'viewer', password: 'viewer-password' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const viewer = basicAuth('plugin-viewer', 'viewer-password');

    const listed = await fetch(`${node.url}/api/config/plugins`, { headers: { authorization: viewer } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as TListed).plugins).toHaveLength(2);

    const upgrade = JSON.parse(readFileSync(GREETING, 'utf8'));
    upgrade.manifest.version = '1.1.0';
    const refused = await post('/api/config/plugins', viewer, { package: JSON.stringify(upgrade) });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect((await pluginList()).plugins.find((plugin) => plugin.name === 'greeting')?.version).toBe('1.0.0');
  });

  it('answers the API with 201, 400 naming the field, 409 and 413', async () => {
    const refused = await post('/api/config/plugins', root, { package: '{ "format": "orch-plugin/1" }' });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { code: 'VALIDATION', field: 'manifest', message: 'manifest is missing' } },
    });
    expect((await post('/api/config/plugins', root, {})).body.error.field).toBe('package');

    const conflict = await post('/api/config/plugins', root, { package: readFileSync(ARITHMETIC, 'utf8') });
    expect(conflict).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT', field: 'manifest.version' } } });

    const oversize = JSON.parse(readFileSync(GREETING, 'utf8'));
    oversize.manifest.description = 'x'.repeat(1024 * 1024);
    const tooLarge = await post('/api/config/plugins', root, { package: JSON.stringify(oversize) });
    expect(tooLarge).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', field: 'package' } } });

    // an upgrade replaces the installed version
    const upgrade = JSON.parse(readFileSync(ARITHMETIC, 'utf8'));
    upgrade.manifest.version = '1.1.0';
    const upgraded = await post('/api/config/plugins', root, { package: JSON.stringify(upgrade, null, 2) });
    expect(upgraded).toMatchObject({ status: 201, body: { name: 'arithmetic', version: '1.1.0' } });
    expect((await pluginList()).plugins.map((plugin) => `${plugin.name} ${plugin.version}`)).toEqual([
      'arithmetic 1.1.0',
      'greeting 1.0.0',
    ]);
  });

  it('keeps the packages as files in <dataDir>/plugins/', () => {
    const dir = path.join(node.dataDir, 'plugins');
    expect(readdirSync(dir).sort()).toEqual(['arithmetic.orchplugin', 'greeting.orchplugin']);
    expect(readFileSync(path.join(dir, 'greeting.orchplugin'), 'utf8')).toBe(readFileSync(GREETING, 'utf8'));
    expect(JSON.parse(readFileSync(path.join(dir, 'arithmetic.orchplugin'), 'utf8')).manifest.version).toBe('1.1.0');
  });
});
