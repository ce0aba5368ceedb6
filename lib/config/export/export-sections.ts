/**
 * What a configuration export carries, as named sections. Each section says how it is read from
 * this cluster, what a file may hold (zod: the file is untrusted until it passes), how it differs
 * from what this cluster has (the import preview), and how an import applies it: into the new
 * pushed configuration version (document and files) or as a database write in the same
 * transaction (pushed-sections.ts, database-sections.ts; their shape is section.ts). A new section is
 * one definition and one line in EXPORT_SECTIONS.
 */
import { AppError } from '@/lib/api/app-error';
import { authentication, clusterSettings, notificationTargets } from '@/lib/config/export/database-sections';
import { certificate, plugins, serverSettings, trustedCas } from '@/lib/config/export/pushed-sections';
import type { TSection } from '@/lib/config/export/section';

export type { TExportSource, TImportChange, TImportPlan } from '@/lib/config/export/section';

/** Every section an export holds, in the order the preview lists them. Add a section here. */
export const EXPORT_SECTIONS: TSection<unknown>[] = [
  serverSettings,
  plugins,
  certificate,
  clusterSettings,
  notificationTargets,
  trustedCas,
  authentication,
];

export function findSection(name: string): TSection<unknown> {
  const found = EXPORT_SECTIONS.find((candidate) => candidate.name === name);
  if (!found)
    throw new AppError(
      'VALIDATION',
      `the file holds a section "${name}" this version does not know; import it with a newer version`,
      { field: 'file' },
    );
  return found;
}
