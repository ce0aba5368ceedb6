/**
 * Push configuration: this node's configuration on disk becomes a new immutable version in the
 * database, the cluster's reference. Every other node writes it into its data directory within
 * one heartbeat (lib/config/config-sync.ts). With `reset`, a rolling restart follows
 * (lib/config/rollout.ts).
 */
import { readFile } from 'node:fs/promises';
import type { TDb, TTx } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { configFilePath, sha256Hex, ZConfigFiles, type TConfigFile } from '@/lib/config/config-files';
import { configFingerprint, readLocalConfig, type TConfigDocument } from '@/lib/config/document';
import { readKeepOwnCertificate } from '@/lib/tls/keep-own-certificate';
import { planRollout } from '@/lib/config/plan-rollout';
import { freezePoint } from '@/lib/cluster/test-freeze';
import {
  lockConfiguration,
  restoreActiveSlots,
  settleStalledRollouts,
  type TSettledRollouts,
} from '@/lib/config/settle-rollouts';

export type TPushRequest = { dataDir: string; node: { id: string; name: string }; actor: string; reset: boolean };
export type TPushResult = { version: number; fingerprint: string; created: boolean; rolloutId: number | null };

export async function pushConfiguration(db: TDb, request: TPushRequest): Promise<TPushResult> {
  const { dataDir, node, actor, reset } = request;
  const current = await db.configVersion.findFirst({ orderBy: { version: 'desc' } });
  const local = await readLocalConfig(dataDir);
  const keepOwnCertificate = await readKeepOwnCertificate(dataDir);
  // a node that keeps its own certificate never hands it to the others: the reference keeps its certificate
  const document: TConfigDocument = keepOwnCertificate
    ? { ...local, certificate: (current?.document as TConfigDocument | undefined)?.certificate ?? null }
    : local;
  const fingerprint = configFingerprint(document);
  if (local.certificate?.fingerprint === 'INVALID' && !keepOwnCertificate) {
    throw new AppError('CONFLICT', 'the certificate file on this node cannot be read; fix or replace it before pushing', {
      field: 'certificate',
    });
  }
  if (current?.fingerprint === fingerprint && !reset) {
    throw new AppError(
      'CONFLICT',
      `nothing to push: the configuration of ${node.name} is already the reference (version ${current.version})`,
    );
  }

  const files: { file: TConfigFile; content: string }[] = [];
  for (const plugin of document.plugins)
    files.push(await readChecked(dataDir, { kind: 'plugin', name: plugin.name, sha256: plugin.sha256 }));
  if (document.certificate) {
    if (keepOwnCertificate) {
      files.push(
        ...ZConfigFiles.parse(current?.files ?? [])
          .filter((file) => file.kind !== 'plugin')
          .map((file) => ({ file, content: '' })),
      );
    } else {
      for (const kind of ['certificate', 'private-key'] as const) {
        const content = await readFile(configFilePath(dataDir, { kind, sha256: '' }), 'utf8');
        files.push({ file: { kind, sha256: sha256Hex(content) }, content });
      }
    }
  }

  return writeReference(db, {
    expected: current?.version ?? null,
    fingerprint,
    document,
    files,
    node,
    actor,
    reset,
    details: {},
  });
}

export type TNewReference = {
  /** the reference version the caller read; a push in between makes this one refused */
  expected: number | null;
  fingerprint: string;
  document: TConfigDocument;
  /** content '' for a file whose blob is already in the database */
  files: { file: TConfigFile; content: string }[];
  node: { id: string; name: string };
  actor: string;
  reset: boolean;
  /** added to the CONFIG_PUSHED event, e.g. { rollbackOf: 3 } */
  details: Record<string, string | number>;
  /** more writes that must commit or fail with the version (an import's cluster settings) */
  alsoWrite?: (tx: TTx) => Promise<void>;
};

/** Writes DOCUMENT as the new reference (unless it already is) and, with reset, starts a rolling reset: one transaction. */
export async function writeReference(db: TDb, request: TNewReference): Promise<TPushResult> {
  const { expected, fingerprint, document, files, node, actor, reset } = request;
  let restores: TSettledRollouts['restores'] = [];
  const result = await db.$transaction(async (tx) => {
    // one push or reset at a time; not the cluster row (elections never wait for a push), and a
    // pushing node that freezes here is rolled back by its session's idle-in-transaction limit
    await lockConfiguration(tx);
    await freezePoint('push');
    if (reset) restores = await settleRunningRollouts(tx);
    const latest = await tx.configVersion.findFirst({ orderBy: { version: 'desc' } });
    if ((latest?.version ?? null) !== expected)
      throw new AppError('CONFLICT', 'someone else pushed at the same moment; look at the new reference and push again');
    let version = latest?.version ?? 0;
    const created = latest?.fingerprint !== fingerprint;
    if (created) {
      await tx.configBlob.createMany({
        data: files
          .filter(({ content }) => content !== '')
          .map(({ file, content }) => ({ sha256: file.sha256, content: Buffer.from(content, 'utf8') })),
        skipDuplicates: true,
      });
      const row = await tx.configVersion.create({
        data: {
          fingerprint,
          document,
          files: files.map(({ file }) => file),
          pushedBy: actor,
          pushedFromNode: node.id,
          pushedFromName: node.name,
        },
      });
      version = row.version;
      await tx.clusterEvent.create({
        data: {
          kind: 'CONFIG_PUSHED',
          nodeId: node.id,
          actor,
          details: { version, fingerprint, plugins: document.plugins.length, reset, ...request.details },
        },
      });
    }
    await request.alsoWrite?.(tx);
    let rolloutId: number | null = null;
    if (reset) {
      const steps = await planRollout(tx, node.id);
      const rollout = await tx.configRollout.create({
        data: { version, startedBy: actor, coordinatorNode: node.id, status: 'RUNNING', steps },
      });
      rolloutId = rollout.id;
      await tx.clusterEvent.create({
        data: { kind: 'ROLLOUT_STARTED', nodeId: node.id, actor, details: { version, rollout: rollout.id, nodes: steps.length } },
      });
    }
    return { version, fingerprint, created, rolloutId };
  });
  await restoreActiveSlots(db, restores);
  return result;
}

/** One rolling reset at a time; one whose coordinator stopped responding is given up first. */
async function settleRunningRollouts(tx: TTx): Promise<TSettledRollouts['restores']> {
  const {
    alive: [running],
    restores,
  } = await settleStalledRollouts(tx);
  if (running !== undefined) throw new AppError('CONFLICT', `rolling reset #${running} is still running; wait for it to finish`);
  return restores;
}

/** A file the document names, read from disk and checked against the document's hash. */
async function readChecked(dataDir: string, file: TConfigFile): Promise<{ file: TConfigFile; content: string }> {
  const content = await readFile(configFilePath(dataDir, file), 'utf8');
  if (sha256Hex(content) !== file.sha256)
    throw new AppError('CONFLICT', 'the configuration changed while it was being pushed; push again');
  return { file, content };
}
