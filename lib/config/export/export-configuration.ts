/**
 * Export: the cluster's configuration (every section of EXPORT_SECTIONS, read from the reference
 * version and the database) as one file encrypted with a password.
 */
import { z } from 'zod';
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { parseConfigVersion, type TConfigVersion } from '@/lib/config/config-version';
import { EXPORT_SECTIONS, type TExportSource } from '@/lib/config/export/export-sections';
import { sealContent } from '@/lib/config/export/sealed-file';

export const ZExportedContent = z
  .object({
    format: z.literal(1),
    exportedAt: z.string().max(100),
    exportedFrom: z
      .object({
        node: z.string().max(200),
        referenceVersion: z.number().int().nullable(),
        fingerprint: z.string().max(64).nullable(),
      })
      .strict(),
    sections: z.record(z.string().max(100), z.unknown()),
  })
  .strict();
export type TExportedContent = z.infer<typeof ZExportedContent>;

export type TExportFile = { fileName: string; content: string };

/** The reference version (checked like a node checks it) with its files' contents, to read sections from. */
export async function readExportSource(db: TDb): Promise<TExportSource> {
  const row = await db.configVersion.findFirst({ orderBy: { version: 'desc' } });
  const reference: TConfigVersion | null = row ? parseConfigVersion(row) : null;
  const blobs = reference
    ? await db.configBlob.findMany({ where: { sha256: { in: reference.files.map((file) => file.sha256) } } })
    : [];
  const contents = new Map(blobs.map((blob) => [blob.sha256, Buffer.from(blob.content).toString('utf8')]));
  return {
    db,
    reference,
    content: (file) => {
      const content = contents.get(file.sha256);
      if (content === undefined)
        throw new AppError(
          'CONFLICT',
          `the reference's ${file.kind === 'plugin' ? `plugin ${file.name}` : file.kind} is missing from the database`,
        );
      return content;
    },
  };
}

export async function readSections(source: TExportSource): Promise<Record<string, unknown>> {
  const sections: Record<string, unknown> = {};
  for (const section of EXPORT_SECTIONS) sections[section.name] = await section.read(source);
  return sections;
}

/** The export's content before encryption (the secrets test reads it to prove what is not in it). */
export async function buildExportContent(db: TDb, nodeName: string): Promise<TExportedContent> {
  const source = await readExportSource(db);
  if (!source.reference)
    throw new AppError(
      'CONFLICT',
      "nothing has been pushed yet: push the configuration first; the export carries the cluster's reference",
    );
  return {
    format: 1,
    exportedAt: new Date().toISOString(),
    exportedFrom: { node: nodeName, referenceVersion: source.reference.version, fingerprint: source.reference.fingerprint },
    sections: await readSections(source),
  };
}

export async function exportConfiguration(db: TDb, request: { password: string; nodeName: string }): Promise<TExportFile> {
  const content = await buildExportContent(db, request.nodeName);
  const stamp = content.exportedAt.replace(/[-:]/g, '').replace(/\..*$/, '');
  return {
    fileName: `configuration-v${content.exportedFrom.referenceVersion}-${stamp}.orchexport`,
    content: await sealContent(JSON.stringify(content), request.password),
  };
}
