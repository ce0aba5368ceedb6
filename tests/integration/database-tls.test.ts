/**
 * The tls check of a connection-string test against a real PostgreSQL 15 serving TLS with a
 * self-signed certificate: the mode in use, the certificate, and whether it was verified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, type TDatabaseTestResult } from '@/lib/database/test-database';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replication';

const check = (result: TDatabaseTestResult, name: string) => result.checks.find((entry) => entry.name === name);

describe('the tls check (real PostgreSQL 15 with TLS)', () => {
  let pair: ReplicaPair;
  const url = (query: string) => pair.url([pair.primary], 'postgres', `target_session_attrs=read-write&${query}`);

  beforeAll(async () => {
    pair = await startReplicaPair({ tls: true });
  });

  afterAll(async () => {
    await pair?.stop();
  });

  it('reports TLS with the certificate, not verified, under sslmode=require', async () => {
    const result = await testDatabase({ url: url('sslmode=require'), nodeCount: 1 });
    expect(check(result, 'tls')?.ok).toBe(true);
    expect(check(result, 'tls')?.detail).toMatch(
      /^TLSv1\.[23], sslmode=require, certificate orch-test-db valid until .+, not verified \(use verify-full\)$/,
    );
  });

  it('verifies the certificate and the host name under sslmode=verify-full with sslrootcert', async () => {
    const result = await testDatabase({
      url: url(`sslmode=verify-full&sslrootcert=${encodeURIComponent(pair.certificateFile!)}`),
      nodeCount: 1,
    });
    expect(result.ok, JSON.stringify(result.checks)).toBe(true);
    expect(check(result, 'tls')?.detail).toMatch(/, verified$/);
  });

  it('fails to connect under verify-full when the certificate is not trusted, saying so', async () => {
    const result = await testDatabase({ url: url('sslmode=verify-full'), nodeCount: 1 });
    expect(result.ok).toBe(false);
    expect(check(result, 'reachable')?.detail).toMatch(/self[- ]signed certificate/);
  });

  it('passes without TLS only on loopback', async () => {
    const result = await testDatabase({ url: url('sslmode=disable'), nodeCount: 1 });
    expect(check(result, 'tls')).toEqual({
      name: 'tls',
      ok: true,
      detail: "not encrypted (sslmode=disable); acceptable on this host's loopback",
    });
  });
});
