/**
 * The pushed configuration versions still kept (retention keeps `configVersionsKept`), newest
 * first, each with what changed against the version before it; and the field-level difference
 * between any two of them.
 */
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { diffConfigs, type TConfigDifference } from '@/lib/config/config-diff';
import { parseConfigVersion, type TConfigVersion } from '@/lib/config/config-version';

export type THistoryEntry = {
  version: number;
  fingerprint: string;
  pushedBy: string;
  pushedAt: string;
  pushedFromNode: string;
  pushedFromName: string;
  /** the newest version: what every node should run */
  reference: boolean;
  /** against the version before it; null for the oldest version kept (its predecessor is gone) */
  changes: TConfigDifference[] | null;
  /** the refusal when the stored row does not pass its checks (it cannot be pushed again) */
  invalid: string | null;
};

export type TVersionComparison = { from: number; to: number; differences: TConfigDifference[] };

export async function listConfigHistory(db: TDb): Promise<THistoryEntry[]> {
  const rows = await db.configVersion.findMany({ orderBy: { version: 'desc' } });
  const documents = rows.map((row) => checked(row));
  return rows.map((row, index) => {
    const own = documents[index];
    const previous = documents[index + 1];
    return {
      version: row.version,
      fingerprint: row.fingerprint,
      pushedBy: row.pushedBy,
      pushedAt: row.pushedAt.toISOString(),
      pushedFromNode: row.pushedFromNode,
      pushedFromName: row.pushedFromName,
      reference: index === 0,
      changes:
        previous === undefined || 'invalid' in own || 'invalid' in previous ? null : diffConfigs(own.document, previous.document),
      invalid: 'invalid' in own ? own.invalid : null,
    };
  });
}

/** What TO has against FROM: "added" means TO has it and FROM has not. */
export async function compareConfigVersions(db: TDb, from: number, to: number): Promise<TVersionComparison> {
  const [a, b] = await Promise.all([readConfigVersion(db, from), readConfigVersion(db, to)]);
  return { from, to, differences: diffConfigs(b.document, a.document) };
}

/** One kept version, checked like a node checks it before writing it to disk. */
export async function readConfigVersion(db: TDb, version: number): Promise<TConfigVersion & { pushedAt: Date }> {
  const row = await db.configVersion.findUnique({ where: { version } });
  if (!row)
    throw new AppError('NOT_FOUND', `configuration version ${version} does not exist (or was removed by retention)`, {
      field: 'version',
    });
  return { ...parseConfigVersion(row), pushedAt: row.pushedAt };
}

function checked(row: {
  version: number;
  fingerprint: string;
  document: unknown;
  files: unknown;
}): TConfigVersion | { invalid: string } {
  try {
    return parseConfigVersion(row);
  } catch (error) {
    return { invalid: error instanceof Error ? error.message : String(error) };
  }
}
