/**
 * Push a version again: an older kept version becomes the reference as a new version (the
 * history stays append-only), with its plugin packages and certificate from the database. Every
 * node, the one asked included, writes it within one heartbeat; with reset, a rolling restart
 * follows as after a push.
 */
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readConfigVersion } from '@/lib/config/config-history';
import { writeReference, type TPushResult } from '@/lib/config/push-configuration';

export type TRollbackRequest = { version: number; node: { id: string; name: string }; actor: string; reset: boolean };

export async function rollbackConfiguration(db: TDb, request: TRollbackRequest): Promise<TPushResult> {
  const { version, node, actor, reset } = request;
  const target = await readConfigVersion(db, version);
  const current = await db.configVersion.findFirst({
    orderBy: { version: 'desc' },
    select: { version: true, fingerprint: true },
  });
  if (current?.fingerprint === target.fingerprint && !reset) {
    throw new AppError(
      'CONFLICT',
      `nothing to push: version ${version} has the configuration of the reference (version ${current.version})`,
    );
  }
  // retention removes a blob only with the last version naming it; check anyway, so a damaged row changes nothing
  const stored = await db.configBlob.findMany({
    where: { sha256: { in: target.files.map((file) => file.sha256) } },
    select: { sha256: true },
  });
  const present = new Set(stored.map((blob) => blob.sha256));
  const missing = target.files.find((file) => !present.has(file.sha256));
  if (missing)
    throw new AppError(
      'CONFLICT',
      `version ${version} cannot be pushed again: its ${missing.kind === 'plugin' ? `plugin ${missing.name}` : missing.kind} is no longer stored`,
    );
  return writeReference(db, {
    expected: current?.version ?? null,
    fingerprint: target.fingerprint,
    document: target.document,
    files: target.files.map((file) => ({ file, content: '' })),
    node,
    actor,
    reset,
    details: { rollbackOf: version },
  });
}
