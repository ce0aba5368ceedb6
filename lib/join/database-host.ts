/**
 * Where a database URL points, without who connects: `host:port[,host:port…]/database`. This is
 * what the administrator confirms before a join; the user name, password and query options
 * (which may hold a password or key file too) are never part of it.
 */
const URL_SHAPE = /^postgres(?:ql)?:\/\/(?:[^/?#]*@)?([^@/?#]+)(\/[^?#]*)?(?:[?#].*)?$/s;
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;

/** host:port list and database of a postgres:// URL, or undefined when it is not one. */
export function describeDatabaseHost(databaseUrl: string): string | undefined {
  const match = URL_SHAPE.exec(databaseUrl);
  if (!match) return undefined;
  const hosts = match[1].split(',');
  if (!hosts.every((host) => HOST.test(host))) return undefined;
  const withPorts = hosts.map((host) => (/:\d+$/.test(host) && !host.endsWith(']') ? host : `${host}:5432`));
  let database: string;
  try {
    database = decodeURIComponent((match[2] ?? '/').slice(1));
  } catch {
    return undefined;
  }
  return `${withPorts.join(',')}/${database}`;
}
