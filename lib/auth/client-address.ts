/**
 * How a request reached this node, decided once per request by the node's front door
 * (lib/tls/listener.ts) from the socket and, only for trusted reverse proxies
 * (ORCH_TRUSTED_PROXIES), from their forwarding headers. The front door writes the result into
 * the headers below on every request, replacing anything a client sent, so route code can
 * trust them.
 */
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';

/** The client's address: the TCP peer, or, behind a trusted proxy, the address that proxy saw. */
export const CLIENT_ADDRESS_HEADER = 'x-orch-client-address';

/** "https" when the client's own connection was TLS (to this node, or to a trusted proxy), else "http". */
export const PROTOCOL_HEADER = 'x-orch-protocol';

/** The host name the client asked for (a trusted proxy's X-Forwarded-Host, else Host). */
export const HOST_HEADER = 'x-orch-host';

/** A TConnection: how the request came in. */
export const CONNECTION_HEADER = 'x-orch-connection';

/**
 * - `loopback`: straight from this machine, not from a trusted proxy, with no forwarding header:
 *   the only requests that may use plain HTTP for secrets (the local CLI, a node joining a seed on
 *   the same machine).
 * - `direct`: straight from another machine.
 * - `proxied`: from a trusted proxy, or from a loopback peer that sent forwarding headers (a
 *   proxy on this machine that nobody listed): the real client may be anywhere.
 */
export type TConnection = 'loopback' | 'direct' | 'proxied';

export type TRequestOrigin = {
  connection: TConnection;
  clientAddress: string;
  protocol: 'http' | 'https';
  host: string | undefined;
  /** a loopback peer sent forwarding headers without being listed in ORCH_TRUSTED_PROXIES */
  untrustedForwarding: boolean;
};

/** Headers by which a proxy describes the client; believed only from trusted proxies. */
export const FORWARDING_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-real-ip',
] as const;

// a host name or an address, and a port (no user info, no path)
const VALID_HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

/** One spelling per address: "::ffff:10.0.0.1" is 10.0.0.1, and IPv6 in its shortest form. */
export function canonicalAddress(address: string): string {
  const trimmed = address.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  if (!net.isIPv6(trimmed)) return trimmed;
  try {
    const shortest = new URL(`http://[${trimmed}]/`).hostname.slice(1, -1);
    // the URL form writes an IPv4-mapped address in hex ("::ffff:a00:1"): back to dotted IPv4
    const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(shortest);
    if (!mapped) return shortest;
    const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  } catch {
    return trimmed; // a zone index ("fe80::1%eth0") has no URL form
  }
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = canonicalAddress(address);
  return plain === '::1' || (net.isIPv4(plain) && plain.startsWith('127.'));
}

/** The trusted proxies from ORCH_TRUSTED_PROXIES, in the spelling the classifier compares. */
export function trustedProxySet(addresses: readonly string[]): ReadonlySet<string> {
  return new Set(addresses.map(canonicalAddress));
}

const headerValues = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value.join(',') : (value ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

/**
 * The address to record for a request: the TCP peer, unless it is a trusted proxy; then the
 * nearest address in X-Forwarded-For that is not itself a trusted proxy (walking from the right,
 * since only the hops our proxies appended can be believed).
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: ReadonlySet<string>,
): string {
  const direct = canonicalAddress(peer ?? 'unknown');
  if (!trustedProxies.has(direct) || !forwardedFor) return direct;
  const hops = headerValues(forwardedFor).map(canonicalAddress);
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    if (!trustedProxies.has(hops[index])) return hops[index];
  }
  return hops[0] ?? direct;
}

/** Classifies one request from its socket and headers (see TConnection). */
export function classifyRequest(
  request: { peer: string | undefined; encrypted: boolean; headers: IncomingHttpHeaders },
  trustedProxies: ReadonlySet<string>,
): TRequestOrigin {
  const peer = canonicalAddress(request.peer ?? 'unknown');
  const trusted = trustedProxies.has(peer);
  const forwarded = FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined);
  const loopbackPeer = isLoopbackAddress(peer);
  const connection: TConnection = trusted || (loopbackPeer && forwarded) ? 'proxied' : loopbackPeer ? 'loopback' : 'direct';

  let protocol: 'http' | 'https' = request.encrypted ? 'https' : 'http';
  const forwardedProto = headerValues(request.headers['x-forwarded-proto']).map((value) => value.toLowerCase());
  // every hop a trusted chain reports must have been https; one plain hop makes the request plain
  if (trusted && forwardedProto.length > 0) protocol = forwardedProto.every((value) => value === 'https') ? 'https' : 'http';

  const forwardedHost = headerValues(request.headers['x-forwarded-host'])[0];
  const host = trusted && forwardedHost && VALID_HOST.test(forwardedHost) ? forwardedHost : request.headers.host;

  return {
    connection,
    clientAddress: clientAddress(peer, request.headers['x-forwarded-for'], trustedProxies),
    protocol,
    host,
    untrustedForwarding: !trusted && loopbackPeer && forwarded,
  };
}

/** Whether a Host header value can be put into a URL as it is. */
export function isValidHost(host: string | undefined): host is string {
  return host !== undefined && VALID_HOST.test(host);
}
