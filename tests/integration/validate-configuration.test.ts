/**
 * Validate configuration on a real node and a real PostgreSQL 15 started with max_connections=20:
 * the node serves a certificate for localhost only and advertises a name it does not cover, so
 * the validation fails the certificate and reachability checks for that member and the
 * max_connections check, while the version and privilege checks pass; `orchctl validate` exits
 * non-zero, names each failure and says what to do.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TValidationReport } from '@/lib/validate/validate-cluster';
import { findFreePort } from '@/lib/node/ports';
import { generateCertificate } from '@/lib/tls/generate-certificate';
import { writeCertificateFiles } from '@/lib/tls/certificate-files';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replication';
import { pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { clusterStatus } from '../helpers/cluster';

const AS_ROOT = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
const ADVERTISED = 'validate-me.invalid';
let pair: ReplicaPair;
let node: NodeProcess;
let other: NodeProcess;

beforeAll(async () => {
  pair = await startReplicaPair({ maxConnections: 20 });
  await pair.query(pair.primary, 'CREATE DATABASE orch');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-node-'));
  // a certificate for this host's loopback names only: the advertised name is not in it
  await writeCertificateFiles(dataDir, await generateCertificate({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'] }));
  const port = await findFreePort();
  node = await startNode({
    databaseUrl: pair.url([pair.primary], 'orch'),
    name: 'v1',
    dataDir,
    port,
    advertise: `https://${ADVERTISED}:${port}`,
  });
  // a second member, reachable: its free disk is asked from it (it reports it with its system log)
  other = await startNode({ databaseUrl: pair.url([pair.primary], 'orch'), name: 'v2' });
  await pollUntil(
    async () =>
      (await clusterStatus(node)).nodes.filter((member) => member.activeFingerprint !== null && member.clockSkewMs !== null)
        .length === 2,
    {
      what: 'the node to report its configuration and clock',
    },
  );
}, 180_000);
afterAll(async () => {
  await stopAllNodes();
  await pair?.stop();
});

describe('validate configuration', () => {
  it('flags the member whose advertised name is not in the certificate and max_connections=20, and says what to do', async () => {
    const result = await runOrchctl(['validate', '--url', node.url, '--json'], AS_ROOT);
    expect(result.code, result.stderr).not.toBe(0);
    expect(result.stderr).toMatch(/checks? failed/);
    const report = JSON.parse(result.stdout) as TValidationReport;
    expect(report.ok).toBe(false);
    const byName = new Map(report.checks.map((item) => [item.name, item]));

    expect(byName.get('database max_connections')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('max_connections 20'),
      action: expect.stringMatching(/raise max_connections/),
    });
    expect(byName.get('database version')).toMatchObject({ status: 'pass', detail: expect.stringContaining('PostgreSQL 15') });
    expect(byName.get('database privileges')?.status).toBe('pass');
    expect(byName.get('certificate covers v1')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(ADVERTISED),
      action: expect.stringMatching(/generate the certificate again/),
    });
    expect(byName.get(`v1 reachable at https://${ADVERTISED}:${node.port}`)).toMatchObject({
      status: 'fail',
      action: expect.stringMatching(/advertised address/),
    });
    expect(byName.get('same product version')?.status).toBe('pass');
    expect(byName.get('clock of v1')?.status).toBe('pass');
    expect(byName.get("free disk of v1's data directory")?.status).not.toBe('fail');
    // another member's disk, measured there: its own data directory
    expect(byName.get("free disk of v2's data directory")).toMatchObject({
      detail: expect.stringContaining(`free in ${other.dataDir}`),
    });
    expect(byName.get("free disk of v2's data directory")?.status).not.toBe('fail');
    for (const item of report.checks) {
      expect(['pass', 'warn', 'fail']).toContain(item.status);
      if (item.status !== 'pass') expect(item.action, item.name).toBeTruthy();
    }
    // the database password never appears in the report
    expect(result.stdout).not.toContain(pair.password);
  });

  it('prints one line per check, the failures with what to do', async () => {
    const result = await runOrchctl(['validate', '--url', node.url], AS_ROOT);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/^FAIL {2}database max_connections: .*max_connections 20/m);
    expect(result.stdout).toMatch(/^PASS {2}database version: PostgreSQL 15/m);
    expect(result.stdout).toMatch(/→ raise max_connections/);
  });
});
