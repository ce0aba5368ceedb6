/**
 * GET /api/config/certificate: the certificate this process serves (read at start) next to the
 * one on disk now (what a restart would serve), and the keep-own-certificate option. Never the
 * private key.
 */
import { checkCertificatePair } from '@/lib/tls/import-certificate';
import { readCertificateFiles } from '@/lib/tls/certificate-files';
import { expiryAt, type TCertificateDescription } from '@/lib/tls/describe-certificate';
import { readKeepOwnCertificate } from '@/lib/tls/keep-own-certificate';
import { servedCertificate, type TServedCertificate } from '@/lib/tls/served-certificate';

export type TCertificateOnDisk =
  | { state: 'none' }
  | { state: 'present'; certificate: TCertificateDescription }
  /** files a restart could not serve (one missing, a key that does not match): it would serve plain HTTP */
  | { state: 'unusable'; problem: string };

export type TCertificateView = {
  served: TServedCertificate;
  onDisk: TCertificateOnDisk;
  /** a configuration push leaves this node's certificate alone */
  keepOwnCertificate: boolean;
  /** what is on disk is not what is served: a restart changes this node's certificate */
  restartPending: boolean;
};

export async function readCertificateOnDisk(dataDir: string, now = new Date()): Promise<TCertificateOnDisk> {
  try {
    const files = await readCertificateFiles(dataDir);
    if (!files) return { state: 'none' };
    return { state: 'present', certificate: checkCertificatePair(files, { now, allowExpired: true }).description };
  } catch (error) {
    return { state: 'unusable', problem: (error as Error).message };
  }
}

function servedKey(served: TServedCertificate): string {
  return served.state === 'https' ? served.certificate.fingerprint : served.state === 'http' ? 'none' : 'unusable';
}

function onDiskKey(onDisk: TCertificateOnDisk): string {
  return onDisk.state === 'present' ? onDisk.certificate.fingerprint : onDisk.state;
}

export async function readCertificateView(dataDir: string): Promise<TCertificateView> {
  const now = new Date();
  const [onDisk, keepOwnCertificate] = await Promise.all([readCertificateOnDisk(dataDir, now), readKeepOwnCertificate(dataDir)]);
  const served = refreshExpiry(servedCertificate(), now);
  return { served, onDisk, keepOwnCertificate, restartPending: servedKey(served) !== onDiskKey(onDisk) };
}

// read at start, possibly weeks ago: days left count from now
function refreshExpiry(served: TServedCertificate, now: Date): TServedCertificate {
  if (served.state !== 'https') return served;
  return { state: 'https', certificate: { ...served.certificate, ...expiryAt(served.certificate.notAfter, now) } };
}
