/**
 * `orchctl config export|import`: the cluster's configuration as one password-encrypted file,
 * and applying such a file to a cluster after a preview of what it changes. --password-file is
 * the file's password; the signed-in user's password comes from ORCH_PASSWORD, ORCH_TOKEN or
 * the prompt.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import type { TExportFile } from '@/lib/config/export/export-configuration';
import type { TImportPreview, TImportResult } from '@/lib/config/export/import-configuration';
import type { TImportChange } from '@/lib/config/export/export-sections';
import { callApi, CliError } from './api-client';
import type { TNodeCommandOptions } from './cluster-view';
import { followRollout } from './push';

export type TExportOptions = TNodeCommandOptions & { filePassword: string; out: string };
export type TImportOptions = TNodeCommandOptions & {
  filePassword: string;
  yes?: boolean;
  reset?: boolean;
  wait?: boolean;
  timeout?: number;
};

const TRANSFER_TIMEOUT_MS = 120_000;

export async function exportConfigurationFile(options: TExportOptions): Promise<void> {
  const exported = await callApi<TExportFile>(options.url, '/api/config/export', {
    ...options,
    method: 'POST',
    body: { password: options.filePassword },
    timeoutMs: TRANSFER_TIMEOUT_MS,
  });
  await writeFile(options.out, exported.content, { mode: 0o600 });
  console.log(`configuration exported to ${options.out} (encrypted; keep the password apart from the file)`);
}

export async function importConfigurationFile(options: TImportOptions, file: string): Promise<void> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const body = { file: content, password: options.filePassword };
  const preview = await callApi<TImportPreview>(options.url, '/api/config/import/preview', {
    ...options,
    method: 'POST',
    body,
    timeoutMs: TRANSFER_TIMEOUT_MS,
  });
  console.log(
    `export of ${preview.exportedFrom.node} (reference version ${preview.exportedFrom.referenceVersion ?? 'none'}), made ${preview.exportedAt}`,
  );
  if (preview.changes.length === 0) console.log('it changes nothing on this cluster');
  for (const change of preview.changes) console.log(`  ${describeChange(change)}`);
  for (const section of preview.notInFile) console.log(`  ${section}: not in the file, left as it is`);
  if (!options.yes && !(await confirm('Import it as a new pushed version? [y/N] ')))
    throw new CliError('import cancelled; nothing changed');
  const result = await callApi<TImportResult>(options.url, '/api/config/import', {
    ...options,
    method: 'POST',
    body: { ...body, basedOn: preview.basedOn, reset: !!options.reset },
    timeoutMs: TRANSFER_TIMEOUT_MS,
  });
  console.log(
    result.created
      ? `imported as configuration version ${result.version} (fingerprint ${result.fingerprint}); every node writes it within one heartbeat`
      : `the configuration was already the reference (version ${result.version}); cluster settings and notification targets applied`,
  );
  if (result.rolloutId === null) return;
  console.log(`rolling reset #${result.rolloutId} started`);
  if (options.wait === false) return;
  await followRollout(options, result.rolloutId, (options.timeout ?? 600) * 1000);
}

export function describeChange(change: TImportChange): string {
  const base =
    change.change === 'added'
      ? `${change.field}: added (${change.incoming})`
      : change.change === 'removed'
        ? `${change.field}: removed (was ${change.current})`
        : `${change.field}: ${change.current} → ${change.incoming}`;
  return change.note ? `${base} — ${change.note}` : base;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('no terminal to confirm the import on: look at the preview above and give --yes');
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await reader.question(question)).trim());
  } finally {
    reader.close();
  }
}
