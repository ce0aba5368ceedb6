/**
 * The systemd unit in deploy/systemd is what operators copy: it must load without a warning in
 * Debian's systemd, keep the database password out of the command line, stop the node the way
 * the launcher expects, and confine it. `systemd-analyze` checks the real file (copied under an
 * instance name; only the node binary's path is adapted when this machine has node elsewhere).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const UNIT = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'systemd', 'orchestrator-node@.service');
const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';
const text = readFileSync(UNIT, 'utf8');

/** Every `Key=value` of the [Service] section, in order (a key may repeat). */
function serviceDirectives(): [string, string][] {
  const section = text.split(/^\[/m).find((part) => part.startsWith('Service]'))!;
  return section
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && line.includes('='))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
}
const directive = (key: string) =>
  serviceDirectives()
    .filter(([name]) => name === key)
    .map(([, value]) => value);

let instance: string;

beforeAll(async () => {
  if (!existsSync(SYSTEMD_ANALYZE)) {
    throw new Error(`${SYSTEMD_ANALYZE} is missing: install Debian's systemd package to check deploy/systemd`);
  }
  // ExecStart names /usr/bin/node, which verify requires to exist; a CI machine may have node elsewhere
  const node = existsSync('/usr/bin/node') ? '/usr/bin/node' : process.execPath;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-unit-'));
  instance = path.join(dir, 'orchestrator-node@node-1.service');
  await writeFile(instance, text.replaceAll('/usr/bin/node ', `${node} `));
});

describe('deploy/systemd/orchestrator-node@.service', () => {
  it('passes systemd-analyze verify without a single warning', () => {
    const result = spawnSync(SYSTEMD_ANALYZE, ['verify', instance], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    // verify reports unknown keys and bad values on stderr but still exits 0
    expect(result.stderr.trim()).toBe('');
  });

  it("a local user reading the launcher's command line does not see the database password", () => {
    const [execStart] = directive('ExecStart');
    expect(execStart).toMatch(/ --database-url-file %d\/database-url /);
    expect(execStart).not.toMatch(/--database-url /);
    expect(execStart).not.toMatch(/DATABASE_URL|PASSWORD/);
    expect(directive('LoadCredential')).toEqual(['database-url:/etc/orchestrator/%i.database-url']);
  });

  it('stops the launcher with SIGTERM and lets it stop its children (KillMode=mixed)', () => {
    expect(directive('KillMode')).toEqual(['mixed']);
    expect(directive('KillSignal')).toEqual(['SIGTERM']);
  });

  it('confines the node: private files, no privileges, strict file system (exposure below 2.5)', () => {
    const expected: Record<string, string> = {
      UMask: '0077',
      StateDirectoryMode: '0700',
      NoNewPrivileges: 'true',
      CapabilityBoundingSet: '',
      ProtectSystem: 'strict',
      ProtectHome: 'true',
      PrivateTmp: 'true',
      PrivateDevices: 'true',
      SystemCallFilter: '@system-service',
    };
    for (const [key, value] of Object.entries(expected)) expect(directive(key), key).toEqual([value]);
    expect(directive('RestrictAddressFamilies')[0].split(' ').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
    // V8 compiles to memory that is written and then executed
    expect(directive('MemoryDenyWriteExecute')).toEqual([]);
    const output = execFileSync(SYSTEMD_ANALYZE, ['security', '--offline=true', '--threshold=25', instance], {
      encoding: 'utf8',
    });
    const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(output)?.[1]);
    expect(exposure).toBeLessThan(2.5);
  });

  it('documents nginx on the same host as the trusted proxy', () => {
    expect(text).toMatch(/^#\s+ORCH_TRUSTED_PROXIES=127\.0\.0\.1\s/m);
  });
});
