/**
 * The names and addresses a cluster certificate must cover: for every member that has not been
 * removed, the host of its advertised URL and its node name, plus the loopback names (the local
 * CLI and health checks). Read from the database, so it is the same list on every node.
 */
import { isIP } from 'node:net';
import type { TDb } from '@/lib/db/client';

export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '::1'] as const;

// a DNS name a certificate can carry: dot-separated labels of letters, digits and hyphens
const DNS_NAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/i;

/** The host part of URL (brackets of an IPv6 address removed), or undefined when it is not a URL. */
export function urlHost(url: string): string | undefined {
  try {
    const { hostname } = new URL(url);
    return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  } catch {
    return undefined;
  }
}

/** Names that can go into a certificate, each once, in the order given; others (e.g. "node 1") are left out. */
export function certificateHosts(candidates: (string | undefined)[]): string[] {
  const hosts = new Map<string, string>();
  for (const candidate of candidates) {
    const host = candidate?.trim();
    if (!host || !(isIP(host) || DNS_NAME.test(host))) continue;
    const key = host.toLowerCase();
    if (!hosts.has(key)) hosts.set(key, isIP(host) ? host : key);
  }
  return [...hosts.values()];
}

export async function listMemberHosts(db: TDb, extra: string[] = []): Promise<string[]> {
  const members = await db.clusterNode.findMany({
    where: { removedAt: null },
    select: { name: true, url: true },
    orderBy: { memberNo: 'asc' },
  });
  return certificateHosts([...members.flatMap((member) => [urlHost(member.url), member.name]), ...extra, ...LOOPBACK_HOSTS]);
}
