/**
 * The cluster's trusted CA certificates: HTTP elements of workflows trust them besides the
 * system's CAs (an internal PKI). They live in the node's data directory
 * (config/trusted-cas.json), are added or removed on one node, and reach the others with the
 * pushed configuration, like plugins (lib/config/document.ts, apply-reference.ts). Read at each
 * call, so a pushed change applies without a restart. CA certificates are public: no secret here.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { writeFileAtomic } from '@/lib/node/data-dir';

export const TRUSTED_CAS_FILE = path.join('config', 'trusted-cas.json');
export const MAX_TRUSTED_CAS = 100;
const MAX_PEM_CHARS = 16 * 1024;

export const ZTrustedCaName = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'must hold only letters, digits, spaces, ".", "_" and "-"');
export const ZTrustedCa = z
  .object({ name: ZTrustedCaName, pem: z.string().min(1).max(MAX_PEM_CHARS, `must be at most ${MAX_PEM_CHARS} characters`) })
  .strict();
export type TTrustedCa = z.infer<typeof ZTrustedCa>;
export const ZTrustedCas = z.array(ZTrustedCa).max(MAX_TRUSTED_CAS, `at most ${MAX_TRUSTED_CAS} trusted CA certificates`);

export type TTrustedCaView = { name: string; fingerprint: string; subject: string; notAfter: string };

/** The certificate checked: one PEM certificate, a CA. Throws an AppError naming the field. */
export function describeTrustedCa(ca: TTrustedCa): TTrustedCaView {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(ca.pem);
  } catch {
    throw new AppError('VALIDATION', 'pem is not a PEM certificate', { field: 'pem' });
  }
  if (!certificate.ca)
    throw new AppError(
      'VALIDATION',
      `pem is not a CA certificate (${certificate.subject.replaceAll('\n', ', ')} has no CA basic constraint)`,
      { field: 'pem' },
    );
  return {
    name: ca.name,
    fingerprint: certificate.fingerprint256,
    subject: certificate.subject.replaceAll('\n', ', '),
    notAfter: new Date(certificate.validTo).toISOString(),
  };
}

export async function readTrustedCas(dataDir: string): Promise<TTrustedCa[]> {
  const file = path.join(dataDir, TRUSTED_CAS_FILE);
  if (!existsSync(file)) return [];
  return ZTrustedCas.parse(JSON.parse(await readFile(file, 'utf8')));
}

/** The PEM texts for a TLS client; an unreadable file trusts nothing more (and says so in the call's error). */
export async function readTrustedCaPems(dataDir: string): Promise<string[]> {
  try {
    return (await readTrustedCas(dataDir)).map((ca) => ca.pem);
  } catch {
    return [];
  }
}

export async function writeTrustedCas(dataDir: string, cas: TTrustedCa[]): Promise<void> {
  await mkdir(path.join(dataDir, 'config'), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(dataDir, TRUSTED_CAS_FILE), `${JSON.stringify(ZTrustedCas.parse(cas), null, 2)}\n`, 0o644);
}

export async function listTrustedCas(dataDir: string): Promise<TTrustedCaView[]> {
  return (await readTrustedCas(dataDir)).map(describeTrustedCa);
}

/** Adds (or replaces, by name) a CA on this node; push the configuration to give it to the others. */
export async function addTrustedCa(dataDir: string, ca: TTrustedCa): Promise<TTrustedCaView> {
  const view = describeTrustedCa(ca);
  const others = (await readTrustedCas(dataDir)).filter((item) => item.name !== ca.name);
  if (others.length >= MAX_TRUSTED_CAS)
    throw new AppError('VALIDATION', `at most ${MAX_TRUSTED_CAS} trusted CA certificates`, { field: 'name' });
  await writeTrustedCas(
    dataDir,
    [...others, { name: ca.name, pem: `${ca.pem.trim()}\n` }].sort((a, b) => (a.name < b.name ? -1 : 1)),
  );
  return view;
}

export async function removeTrustedCa(dataDir: string, name: string): Promise<{ removed: string }> {
  const cas = await readTrustedCas(dataDir);
  if (!cas.some((ca) => ca.name === name)) throw new AppError('NOT_FOUND', `no trusted CA is named "${name}"`);
  await writeTrustedCas(
    dataDir,
    cas.filter((ca) => ca.name !== name),
  );
  return { removed: name };
}
