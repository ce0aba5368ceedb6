/**
 * The address a node listens on (--listen) and the URL it advertises when no --advertise is
 * given. Other hosts must be able to reach what a node advertises, so the default is never a
 * loopback name unless the node listens on loopback only; and its scheme is what the server
 * serves: https:// once it serves a certificate, so a certificate pushed with a reset is
 * advertised without restarting the launcher.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import { isLoopbackHost } from '@/lib/node/loopback';

/** Every interface, as Node.js spells it. */
export const ALL_INTERFACES = ['0.0.0.0', '::'] as const;

export { isLoopbackHost };

export function isAllInterfaces(listen: string | undefined): boolean {
  return listen === undefined || (ALL_INTERFACES as readonly string[]).includes(listen);
}

/** The listen address as given, or a one-line reason why it cannot be one. */
export function checkListenAddress(value: string): { ok: true; address: string } | { ok: false; reason: string } {
  const address = value.trim();
  if (isIP(address) === 0)
    return { ok: false, reason: `--listen takes an IP address of this host (e.g. 0.0.0.0, 127.0.0.1, 10.0.0.5), not "${value}"` };
  return { ok: true, address };
}

/** What the host knows about itself, gathered once (a parameter, so the choice is testable). */
export type THostFacts = {
  /** the host name, if it is fully qualified (has a dot) and resolves to a non-loopback address */
  qualifiedName?: string;
  /** the host's non-loopback addresses, in interface order */
  addresses: string[];
};

export async function readHostFacts(): Promise<THostFacts> {
  const addresses = Object.values(os.networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal && !(entry.family === 'IPv6' && entry.address.toLowerCase().startsWith('fe80')))
    // IPv4 first: the address most operators type
    .sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1))
    .map((entry) => entry.address);
  const name = os.hostname();
  let qualifiedName: string | undefined;
  if (name.includes('.') && !isLoopbackHost(name)) {
    try {
      const resolved = await lookup(name, { all: true });
      if (resolved.some((entry) => !isLoopbackHost(entry.address))) qualifiedName = name.toLowerCase();
    } catch {
      // a name that does not resolve is no use to other hosts
    }
  }
  return { qualifiedName, addresses };
}

function hostForUrl(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

export type TScheme = 'http' | 'https';

/**
 * The default advertised URL: for a node listening on loopback only, localhost; on one address,
 * that address; on every interface, the fully qualified host name, else the first non-loopback
 * address, else (a host with loopback only) localhost. The scheme is https when the node has a
 * certificate.
 */
export function chooseAdvertiseUrl(
  port: number,
  listen: string | undefined,
  facts: THostFacts,
  scheme: TScheme = 'http',
): string {
  if (listen !== undefined && isLoopbackHost(listen)) return `${scheme}://localhost:${port}`;
  if (!isAllInterfaces(listen)) return `${scheme}://${hostForUrl(listen!)}:${port}`;
  const host = facts.qualifiedName ?? facts.addresses[0];
  return host ? `${scheme}://${hostForUrl(host)}:${port}` : `${scheme}://localhost:${port}`;
}

/**
 * The URL a server advertises from its start: one given with --advertise exactly as given; the
 * node's own choice with https:// when this server serves a certificate and http:// when it does
 * not (none, or one it cannot use). The launcher chooses before the server starts, and a
 * certificate pushed with a reset arrives after that: the server has the last word.
 */
export function advertisedUrlAtStart(
  identity: { advertiseUrl: string; advertiseChosen?: boolean },
  servesHttps: boolean,
): string {
  // absent only in files the launcher has not rewritten yet: kept as it was
  if (identity.advertiseChosen !== false) return identity.advertiseUrl;
  // the node's own choice always names its port, so only the scheme changes (not through URL, which drops :80 and :443)
  return identity.advertiseUrl.replace(/^https?:/i, servesHttps ? 'https:' : 'http:');
}

/** Whether a node listening there can be reached from other hosts. */
export function listensBeyondLoopback(listen: string | undefined): boolean {
  return listen === undefined || !isLoopbackHost(listen);
}
