/**
 * Whether a certificate's names and addresses (its SANs, as lib/tls/describe-certificate.ts
 * lists them) cover a host: an exact name (case-insensitive), the same IP address, or a
 * wildcard `*.example.org` for exactly one label in front of it.
 */
// no Node.js module here: the cluster page's alarms run this in the browser too
const isIp = (value: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || value.includes(':');

function sameAddress(a: string, b: string): boolean {
  // both come from URL parsing or the certificate in their compressed form; IPv6 hex without case
  return a.toLowerCase() === b.toLowerCase();
}

export function certificateCovers(sans: readonly string[], host: string): boolean {
  const wanted = host.toLowerCase().replace(/\.$/, '');
  if (isIp(wanted)) return sans.some((san) => isIp(san) && sameAddress(san, wanted));
  return sans.some((san) => {
    const name = san.toLowerCase();
    if (isIp(name)) return false;
    if (name.startsWith('*.')) {
      const dot = wanted.indexOf('.');
      return dot > 0 && wanted.slice(dot + 1) === name.slice(2);
    }
    return name === wanted;
  });
}
