/**
 * Import: a configuration export opened with its password, previewed as the field-level
 * difference against this cluster, then applied as one new pushed version, the database sections
 * in the same transaction. A wrong password, a modified file or any invalid field refuses the
 * whole file before anything is written.
 */
import type { TDb, TTx } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { ZConfigFiles } from '@/lib/config/config-files';
import { ZConfigDocument } from '@/lib/config/config-version';
import { configFingerprint, ZServerSettings, type TConfigDocument } from '@/lib/config/document';
import { writeReference, type TPushResult } from '@/lib/config/push-configuration';
import { findSection, type TImportChange, type TImportPlan } from '@/lib/config/export/export-sections';
import {
  readExportSource,
  readSections,
  ZExportedContent,
  type TExportedContent,
} from '@/lib/config/export/export-configuration';
import { openContent } from '@/lib/config/export/sealed-file';

export type TImportPreview = {
  /** this cluster's reference version now; the import is refused if it changes before it is applied */
  basedOn: number | null;
  exportedAt: string;
  exportedFrom: TExportedContent['exportedFrom'];
  changes: TImportChange[];
  /** sections this cluster has that the file does not: left as they are */
  notInFile: string[];
};

export type TImportRequest = {
  file: string;
  password: string;
  basedOn?: number | null;
  reset: boolean;
  node: { id: string; name: string };
  actor: string;
};
export type TImportResult = TPushResult & { changes: TImportChange[] };

type TOpened = {
  content: TExportedContent;
  incoming: Map<string, unknown>;
  current: Record<string, unknown>;
  basedOn: number | null;
};

async function openImport(db: TDb, file: string, password: string): Promise<TOpened> {
  const plaintext = await openContent(file, password);
  let json: unknown;
  try {
    json = JSON.parse(plaintext);
  } catch {
    throw new AppError('VALIDATION', "the export's content is not JSON", { field: 'file' });
  }
  const parsed = ZExportedContent.safeParse(json);
  if (!parsed.success)
    throw new AppError(
      'VALIDATION',
      `the export's content is not valid: ${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}`,
      { field: 'file' },
    );
  const incoming = new Map<string, unknown>();
  for (const [name, value] of Object.entries(parsed.data.sections)) {
    const checked = findSection(name).schema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new AppError('VALIDATION', `the export's ${[name, ...issue.path].join('.')} is refused: ${issue.message}`, {
        field: 'file',
      });
    }
    incoming.set(name, checked.data);
  }
  const source = await readExportSource(db);
  return { content: parsed.data, incoming, current: await readSections(source), basedOn: source.reference?.version ?? null };
}

function compareAll(opened: TOpened): TImportChange[] {
  return [...opened.incoming].flatMap(([name, value]) => findSection(name).compare(opened.current[name], value));
}

export async function previewImport(db: TDb, request: { file: string; password: string }): Promise<TImportPreview> {
  const opened = await openImport(db, request.file, request.password);
  return {
    basedOn: opened.basedOn,
    exportedAt: opened.content.exportedAt,
    exportedFrom: opened.content.exportedFrom,
    changes: compareAll(opened),
    notInFile: Object.keys(opened.current).filter((name) => !opened.incoming.has(name)),
  };
}

export async function importConfiguration(db: TDb, request: TImportRequest): Promise<TImportResult> {
  const opened = await openImport(db, request.file, request.password);
  if (request.basedOn !== undefined && request.basedOn !== opened.basedOn) {
    throw new AppError(
      'CONFLICT',
      `the reference changed since the preview (version ${request.basedOn ?? 'none'}, now ${opened.basedOn ?? 'none'}); preview the import again`,
      { field: 'basedOn' },
    );
  }
  const plan: TImportPlan = { document: {}, files: [], writes: [] };
  for (const [name, value] of Object.entries(opened.current)) {
    const section = findSection(name);
    if (opened.incoming.has(name)) section.stage(opened.incoming.get(name), plan);
    else {
      // a section the file lacks keeps what this cluster has: its part of the document, none of its writes
      const kept: TImportPlan = { document: {}, files: [], writes: [] };
      section.stage(value, kept);
      Object.assign(plan.document, kept.document);
      plan.files.push(...kept.files);
    }
  }
  const document: TConfigDocument = ZConfigDocument.parse({
    plugins: plan.document.plugins ?? [],
    certificate: plan.document.certificate ?? null,
    settings: plan.document.settings ?? ZServerSettings.parse({}),
    ...(plan.document.trustedCas?.length ? { trustedCas: plan.document.trustedCas } : {}),
  });
  ZConfigFiles.parse(plan.files.map(({ file }) => file));
  const result = await writeReference(db, {
    expected: opened.basedOn,
    fingerprint: configFingerprint(document),
    document,
    files: plan.files,
    node: request.node,
    actor: request.actor,
    reset: request.reset,
    details: { importedFrom: opened.content.exportedFrom.node },
    alsoWrite: async (tx: TTx) => {
      for (const write of plan.writes) await write(tx, request.actor);
    },
  });
  return { ...result, changes: compareAll(opened) };
}
