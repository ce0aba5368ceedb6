import { describe, expect, it } from 'vitest';
import { maskSecretArguments } from '@/bin/hide-secret-arguments.mjs';

describe('maskSecretArguments (what orchctl leaves in its process list)', () => {
  it('masks the values of --password, --seed-password and --token, as separate or inline values', () => {
    expect(maskSecretArguments(['status', '--url', 'http://a', '--user', 'root', '--password', 'p1'])).toEqual([
      'status',
      '--url',
      'http://a',
      '--user',
      'root',
      '--password',
      '***',
    ]);
    expect(maskSecretArguments(['join', '--seed-password=p=2', '--token', 'orch_join_x', '--fingerprint', 'AB:CD'])).toEqual([
      'join',
      '--seed-password=***',
      '--token',
      '***',
      '--fingerprint',
      'AB:CD',
    ]);
  });

  it('masks only the password inside --database-url', () => {
    expect(
      maskSecretArguments(['node', 'start', '--database-url', 'postgresql://orch:s3cr%40t@db:5432/orch?sslmode=require']),
    ).toEqual(['node', 'start', '--database-url', 'postgresql://orch:***@db:5432/orch?sslmode=require']);
    expect(maskSecretArguments(['--database-url=postgres://orch:x@db/orch'])).toEqual([
      '--database-url=postgres://orch:***@db/orch',
    ]);
    expect(maskSecretArguments(['--database-url', 'postgresql://orch:p@ss@db/orch'])).toEqual([
      '--database-url',
      'postgresql://orch:***@db/orch',
    ]);
    expect(maskSecretArguments(['--database-url', 'postgresql://orch@db/orch'])).toEqual([
      '--database-url',
      'postgresql://orch@db/orch',
    ]);
  });

  it('leaves everything else alone, a trailing flag without its value included', () => {
    const args = ['node', 'start', '--port', '3000', '--data-dir', '/var/lib/orch', '--name', 'password'];
    expect(maskSecretArguments(args)).toEqual(args);
    expect(maskSecretArguments(['status', '--password'])).toEqual(['status', '--password']);
  });
});
