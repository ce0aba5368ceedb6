/**
 * This node's TLS certificate and private key: `<dataDir>/config/tls/certificate.pem` and
 * `private-key.pem` (mode 0600, in a 0700 folder). The listener reads them once at start, so
 * writing them changes the node's pending configuration; it takes effect after a restart.
 */
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@/lib/node/data-dir';
import type { TCertificatePair } from '@/lib/tls/generate-certificate';

export const CERTIFICATE_FILE = 'certificate.pem';
export const PRIVATE_KEY_FILE = 'private-key.pem';

export function tlsDir(dataDir: string): string {
  return path.join(dataDir, 'config', 'tls');
}

export function certificateFiles(dataDir: string): { certificate: string; privateKey: string } {
  return { certificate: path.join(tlsDir(dataDir), CERTIFICATE_FILE), privateKey: path.join(tlsDir(dataDir), PRIVATE_KEY_FILE) };
}

/** The pair on disk, or null when the node has none. One file without the other is an error. */
export async function readCertificateFiles(dataDir: string): Promise<TCertificatePair | null> {
  const files = certificateFiles(dataDir);
  const [certificate, privateKey] = await Promise.all([readIfPresent(files.certificate), readIfPresent(files.privateKey)]);
  if (certificate === undefined && privateKey === undefined) return null;
  if (certificate === undefined || privateKey === undefined) {
    throw new Error(
      `${certificate === undefined ? files.certificate : files.privateKey} is missing (the other file of the pair is there)`,
    );
  }
  return { certificate, privateKey };
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// writes into one data directory one at a time: two writers interleaving their renames would
// leave one's key next to the other's certificate
const writeQueues = new Map<string, Promise<void>>();

/**
 * Replaces the pair. Each file is renamed into place (a reader never sees half a file); the key
 * goes first and the certificate right after, so the window in which a crash could leave a
 * mismatched pair is two renames long — and the listener checks the pair before serving it.
 */
export function writeCertificateFiles(dataDir: string, pair: TCertificatePair): Promise<void> {
  const key = path.resolve(dataDir);
  const previous = writeQueues.get(key) ?? Promise.resolve();
  const next = previous.then(async () => {
    const files = certificateFiles(dataDir);
    await mkdir(tlsDir(dataDir), { recursive: true, mode: 0o700 });
    // mkdir leaves an existing folder's mode alone
    await chmod(tlsDir(dataDir), 0o700);
    await writeFileAtomic(files.privateKey, pair.privateKey, 0o600);
    await writeFileAtomic(files.certificate, pair.certificate, 0o600);
  });
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  writeQueues.set(key, settled);
  void settled.then(() => {
    if (writeQueues.get(key) === settled) writeQueues.delete(key);
  });
  return next;
}
