/**
 * libpq-style connection strings with one or several hosts
 * (`postgresql://user:secret@db1:5432,db2:5432/orch?target_session_attrs=read-write`).
 * WHATWG `URL` cannot hold a host list, and node-postgres takes only one host, so the string is
 * split here into its parts, validated (one line naming what is wrong), shown redacted, and turned
 * into one pg config per host.
 */
import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';

export const DEFAULT_PORT = 5432;

/** What a connection must be: libpq's names. `read-write`/`primary` need a server that is not in recovery. */
export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'primary', 'read-only', 'standby'] as const;
export type TTargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type TSslMode = (typeof SSL_MODES)[number];

const ZHost = z.object({
  host: z
    .string()
    .min(1, 'a host is empty')
    .max(253)
    .refine((host) => /^[A-Za-z0-9._-]+$/.test(host) || /^[0-9A-Fa-f:.]+$/.test(host), 'is not a host name or IP address'),
  port: z.number().int().min(1).max(65535),
});
export type THostPort = z.infer<typeof ZHost>;

const ZParameters = z
  .object({
    target_session_attrs: z.enum(TARGET_SESSION_ATTRS).default('any'),
    sslmode: z.enum(SSL_MODES).default('prefer'),
    sslrootcert: z.string().min(1).optional(),
    connect_timeout: z.coerce.number().int().min(1).max(600).optional(),
    application_name: z.string().max(63).optional(),
  })
  .strict();

export type TConnectionString = {
  user: string;
  password?: string;
  database: string;
  hosts: THostPort[];
  targetSessionAttrs: TTargetSessionAttrs;
  sslMode: TSslMode;
  sslRootCert?: string;
  connectTimeoutSeconds?: number;
  applicationName?: string;
};

// scheme://[userinfo@]hostlist[/database][?query]; no fragment
const SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/;

function refuse(message: string): never {
  throw new AppError('BAD_REQUEST', `database URL: ${message}`, { field: 'url' });
}

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return refuse(`the ${what} has a broken %-escape`);
  }
}

function parseHost(entry: string, index: number, count: number): THostPort {
  const which = count > 1 ? `host ${index + 1} ("${entry}")` : `host "${entry}"`;
  if (entry === '') refuse(count > 1 ? `host ${index + 1} of the list is empty` : 'no host is given');
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(entry);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (entry.includes('[') || entry.includes(']')) {
    return refuse(`${which} has an unbalanced bracket`);
  } else {
    const colon = entry.lastIndexOf(':');
    host = colon === -1 ? entry : entry.slice(0, colon);
    portText = colon === -1 ? undefined : entry.slice(colon + 1);
  }
  if (portText !== undefined && !/^[0-9]{1,5}$/.test(portText)) refuse(`the port of ${which} is not a number`);
  const parsed = ZHost.safeParse({ host: decode(host, 'host'), port: portText === undefined ? DEFAULT_PORT : Number(portText) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    refuse(issue.path[0] === 'port' ? `the port of ${which} must be between 1 and 65535` : `${which} ${issue.message}`);
  }
  return parsed.data;
}

/** Parses and validates a connection string; throws AppError('BAD_REQUEST') with one line naming what is wrong. */
export function parseConnectionString(text: string): TConnectionString {
  const trimmed = text.trim();
  if (trimmed === '') refuse('it is empty');
  if (/\s/.test(trimmed)) refuse('it contains white space');
  const match = SHAPE.exec(trimmed);
  if (!match) refuse('it is not of the form postgresql://user@host:port/database');
  const [, scheme, userinfo, hostList, pathPart, query] = match;
  if (scheme !== 'postgresql' && scheme !== 'postgres') refuse(`the scheme must be postgresql:// (not ${scheme}://)`);

  const entries = hostList.split(',');
  const hosts = entries.map((entry, index) => parseHost(entry, index, entries.length));

  let user = '';
  let password: string | undefined;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon), 'user');
    if (colon !== -1) password = decode(userinfo.slice(colon + 1), 'password');
  }
  if (user === '') refuse('no user is given (postgresql://user@host/database)');

  const databasePath = (pathPart ?? '').replace(/^\//, '');
  if (databasePath.includes('/')) refuse('the database name contains "/"');
  const database = databasePath === '' ? user : decode(databasePath, 'database name');

  const raw: Record<string, string> = {};
  for (const pair of (query ?? '').split('&').filter(Boolean)) {
    const equals = pair.indexOf('=');
    const key = decode(equals === -1 ? pair : pair.slice(0, equals), 'parameter name');
    if (key in raw) refuse(`the parameter ${key} is given twice`);
    raw[key] = decode(equals === -1 ? '' : pair.slice(equals + 1).replaceAll('+', ' '), `parameter ${key}`);
  }
  const parameters = ZParameters.safeParse(raw);
  if (!parameters.success) {
    const issue = parameters.error.issues[0];
    if (issue.code === 'unrecognized_keys')
      refuse(`unknown parameter ${issue.keys[0]} (known: ${Object.keys(ZParameters.shape).join(', ')})`);
    const key = String(issue.path[0]);
    if (issue.code === 'invalid_value') refuse(`${key} must be one of ${issue.values.join(', ')}`);
    refuse(`${key} is not valid (${issue.message})`);
  }

  return {
    user,
    password,
    database,
    hosts,
    targetSessionAttrs: parameters.data.target_session_attrs,
    sslMode: parameters.data.sslmode,
    sslRootCert: parameters.data.sslrootcert,
    connectTimeoutSeconds: parameters.data.connect_timeout,
    applicationName: parameters.data.application_name,
  };
}

