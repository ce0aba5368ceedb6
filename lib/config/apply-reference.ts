/**
 * Writes the newest pushed configuration into this node's data directory: plugin packages and
 * certificate from the database, server settings from the document. What the process runs does
 * not change until it restarts (hot settings excepted), so afterwards the node reports its
 * pending fingerprint equal to the reference: pending restart.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { TDb } from '@/lib/db/client';
import { readAppliedReference, writeAppliedReference } from '@/lib/config/applied-reference';
import { configFilePath, sha256Hex, ZConfigFiles, type TConfigFile } from '@/lib/config/config-files';
import { SETTINGS_FILE, type TConfigDocument } from '@/lib/config/document';
import { certificateFiles, tlsDir } from '@/lib/tls/certificate-files';
import { readKeepOwnCertificate } from '@/lib/tls/keep-own-certificate';
import { writeFileAtomic } from '@/lib/node/data-dir';
import { pluginsDir } from '@/lib/plugins/installed-plugins';
import { PLUGIN_FILE_EXTENSION } from '@/lib/plugins/package';

/** The version written, or null when this node already has the newest (or nothing was pushed yet). */
export async function applyReference(db: TDb, dataDir: string, nodeId: string): Promise<number | null> {
  const reference = await db.configVersion.findFirst({ orderBy: { version: 'desc' } });
  if (!reference) return null;
  const applied = await readAppliedReference(dataDir);
  if (applied && applied.version >= reference.version) return null;

  const document = reference.document as TConfigDocument;
  const keepOwnCertificate = await readKeepOwnCertificate(dataDir);
  const files = ZConfigFiles.parse(reference.files).filter((file) => file.kind === 'plugin' || !keepOwnCertificate);
  const blobs = await db.configBlob.findMany({ where: { sha256: { in: files.map((file) => file.sha256) } } });
  const contents = new Map(blobs.map((blob) => [blob.sha256, Buffer.from(blob.content).toString('utf8')]));
  // everything is fetched and checked before the first write: a broken version changes nothing
  for (const file of files) {
    const content = contents.get(file.sha256);
    if (content === undefined || sha256Hex(content) !== file.sha256) {
      throw new Error(`configuration version ${reference.version}: the content of ${describe(file)} is missing or damaged`);
    }
  }

  await mkdir(pluginsDir(dataDir), { recursive: true, mode: 0o700 });
  await mkdir(tlsDir(dataDir), { recursive: true, mode: 0o700 });
  for (const file of files) {
    await writeFileAtomic(configFilePath(dataDir, file), contents.get(file.sha256)!, 0o600);
  }
  const keep = new Set(files.filter((file) => file.kind === 'plugin').map((file) => `${file.name}${PLUGIN_FILE_EXTENSION}`));
  for (const entry of await readdir(pluginsDir(dataDir))) {
    if (entry.endsWith(PLUGIN_FILE_EXTENSION) && !keep.has(entry)) await rm(path.join(pluginsDir(dataDir), entry), { force: true });
  }
  if (!keepOwnCertificate && !files.some((file) => file.kind === 'certificate')) {
    await rm(certificateFiles(dataDir).certificate, { force: true });
    await rm(certificateFiles(dataDir).privateKey, { force: true });
  }
  await writeFileAtomic(path.join(dataDir, SETTINGS_FILE), `${JSON.stringify(document.settings, null, 2)}\n`);
  await writeAppliedReference(dataDir, { version: reference.version, fingerprint: reference.fingerprint, document });

  await db.$transaction([
    db.clusterNode.updateMany({ where: { id: nodeId }, data: { appliedConfigVersion: reference.version } }),
    db.clusterEvent.create({ data: { kind: 'CONFIG_APPLIED', nodeId, details: { version: reference.version } } }),
  ]);
  return reference.version;
}

function describe(file: TConfigFile): string {
  return file.kind === 'plugin' ? `plugin ${file.name}` : file.kind;
}
