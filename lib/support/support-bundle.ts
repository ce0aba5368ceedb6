/**
 * The support bundle: one tar.gz an operator sends when asking for help. For each live member
 * its recent system log (through its advertised address, as the Logs page reads it), and for the
 * cluster the status (settings, members, versions, alarms), the events, the rolling resets, every
 * kept configuration version with what changed, each member's difference from the reference, and
 * the database facts. A manifest names what is in it and the members that could not be reached.
 * Every file passes the redaction (lib/support/redact.ts) before it is archived.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as createTar } from 'tar';
import type { TDb } from '@/lib/db/client';
import type { TRole } from '@/lib/auth/roles';
import { isLiveState } from '@/lib/cluster/node-state';
import { readClusterStatus } from '@/lib/cluster/status';
import { listConfigHistory } from '@/lib/config/config-history';
import { readNodeConfiguration } from '@/lib/config/read-node-configuration';
import { parseConnectionString } from '@/lib/db/connection-string';
import { showDatabase } from '@/lib/database/show-database';
import { serverEnv } from '@/lib/env';
import { readMemberLog } from '@/lib/logs/serve-system-log';
import { nodeRuntime } from '@/lib/node/runtime';
import { APP_VERSION } from '@/lib/node/version';
import { redactText } from '@/lib/support/redact';
import { readSystemLog } from '@/lib/workflow/read-system-log';

const LOG_LINES = 2_000;
const EVENTS = 2_000;
const ROLLOUTS = 50;

export type TSupportBundle = { fileName: string; base64: string; unreachable: string[] };

type TFile = { name: string; content: unknown };

export async function buildSupportBundle(db: TDb, viewer: TRole): Promise<TSupportBundle> {
  const runtime = nodeRuntime();
  const status = await readClusterStatus(db, viewer);
  const files: TFile[] = [{ name: 'cluster/status.json', content: status }];

  const members: { id: string; name: string; url: string; state: string; version: string; systemLog: string }[] = [];
  const unreachable: string[] = [];
  for (const node of status.nodes.filter((member) => member.state !== 'REMOVED')) {
    const entry = {
      id: node.id,
      name: node.name,
      url: node.url,
      state: node.state,
      version: node.version,
      systemLog: `not collected: the member is ${node.state}`,
    };
    const folder = `members/${node.name.replace(/[^\w.-]/g, '_')}-${node.id.slice(0, 8)}`;
    if (!isLiveState(node.state)) unreachable.push(node.name);
    else {
      try {
        const log =
          node.id === runtime.identity.id
            ? await readSystemLog(runtime.dataDir, { lines: LOG_LINES })
            : await readMemberLog(runtime.identity.id, node.id, LOG_LINES);
        files.push({ name: `${folder}/system-log.json`, content: log.lines });
        entry.systemLog = `${log.lines.length} lines`;
      } catch (error) {
        entry.systemLog = `could not be reached: ${error instanceof Error ? error.message : String(error)}`;
        unreachable.push(node.name);
      }
      files.push({
        name: `${folder}/configuration-difference.json`,
        content: await readNodeConfiguration(db, node.id).catch((error: Error) => ({ error: error.message })),
      });
    }
    members.push(entry);
  }

  const [events, rollouts, history, database] = await Promise.all([
    db.clusterEvent.findMany({ orderBy: { id: 'desc' }, take: EVENTS }),
    db.configRollout.findMany({ orderBy: { id: 'desc' }, take: ROLLOUTS }),
    listConfigHistory(db),
    showDatabase({ databaseUrl: serverEnv().DATABASE_URL, mode: serverEnv().ORCH_DATABASE_MODE }).catch((error: Error) => ({
      error: error.message,
    })),
  ]);
  const documents = await db.configVersion.findMany({
    orderBy: { version: 'desc' },
    select: { version: true, fingerprint: true, document: true, files: true },
  });
  files.push(
    { name: 'cluster/events.json', content: events.map((event) => ({ ...event, id: String(event.id) })) },
    { name: 'cluster/rolling-resets.json', content: rollouts },
    { name: 'configuration/history.json', content: history },
    ...documents.map((row) => ({ name: `configuration/versions/${row.version}.json`, content: row })),
    { name: 'database.json', content: database },
  );
  const manifest = {
    createdAt: new Date().toISOString(),
    createdFrom: { id: runtime.identity.id, name: runtime.identity.name, version: APP_VERSION },
    clusterId: status.clusterId,
    members,
    unreachable,
    redaction:
      'passwords, secrets, tokens and private keys are replaced by [redacted]; certificates are described, never their keys',
    files: files.map((file) => file.name),
  };
  files.unshift({ name: 'manifest.json', content: manifest });

  const stamp = manifest.createdAt.replace(/[-:]/g, '').replace(/\..*$/, '');
  const archive = await writeArchive(`support-bundle-${stamp}`, files, knownSecrets());
  return { fileName: `support-bundle-${stamp}.tar.gz`, base64: archive.toString('base64'), unreachable };
}

function knownSecrets(): string[] {
  const env = serverEnv();
  const secrets = [env.NEXTAUTH_SECRET];
  try {
    const password = parseConnectionString(env.DATABASE_URL).password;
    if (password) secrets.push(password, encodeURIComponent(password));
  } catch {
    // an unparsable URL has no password to look for; the patterns still apply
  }
  return secrets;
}

async function writeArchive(folder: string, files: TFile[], secrets: string[]): Promise<Buffer> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'orch-bundle-'));
  try {
    for (const file of files) {
      const target = path.join(root, folder, file.name);
      await mkdir(path.dirname(target), { recursive: true });
      const text = redactText(
        JSON.stringify(file.content, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value), 2),
        secrets,
      );
      await writeFile(target, `${text}\n`, { mode: 0o600 });
    }
    const chunks: Buffer[] = [];
    const stream = createTar({ gzip: true, cwd: root, portable: true }, [folder]);
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
