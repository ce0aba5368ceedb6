/**
 * Importing a certificate an operator got elsewhere (a company CA, Let's Encrypt): a PEM
 * certificate (optionally followed by its chain) and the PEM private key. Everything is checked
 * before anything is written, so a refused import leaves the node as it was.
 */
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { AppError } from '@/lib/api/app-error';
import { describeCertificate, type TCertificateDescription } from '@/lib/tls/describe-certificate';
import { writeCertificateFiles } from '@/lib/tls/certificate-files';
import type { TCertificatePair } from '@/lib/tls/generate-certificate';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_PRIVATE_KEY =
  /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

function invalid(field: keyof TCertificatePair, message: string, cause?: unknown): AppError {
  return new AppError('VALIDATION', message, { field, cause });
}

/**
 * Checks that CERTIFICATE is a PEM certificate (chain), PRIVATE KEY an unencrypted PEM key, that
 * the key belongs to the (first) certificate, that it has not expired (unless `allowExpired`:
 * a node that already has the pair keeps serving it, with the expiry shown) and that TLS can
 * serve the pair. Returns the pair in a normal form (PEM blocks only, one trailing newline) and the
 * leaf certificate's description.
 */
export function checkCertificatePair(
  input: TCertificatePair,
  options: { now?: Date; allowExpired?: boolean } = {},
): { pair: TCertificatePair; description: TCertificateDescription } {
  const blocks = input.certificate.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw invalid('certificate', 'certificate must be a PEM certificate (-----BEGIN CERTIFICATE-----)');
  let leaf: X509Certificate;
  try {
    const chain = blocks.map((block) => new X509Certificate(block));
    leaf = chain[0];
  } catch (error) {
    throw invalid('certificate', 'certificate is not a readable X.509 certificate', error);
  }

  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(input.privateKey)) {
    throw invalid('privateKey', 'privateKey is encrypted; give the key without a passphrase (the node must read it unattended)');
  }
  const keyBlock = input.privateKey.match(PEM_PRIVATE_KEY)?.[0];
  if (!keyBlock) throw invalid('privateKey', 'privateKey must be a PEM private key (-----BEGIN PRIVATE KEY-----)');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyBlock);
  } catch (error) {
    throw invalid('privateKey', 'privateKey is not a readable private key', error);
  }

  // the same public key on both sides: the key is the certificate's
  const certificateSpki = leaf.publicKey.export({ type: 'spki', format: 'der' });
  const keySpki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!certificateSpki.equals(keySpki))
    throw invalid('privateKey', 'privateKey does not belong to the certificate (their public keys differ)');

  const description = describeCertificate(leaf, options.now);
  if (description.expired && !options.allowExpired)
    throw invalid('certificate', `certificate expired on ${description.notAfter}`);

  const pair = { certificate: `${blocks.join('\n')}\n`, privateKey: `${keyBlock}\n` };
  try {
    createSecureContext({ cert: pair.certificate, key: pair.privateKey });
  } catch (error) {
    throw invalid('privateKey', `the pair cannot be served over TLS (${(error as Error).message})`, error);
  }
  return { pair, description };
}

/** Checks the pair, then writes it into the node's data directory (served after a restart). */
export async function importCertificate(dataDir: string, input: TCertificatePair): Promise<TCertificateDescription> {
  const { pair, description } = checkCertificatePair(input);
  await writeCertificateFiles(dataDir, pair);
  return description;
}