export function formatHost({ host, port }: THostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The only form of a connection string that may be shown or logged: the password is `***`. */
export function redactConnectionString(connection: TConnectionString): string {
  const userinfo = `${encodeURIComponent(connection.user)}${connection.password !== undefined ? ':***' : ''}@`;
  return `postgresql://${userinfo}${connection.hosts.map(formatHost).join(',')}/${encodeURIComponent(connection.database)}`;
}

/** Redacts a connection string given as text, valid or not (never echoes what it cannot parse). */
export function redactConnectionText(text: string): string {
  try {
    return redactConnectionString(parseConnectionString(text));
  } catch {
    return '(invalid database URL)';
  }
}

/** Whether a server with these facts satisfies target_session_attrs (libpq's rules). */
export function satisfiesTarget(target: TTargetSessionAttrs, server: { inRecovery: boolean; readOnly: boolean }): boolean {
  switch (target) {
    case 'any':
      return true;
    case 'read-write':
      return !server.readOnly && !server.inRecovery;
    case 'primary':
      return !server.inRecovery;
    case 'read-only':
      return server.readOnly || server.inRecovery;
    case 'standby':
      return server.inRecovery;
  }
}

/**
 * node-postgres's TLS options for an sslmode. node-postgres cannot fall back from TLS to plain
 * text, so `allow` and `prefer` connect without TLS; `require` encrypts without checking the
 * certificate; `verify-ca` checks the chain; `verify-full` also checks the host name.
 */
export function sslOptions(connection: TConnectionString): ClientConfig['ssl'] {
  const ca = connection.sslRootCert ? readFileSync(connection.sslRootCert, 'utf8') : undefined;
  switch (connection.sslMode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      return { rejectUnauthorized: true, ca, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { rejectUnauthorized: true, ca };
  }
}

/** One pg config for one host of the list. */
export function hostClientConfig(
  connection: TConnectionString,
  host: THostPort,
  options: { connectTimeoutMs?: number } = {},
): ClientConfig {
  const timeoutMs = options.connectTimeoutMs ?? (connection.connectTimeoutSeconds ?? 5) * 1000;
  return {
    host: host.host,
    port: host.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    ssl: sslOptions(connection),
    connectionTimeoutMillis: timeoutMs,
    application_name: connection.applicationName,
  };
}

/**
 * A one-host URL for the host found to be the primary, for tools that take one host only (the
 * Prisma CLI's migrations). It carries the password: hand it over in an environment variable,
 * never show it.
 */
export function singleHostUrl(connection: TConnectionString, host: THostPort): string {
  const userinfo = `${encodeURIComponent(connection.user)}${connection.password !== undefined ? `:${encodeURIComponent(connection.password)}` : ''}@`;
  const parameters = new URLSearchParams({ sslmode: connection.sslMode });
  if (connection.sslRootCert) parameters.set('sslrootcert', connection.sslRootCert);
  if (connection.connectTimeoutSeconds) parameters.set('connect_timeout', String(connection.connectTimeoutSeconds));
  if (connection.applicationName) parameters.set('application_name', connection.applicationName);
  return `postgresql://${userinfo}${formatHost(host)}/${encodeURIComponent(connection.database)}?${parameters.toString()}`;
}
