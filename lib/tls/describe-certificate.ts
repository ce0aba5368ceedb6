/**
 * What an operator (and the configuration document) needs to know about a certificate: its
 * SHA-256 fingerprint, subject, the names and addresses it covers and its validity — never
 * anything about the key.
 */
import { X509Certificate } from 'node:crypto';

/** A certificate is warned about this many days before it expires. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY_MS = 24 * 60 * 60 * 1000;

export type TCertificateDescription = {
  /** AA:BB:… upper case, as X509Certificate.fingerprint256 and browsers print it */
  fingerprint: string;
  /** e.g. "CN=demo" (several attributes joined with ", ") */
  subject: string;
  issuer: string;
  /** DNS names and IP addresses in the subjectAltName extension, in certificate order */
  sans: string[];
  notBefore: string;
  notAfter: string;
  /** whole days until notAfter; negative once expired */
  daysLeft: number;
  /** fewer than EXPIRY_WARNING_DAYS days left (true for an expired certificate too) */
  expiresSoon: boolean;
  expired: boolean;
};

/** Describes the first (leaf) certificate of a PEM text; `now` is injectable for tests. */
export function describeCertificate(pem: string | X509Certificate, now: Date = new Date()): TCertificateDescription {
  const certificate = typeof pem === 'string' ? new X509Certificate(pem) : pem;
  const notAfter = new Date(certificate.validTo).toISOString();
  return {
    fingerprint: certificate.fingerprint256,
    subject: joinDistinguishedName(certificate.subject),
    issuer: joinDistinguishedName(certificate.issuer),
    sans: subjectAltNames(certificate.subjectAltName),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter,
    ...expiryAt(notAfter, now),
  };
}

/** Days left and the warnings, for a certificate valid until NOT AFTER, seen at NOW. */
export function expiryAt(notAfter: string, now: Date): Pick<TCertificateDescription, 'daysLeft' | 'expiresSoon' | 'expired'> {
  const msLeft = new Date(notAfter).getTime() - now.getTime();
  return { daysLeft: Math.floor(msLeft / DAY_MS), expiresSoon: msLeft < EXPIRY_WARNING_DAYS * DAY_MS, expired: msLeft <= 0 };
}

// node:crypto prints one attribute per line
function joinDistinguishedName(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/**
 * The DNS names and IP addresses of a subjectAltName text such as
 * `DNS:localhost, IP Address:0:0:0:0:0:0:0:1`. Node quotes a value that contains a comma or a
 * quote as a JSON string, so a plain split on ", " is not enough. IPv6 addresses come
 * uncompressed in upper case; they are given back in their usual short form (::1).
 */
export function subjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const entries: string[] = [];
  const pattern = /(DNS|IP Address|[A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const match of text.matchAll(pattern)) {
    const [, kind, raw] = match;
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    if (kind === 'DNS') entries.push(value);
    else if (kind === 'IP Address') entries.push(compressIp(value));
  }
  return entries;
}

function compressIp(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}
