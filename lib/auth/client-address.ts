/**
 * The node server (scripts/node-server.ts) writes the client's address into this header on
 * every request, replacing anything a client sent, so route code can trust it: the TCP peer, or,
 * when the peer is a trusted reverse proxy (ORCH_TRUSTED_PROXIES), the address that proxy saw.
 */
export const CLIENT_ADDRESS_HEADER = 'x-orch-client-address';

/** Set the same way: "https" when the request came over TLS, else "http". */
export const PROTOCOL_HEADER = 'x-orch-protocol';

/** "::ffff:10.0.0.1" and "10.0.0.1" are one IPv4 client. */
const plain = (address: string) => address.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

/**
 * The address to record for a request: the TCP peer, unless it is a trusted proxy; then the
 * nearest address in X-Forwarded-For that is not itself a trusted proxy (walking from the right,
 * since only the hops our proxies appended can be believed).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: ReadonlySet<string>): string {
  const direct = plain(peer ?? 'unknown');
  if (!trustedProxies.has(direct) || !forwardedFor) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map(plain).filter(Boolean);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    if (!trustedProxies.has(hops[index])) return hops[index];
  }
  return hops[0] ?? direct;
}
