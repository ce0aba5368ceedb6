/**
 * The shape of one section of a configuration export (lib/config/export/export-sections.ts lists
 * them): how it is read from this cluster, what a file may hold, how it differs from what this
 * cluster has, and how an import stages it. With the helpers the sections share.
 */
import type { z } from 'zod';
import type { TDb, TTx } from '@/lib/db/client';
import type { TConfigFile } from '@/lib/config/config-files';
import type { TConfigVersion } from '@/lib/config/config-version';
import type { TConfigDocument } from '@/lib/config/document';

export type TExportSource = {
  db: TDb;
  /** the cluster's reference version, with its files' contents */
  reference: TConfigVersion | null;
  content(file: TConfigFile): string;
};

/** One line of the import preview: what the import would change, field by field. */
export type TImportChange = {
  section: string;
  field: string;
  change: 'added' | 'removed' | 'changed';
  current: string | null;
  incoming: string | null;
  note?: string;
};

/** What an import writes: the parts of the new configuration version, and database writes in the same transaction. */
export type TImportPlan = {
  document: Partial<TConfigDocument>;
  files: { file: TConfigFile; content: string }[];
  writes: ((tx: TTx, actor: string) => Promise<void>)[];
};

export type TSection<T> = {
  name: string;
  schema: z.ZodType<T>;
  read(source: TExportSource): Promise<T>;
  compare(current: T, incoming: T): TImportChange[];
  stage(incoming: T, plan: TImportPlan): void;
};

/** erases T so sections of different shapes share one list; each checks its own data with its schema first */
export function section<T>(definition: TSection<T>): TSection<unknown> {
  return definition as TSection<unknown>;
}

export const show = (value: unknown) =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);

export function compareByName<T extends { name: string }>(
  sectionName: string,
  label: string,
  current: T[],
  incoming: T[],
  describe: (item: T) => string,
): TImportChange[] {
  const changes: TImportChange[] = [];
  const before = new Map(current.map((item) => [item.name, item]));
  const after = new Map(incoming.map((item) => [item.name, item]));
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [a, b] = [before.get(name), after.get(name)];
    const field = `${label} ${name}`;
    if (!a && b) changes.push({ section: sectionName, field, change: 'added', current: null, incoming: describe(b) });
    else if (a && !b) changes.push({ section: sectionName, field, change: 'removed', current: describe(a), incoming: null });
    else if (a && b && describe(a) !== describe(b))
      changes.push({ section: sectionName, field, change: 'changed', current: describe(a), incoming: describe(b) });
  }
  return changes;
}
