/**
 * Whether a certificate's names and addresses (its SANs, as lib/tls/describe-certificate.ts
 * lists them) cover a host: an exact name (case-insensitive), the same IP address, or a
 * wildcard `*.example.org` for exactly one label in front of it.
 */
import { isIP } from 'node:net';

function sameAddress(a: string, b: string): boolean {
  // both come from URL parsing or the certificate in their usual form; compare without case for IPv6 hex
  return a.toLowerCase() === b.toLowerCase();
}

export function certificateCovers(sans: readonly string[], host: string): boolean {
  const wanted = host.toLowerCase().replace(/\.$/, '');
  if (isIP(wanted)) return sans.some((san) => isIP(san) !== 0 && sameAddress(san, wanted));
  return sans.some((san) => {
    const name = san.toLowerCase();
    if (isIP(name)) return false;
    if (name.startsWith('*.')) {
      const dot = wanted.indexOf('.');
      return dot > 0 && wanted.slice(dot + 1) === name.slice(2);
    }
    return name === wanted;
  });
}
