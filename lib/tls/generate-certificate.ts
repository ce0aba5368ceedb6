/**
 * A self-signed server certificate for the cluster's nodes, made with `selfsigned` (on
 * @peculiar/x509): RSA 2048, SHA-256, valid about 825 days (the longest validity browsers
 * accept for a server certificate), CN = the cluster's name, SANs = every member's names and
 * addresses, so that one certificate pushed to every node is valid on each of them.
 */
import { isIP } from 'node:net';

export const GENERATED_VALIDITY_DAYS = 825;

export type TCertificatePair = { certificate: string; privateKey: string };

export type TGenerateCertificateInput = {
  commonName: string;
  /** host names and IP addresses (v4 or v6) the certificate must be valid for */
  hosts: string[];
  now?: Date;
};

export async function generateCertificate({
  commonName,
  hosts,
  now = new Date(),
}: TGenerateCertificateInput): Promise<TCertificatePair> {
  const unique = [...new Set(hosts.map((host) => host.trim()).filter(Boolean))];
  const altNames = unique.map((host) => (isIP(host) ? { type: 7 as const, ip: host } : { type: 2 as const, value: host }));
  // a minute of slack: a client whose clock is a little behind must not see "not yet valid"
  const notBeforeDate = new Date(now.getTime() - 60_000);
  // loaded when a certificate is made (rarely), not by every process that imports this file
  const { generate } = await import('selfsigned');
  const generated = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + GENERATED_VALIDITY_DAYS * 24 * 60 * 60 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  // the same form an import is stored in: PEM blocks, one trailing newline
  return { certificate: `${generated.cert.trim()}\n`, privateKey: `${generated.private.trim()}\n` };
}
