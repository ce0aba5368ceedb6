/**
 * The cluster's certificate: generated once per cluster (selfsigned, on @peculiar/x509), kept
 * in the cluster row, identified by its SHA-256 fingerprint, which an operator copies from a
 * member's Join information to pin the cluster a node joins.
 */
import { X509Certificate } from 'node:crypto';
import type { TDb } from '@/lib/db/client';
import { servedCertificate } from '@/lib/tls/served-certificate';

export type TClusterCertificate = { pem: string; keyPem: string; fingerprint: string };

/** AA:BB:… upper case, the form browsers and openssl print. */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** What an operator may paste: any case, with or without colons or spaces. */
export function normalizeFingerprint(input: string): string {
  const hex = input.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

export async function ensureClusterCertificate(db: TDb): Promise<TClusterCertificate> {
  const existing = await db.cluster.findUniqueOrThrow({
    where: { id: 1 },
    select: { name: true, certificatePem: true, privateKeyPem: true },
  });
  if (existing.certificatePem && existing.privateKeyPem) {
    return {
      pem: existing.certificatePem,
      keyPem: existing.privateKeyPem,
      fingerprint: certificateFingerprint(existing.certificatePem),
    };
  }
  // loaded when a certificate is made (rarely), not by every process that imports this file
  const { generate } = await import('selfsigned');
  const generated = await generate([{ name: 'commonName', value: existing.name }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 825 * 24 * 60 * 60 * 1000),
  });
  // two nodes may generate at once: the first write wins, and both return what is stored
  await db.cluster.updateMany({
    where: { id: 1, certificatePem: null },
    data: { certificatePem: generated.cert, privateKeyPem: generated.private },
  });
  return ensureClusterCertificate(db);
}

/**
 * What a joining node pins when it joins through this node: the certificate this node serves
 * over HTTPS (checked on the TLS connection itself), or, on plain HTTP, the cluster's certificate.
 */
export async function seedFingerprint(db: TDb): Promise<{ fingerprint: string; clusterFingerprint: string }> {
  const { fingerprint: clusterFingerprint } = await ensureClusterCertificate(db);
  const served = servedCertificate();
  return { fingerprint: served.state === 'https' ? served.certificate.fingerprint : clusterFingerprint, clusterFingerprint };
}
