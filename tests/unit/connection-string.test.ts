import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/api/app-error';
import {
  hostClientConfig,
  parseConnectionString,
  redactConnectionString,
  redactConnectionText,
  satisfiesTarget,
} from '@/lib/db/connection-string';

function refusal(text: string): string {
  try {
    parseConnectionString(text);
  } catch (error) {
    if (isAppError(error, 'BAD_REQUEST')) return error.message;
    throw error;
  }
  throw new Error(`${text} was accepted`);
}

describe('parseConnectionString', () => {
  it('reads several hosts, their ports and target_session_attrs', () => {
    const parsed = parseConnectionString(
      'postgresql://orch:s%40cret@db1:5433,db2,[::1]:6000/orch?target_session_attrs=read-write&sslmode=disable',
    );
    expect(parsed).toMatchObject({
      user: 'orch',
      password: 's@cret',
      database: 'orch',
      hosts: [
        { host: 'db1', port: 5433 },
        { host: 'db2', port: 5432 },
        { host: '::1', port: 6000 },
      ],
      targetSessionAttrs: 'read-write',
      sslMode: 'disable',
    });
  });

  it('takes the user as the database when none is given, and postgres:// as a scheme', () => {
    expect(parseConnectionString('postgres://alice@localhost').database).toBe('alice');
  });

  it('gives each host its own pg config with the shared credentials', () => {
    const parsed = parseConnectionString('postgresql://u:p@a:1,b:2/d?connect_timeout=2');
    expect(hostClientConfig(parsed, parsed.hosts[1])).toMatchObject({
      host: 'b',
      port: 2,
      user: 'u',
      password: 'p',
      database: 'd',
      connectionTimeoutMillis: 2000,
    });
  });

  it('redacts the password and keeps the host list', () => {
    const parsed = parseConnectionString('postgresql://user:hunter2@db1:5432,db2:5432/orch?target_session_attrs=read-write');
    expect(redactConnectionString(parsed)).toBe('postgresql://user:***@db1:5432,db2:5432/orch');
    expect(redactConnectionText('postgresql://user:hunter2@db1:x/orch')).toBe('(invalid database URL)');
  });

  it.each([
    ['', 'it is empty'],
    ['postgresq://u@db/orch', 'the scheme must be postgresql://'],
    ['http://u@db/orch', 'the scheme must be postgresql://'],
    ['postgresql://u@db1:54a2/orch', 'the port of host "db1:54a2" is not a number'],
    ['postgresql://u@db1:5432,,db2/orch', 'host 2 of the list is empty'],
    ['postgresql://u@db1:70000/orch', 'must be between 1 and 65535'],
    ['postgresql://u@db_1!/orch', 'is not a host name or IP address'],
    ['postgresql://db1/orch', 'no user is given'],
    ['postgresql://u@db1/orch?target_session_attrs=readwrite', 'target_session_attrs must be one of any, read-write'],
    ['postgresql://u@db1/orch?sslmod=require', 'unknown parameter sslmod'],
    ['postgresql://u@db1/or/ch', 'the database name contains "/"'],
    ['postgresql://u:p w@db1/orch', 'white space'],
    ['postgresql://u@[::1/orch', 'unbalanced bracket'],
  ])('refuses %j with one line naming what is wrong', (text, reason) => {
    const message = refusal(text);
    expect(message).toContain(reason);
    expect(message.split('\n')).toHaveLength(1);
  });

  it('never puts the password in a refusal', () => {
    expect(refusal('postgresql://u:topsecret@db1:bad/orch')).not.toContain('topsecret');
  });
});

describe('satisfiesTarget', () => {
  it('follows libpq: read-write needs a writable server that is not in recovery', () => {
    expect(satisfiesTarget('read-write', { inRecovery: false, readOnly: false })).toBe(true);
    expect(satisfiesTarget('read-write', { inRecovery: true, readOnly: true })).toBe(false);
    expect(satisfiesTarget('primary', { inRecovery: false, readOnly: true })).toBe(true);
    expect(satisfiesTarget('standby', { inRecovery: true, readOnly: true })).toBe(true);
    expect(satisfiesTarget('any', { inRecovery: true, readOnly: true })).toBe(true);
  });
});
