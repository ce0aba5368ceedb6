/**
 * Writes the newest pushed configuration into this node's data directory: plugin packages and
 * certificate from the database, server settings from the document. What the process runs does
 * not change until it restarts (hot settings excepted), so afterwards the node reports its
 * pending fingerprint equal to the reference: pending restart.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readAppliedReference, writeAppliedReference } from '@/lib/config/applied-reference';
import { configFilePath, sha256Hex, type TConfigFile } from '@/lib/config/config-files';
import { maxFileBytes, parseConfigVersion } from '@/lib/config/config-version';
import { SETTINGS_FILE } from '@/lib/config/document';
import { TRUSTED_CAS_FILE } from '@/lib/config/trusted-cas';
import { writeReceivedFile } from '@/lib/config/write-received-file';
import { certificateFiles, tlsDir } from '@/lib/tls/certificate-files';
import { readKeepOwnCertificate } from '@/lib/tls/keep-own-certificate';
import { pluginsDir } from '@/lib/plugins/installed-plugins';
import { parsePluginPackage, PLUGIN_FILE_EXTENSION } from '@/lib/plugins/package';
import { writeDisabledPlugins } from '@/lib/plugins/plugin-switches';

/** The version written, or null when this node already has the newest (or nothing was pushed yet). */
export async function applyReference(db: TDb, dataDir: string, nodeId: string): Promise<number | null> {
  const row = await db.configVersion.findFirst({ orderBy: { version: 'desc' } });
  if (!row) return null;
  const applied = await readAppliedReference(dataDir);
  if (applied && applied.version >= row.version) return null;

  // the row is untrusted until checked: a wrong name, hash or setting refuses the whole version
  const reference = parseConfigVersion(row);
  const { document } = reference;
  const keepOwnCertificate = await readKeepOwnCertificate(dataDir);
  const files = reference.files.filter((file) => file.kind === 'plugin' || !keepOwnCertificate);
  const blobs = await db.configBlob.findMany({ where: { sha256: { in: files.map((file) => file.sha256) } } });
  const contents = new Map(blobs.map((blob) => [blob.sha256, Buffer.from(blob.content).toString('utf8')]));
  // everything is fetched and checked before the first write: a broken version changes nothing
  for (const file of files) checkContent(reference.version, file, contents.get(file.sha256));

  await mkdir(pluginsDir(dataDir), { recursive: true, mode: 0o700 });
  await mkdir(tlsDir(dataDir), { recursive: true, mode: 0o700 });
  for (const file of files) {
    await writeReceivedFile(dataDir, configFilePath(dataDir, file), contents.get(file.sha256)!, 0o600);
  }
  const keep = new Set(files.filter((file) => file.kind === 'plugin').map((file) => `${file.name}${PLUGIN_FILE_EXTENSION}`));
  for (const entry of await readdir(pluginsDir(dataDir))) {
    if (entry.endsWith(PLUGIN_FILE_EXTENSION) && !keep.has(entry))
      await rm(path.join(pluginsDir(dataDir), entry), { force: true });
  }
  if (!keepOwnCertificate && !files.some((file) => file.kind === 'certificate')) {
    await rm(certificateFiles(dataDir).certificate, { force: true });
    await rm(certificateFiles(dataDir).privateKey, { force: true });
  }
  await writeReceivedFile(dataDir, path.join(dataDir, SETTINGS_FILE), `${JSON.stringify(document.settings, null, 2)}\n`);
  await writeDisabledPlugins(
    dataDir,
    document.plugins.filter((plugin) => plugin.disabled).map((plugin) => plugin.name),
  );
  if (document.trustedCas)
    await writeReceivedFile(dataDir, path.join(dataDir, TRUSTED_CAS_FILE), `${JSON.stringify(document.trustedCas, null, 2)}\n`);
  else await rm(path.join(dataDir, TRUSTED_CAS_FILE), { force: true });
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

/** one or more PEM blocks (a certificate may come with its chain) */
const PEM = /^(\s*-----BEGIN [A-Z0-9 ]+-----\r?\n[A-Za-z0-9+/=\r\n]+-----END [A-Z0-9 ]+-----)+\s*$/;

/** A file's content as stored: present, the hash it is named by, within its size, and (a plugin) a package of that name. */
function checkContent(version: number, file: TConfigFile, content: string | undefined): void {
  const refuse = (why: string) =>
    new AppError('VALIDATION', `configuration version ${version} is refused: ${describe(file)} ${why}`, { field: 'files' });
  if (content === undefined || sha256Hex(content) !== file.sha256) throw refuse('is missing or damaged');
  const bytes = Buffer.byteLength(content, 'utf8');
  if (bytes > maxFileBytes(file)) throw refuse(`is ${bytes} bytes, more than the ${maxFileBytes(file)} it may be`);
  if (file.kind !== 'plugin') {
    if (!PEM.test(content)) throw refuse('is not a PEM file');
    return;
  }
  let name: string;
  try {
    name = parsePluginPackage(content).manifest.name;
  } catch (error) {
    throw refuse(`is not a valid plugin package (${error instanceof Error ? error.message : String(error)})`);
  }
  if (name !== file.name) throw refuse(`holds the plugin ${name}`);
}
