/**
 * A real OpenLDAP server (Debian's slapd) for tests: its own slapd.conf, database folder and
 * LDIF of users and groups, on free loopback ports, with ldaps:// from a test CA made here. The
 * test can stop it, start it again on the same ports, and change group memberships (as the
 * directory's administrator, through ldapts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { generate } from 'selfsigned';
import { findFreePort } from '@/lib/node/ports';
import { pollUntil } from './poll';

export const SLAPD = '/usr/sbin/slapd';
export const SUFFIX = 'dc=example,dc=test';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const GROUPS = `ou=groups,${SUFFIX}`;
export const READER_DN = `cn=reader,${SUFFIX}`;
const ADMIN_DN = `cn=admin,${SUFFIX}`;

export type TDirectoryUser = { uid: string; password: string; groups: string[] };
export type TTestCa = { cert: string; key: string };

/** A CA made for one test, and a server certificate it signed for 127.0.0.1 and localhost. */
export async function makeTestCa(commonName = 'Orchestrator test CA'): Promise<TTestCa> {
  const ca = await generate([{ name: 'commonName', value: commonName }], {
    algorithm: 'sha256',
    keySize: 2048,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

async function serverCertificate(ca: TTestCa): Promise<{ cert: string; key: string }> {
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    keySize: 2048,
    ca: { cert: ca.cert, key: ca.key },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: server.cert, key: server.private };
}

function ldif(users: TDirectoryUser[], readerPassword: string, groupNames: string[]): string {
  const entries = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
    `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${GROUPS}\nobjectClass: organizationalUnit\nou: groups`,
    `dn: ${READER_DN}\nobjectClass: person\nobjectClass: simpleSecurityObject\ncn: reader\nsn: reader\nuserPassword: ${readerPassword}`,
    ...users.map(
      (user) =>
        `dn: uid=${user.uid},${PEOPLE}\nobjectClass: inetOrgPerson\nuid: ${user.uid}\ncn: ${user.uid}\nsn: ${user.uid}\nuserPassword: ${user.password}`,
    ),
    // groupOfNames needs a member: the reader is in every group (and is mapped to nothing)
    ...groupNames.map((group) =>
      [
        `dn: cn=${group},${GROUPS}`,
        'objectClass: groupOfNames',
        `cn: ${group}`,
        `member: ${READER_DN}`,
        ...users.filter((user) => user.groups.includes(group)).map((user) => `member: uid=${user.uid},${PEOPLE}`),
      ].join('\n'),
    ),
  ];
  return `${entries.join('\n\n')}\n`;
}

export class Slapd {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dir: string,
    readonly ldapPort: number,
    readonly ldapsPort: number,
    readonly ca: TTestCa,
    private readonly adminPassword: string,
  ) {}

  get ldapUrl(): string {
    return `ldap://127.0.0.1:${this.ldapPort}`;
  }

  get ldapsUrl(): string {
    return `ldaps://127.0.0.1:${this.ldapsPort}`;
  }

  static groupDn(group: string): string {
    return `cn=${group},${GROUPS}`;
  }

  static userDn(uid: string): string {
    return `uid=${uid},${PEOPLE}`;
  }

  /** Writes the configuration and the data, then starts slapd. */
  static async start(options: { users: TDirectoryUser[]; groups: string[]; readerPassword: string }): Promise<Slapd> {
    if (!existsSync(SLAPD)) throw new Error(`${SLAPD} is missing: install Debian's slapd and ldap-utils (.ci/run does)`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-slapd-'));
    await mkdir(path.join(dir, 'data'));
    const ca = await makeTestCa();
    const server = await serverCertificate(ca);
    await writeFile(path.join(dir, 'ca.pem'), ca.cert);
    await writeFile(path.join(dir, 'server.pem'), server.cert);
    await writeFile(path.join(dir, 'server.key'), server.key, { mode: 0o600 });
    const adminPassword = `admin-${Math.random().toString(36).slice(2)}`;
    const config = [
      ...['core', 'cosine', 'inetorgperson', 'nis'].map((schema) => `include /etc/ldap/schema/${schema}.schema`),
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${path.join(dir, 'slapd.pid')}`,
      `TLSCACertificateFile ${path.join(dir, 'ca.pem')}`,
      `TLSCertificateFile ${path.join(dir, 'server.pem')}`,
      `TLSCertificateKeyFile ${path.join(dir, 'server.key')}`,
      'database mdb',
      'maxsize 10485760',
      `suffix "${SUFFIX}"`,
      `rootdn "${ADMIN_DN}"`,
      `rootpw ${adminPassword}`,
      `directory ${path.join(dir, 'data')}`,
      // passwords are for binding only; the service account (and signed-in users) read the rest
      'access to attrs=userPassword by anonymous auth by * none',
      'access to * by users read by * none',
    ].join('\n');
    await writeFile(path.join(dir, 'slapd.conf'), `${config}\n`);
    await writeFile(path.join(dir, 'data.ldif'), ldif(options.users, options.readerPassword, options.groups));
    const loaded = spawnSync('/usr/sbin/slapadd', ['-f', path.join(dir, 'slapd.conf'), '-l', path.join(dir, 'data.ldif')], {
      encoding: 'utf8',
    });
    if (loaded.status !== 0) throw new Error(`slapadd failed: ${loaded.stderr}`);
    const slapd = new Slapd(dir, await findFreePort(), await findFreePort(), ca, adminPassword);
    await slapd.resume();
    return slapd;
  }

  /** Starts slapd (again) on its ports and waits until it answers. */
  async resume(): Promise<void> {
    // -d 0: stay in the foreground (no fork), so that this process is slapd and a signal reaches it
    this.child = spawn(SLAPD, ['-d', '0', '-f', path.join(this.dir, 'slapd.conf'), '-h', `${this.ldapUrl}/ ${this.ldapsUrl}/`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) stream?.on('data', (chunk) => (this.output += String(chunk)));
    const child = this.child;
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}): ${this.output}`);
        const client = new Client({ url: this.ldapUrl, connectTimeout: 1_000, timeout: 1_000 });
        try {
          await client.bind(ADMIN_DN, this.adminPassword);
          return true;
        } finally {
          await client.unbind().catch(() => undefined);
        }
      },
      { timeoutMs: 20_000, what: 'slapd answering' },
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async asAdmin(work: (client: Client) => Promise<void>): Promise<void> {
    const client = new Client({ url: this.ldapUrl, timeout: 5_000, connectTimeout: 5_000 });
    try {
      await client.bind(ADMIN_DN, this.adminPassword);
      await work(client);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async removeFromGroup(uid: string, group: string): Promise<void> {
    await this.asAdmin((client) =>
      client.modify(
        Slapd.groupDn(group),
        new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [Slapd.userDn(uid)] }) }),
      ),
    );
  }

  async addToGroup(uid: string, group: string): Promise<void> {
    await this.asAdmin((client) =>
      client.modify(
        Slapd.groupDn(group),
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [Slapd.userDn(uid)] }) }),
      ),
    );
  }
}
