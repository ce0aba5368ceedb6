/**
 * What a node accepts from the shared database or a seed before writing or using it: pushed
 * configuration versions, the one writer for received files, and the join bundle's schema.
 */
import { mkdir, mkdtemp as makeTemporary, readFile, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigVersion } from '@/lib/config/config-version';
import { configFingerprint, type TConfigDocument } from '@/lib/config/document';
import { writeReceivedFile } from '@/lib/config/write-received-file';
import { describeDatabaseHost } from '@/lib/join/database-host';
import { ZJoinBundle } from '@/lib/join/schemas';

const SHA = 'a'.repeat(64);
const made: string[] = [];
const mkdtemp = async (prefix: string) => {
  const dir = await makeTemporary(prefix);
  made.push(dir);
  return dir;
};
afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));
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
const row = (files: unknown, doc: unknown = document) => ({
  version: 7,
  fingerprint: configFingerprint(doc as TConfigDocument),
  document: doc,
  files,
});

function refusal(work: () => unknown): { field?: string; message: string } {
  try {
    work();
  } catch (error) {
    return error as { field?: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('a pushed configuration version read from the database', () => {
  it('refuses a plugin file name that climbs out of the plugins folder, naming the field', () => {
    const error = refusal(() => parseConfigVersion(row([{ kind: 'plugin', name: '../../../tmp/x', sha256: SHA }])));
    expect(error.field).toBe('files.0.name');
    expect(error.message).toMatch(/^configuration version 7 is refused: files\.0\.name must be kebab-case/);
  });

  it('refuses a hash that is not a SHA-256, a fingerprint not of its document, and settings out of range', () => {
    expect(refusal(() => parseConfigVersion(row([{ kind: 'certificate', sha256: 'xyz' }]))).field).toBe('files.0.sha256');
    expect(refusal(() => parseConfigVersion({ ...row([]), fingerprint: SHA })).field).toBe('fingerprint');
    expect(
      refusal(() => parseConfigVersion(row([], { ...document, settings: { ...document.settings, maxConcurrentRuns: 10_000 } })))
        .field,
    ).toBe('document.settings.maxConcurrentRuns');
  });

  it('accepts a version whose plugins all have their file', () => {
    const plugins = [{ name: 'http-tools', version: '1.2.3', sha256: SHA }];
    const parsed = parseConfigVersion(row([{ kind: 'plugin', name: 'http-tools', sha256: SHA }], { ...document, plugins }));
    expect(parsed.files).toEqual([{ kind: 'plugin', name: 'http-tools', sha256: SHA }]);
  });
});

describe('writing a file received from the database', () => {
  it('writes inside the data directory and refuses a path that resolves outside it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-unit-'));
    await mkdir(path.join(dataDir, 'plugins'));
    await writeReceivedFile(dataDir, path.join(dataDir, 'plugins', 'a.orchplugin'), 'ok');
    expect(await readFile(path.join(dataDir, 'plugins', 'a.orchplugin'), 'utf8')).toBe('ok');
    await expect(writeReceivedFile(dataDir, path.join(dataDir, 'plugins', '..', '..', 'escaped'), 'no')).rejects.toThrow(
      /is not inside the data directory/,
    );
    expect(existsSync(path.join(dataDir, '..', 'escaped'))).toBe(false);
  });

  it('refuses to write through a folder that is a symbolic link to elsewhere', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-unit-'));
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'orch-unit-elsewhere-'));
    await symlink(elsewhere, path.join(dataDir, 'plugins'));
    await expect(writeReceivedFile(dataDir, path.join(dataDir, 'plugins', 'a.orchplugin'), 'no')).rejects.toThrow(
      /is not inside the data directory/,
    );
    expect(existsSync(path.join(elsewhere, 'a.orchplugin'))).toBe(false);
  });
});

describe('the join bundle and the database host shown for confirmation', () => {
  it('takes only postgres:// URLs, and shows host, port and database without credentials or options', () => {
    expect(describeDatabaseHost('postgresql://orch:s3cret@db.example/orch?sslmode=require&password=x')).toBe(
      'db.example:5432/orch',
    );
    expect(describeDatabaseHost('postgres://u:p@h1:5433,h2/orch')).toBe('h1:5433,h2:5432/orch');
    expect(describeDatabaseHost('mysql://u:p@db/orch')).toBeUndefined();
    expect(describeDatabaseHost('postgresql:///orch?host=/var/run/postgresql')).toBeUndefined();
    const issue = ZJoinBundle.safeParse({ databaseUrl: 'http://127.0.0.1:8080/' }).error?.issues.find(
      (item) => item.path[0] === 'databaseUrl',
    );
    expect(issue?.message).toBe('must be a postgres:// or postgresql:// URL naming its host');
  });
});
