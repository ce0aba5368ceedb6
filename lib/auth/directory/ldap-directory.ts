/**
 * LDAP / Active Directory through ldapts: find a user with the service account (bind DN), read
 * their groups, and check their password by binding as them. The servers are tried in order; a
 * server that cannot be reached or trusted (refused connection, timeout, a certificate the
 * configured CA did not sign) sends us to the next, and when none is left the caller gets
 * DIRECTORY_UNREACHABLE naming why. The sign-in name goes into the filter only escaped
 * (RFC 4515), so `*)(uid=*` is a name that matches nobody.
 */
import { Client, Filter, InvalidCredentialsError, ResultCodeError, SizeLimitExceededError, type Entry } from 'ldapts';
import { AppError } from '@/lib/api/app-error';
import type { TLdapSettings } from '@/lib/auth/directory/schemas';

export type TDirectoryEntry = { server: string; dn: string; groups: string[] };

const DIRECTORY_UNREACHABLE = 'directory unreachable';

/** The user filter with the sign-in name in place of {user}, escaped. */
export function userFilterFor(settings: Pick<TLdapSettings, 'userFilter'>, name: string): string {
  return settings.userFilter.replaceAll('{user}', Filter.escape(name));
}

function groupFilterFor(settings: TLdapSettings, dn: string): string {
  // 1.2.840.113556.1.4.1941 is Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: groups of groups too
  const attribute = settings.nestedGroups ? `${settings.memberAttribute}:1.2.840.113556.1.4.1941:` : settings.memberAttribute;
  return `(${attribute}=${Filter.escape(dn)})`;
}

function values(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
  const value = key ? entry[key] : undefined;
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : item));
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/**
 * Opens a connection to the first server that answers and trusts, binds the service account,
 * and runs `work` on it. An LDAP answer (even a refusal) is an answer: only failures to connect
 * or to agree on TLS move on to the next server.
 */
async function withServiceAccount<T>(
  settings: TLdapSettings,
  bindPassword: string,
  work: (client: Client, server: string) => Promise<T>,
): Promise<T> {
  const failures: string[] = [];
  const timeoutMs = settings.timeoutSeconds * 1000;
  const tlsOptions = { minVersion: 'TLSv1.2' as const, ...(settings.caCertificate ? { ca: [settings.caCertificate] } : {}) };
  for (const server of settings.servers) {
    // ldapts speaks TLS from the first byte whenever it is given TLS options: only for ldaps://
    const secure = server.startsWith('ldaps://');
    const client = new Client({
      url: server,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      ...(secure ? { tlsOptions } : {}),
      strictDN: false,
    });
    try {
      if (settings.startTls && !secure) await client.startTLS({ ...tlsOptions });
      try {
        await client.bind(settings.bindDn, bindPassword);
      } catch (error) {
        if (error instanceof ResultCodeError) {
          throw new AppError(
            'DIRECTORY_UNREACHABLE',
            `${DIRECTORY_UNREACHABLE}: ${server} refused the service account (${settings.bindDn}): ${describe(error)}`,
            {
              cause: error,
            },
          );
        }
        throw error;
      }
      return await work(client, server);
    } catch (error) {
      if (error instanceof AppError) throw error;
      // the server answered, with an error (a base that does not exist, a filter it cannot run)
      if (error instanceof ResultCodeError) {
        throw new AppError('DIRECTORY_UNREACHABLE', `the directory at ${server} answered with an error: ${describe(error)}`, {
          cause: error,
        });
      }
      failures.push(`${server}: ${describe(error)}`);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
  throw new AppError('DIRECTORY_UNREACHABLE', `${DIRECTORY_UNREACHABLE}: ${failures.join('; ')}`);
}

async function findEntry(client: Client, settings: TLdapSettings, name: string): Promise<Entry | null> {
  const attributes = settings.memberOfAttribute ? [settings.memberOfAttribute] : ['1.1'];
  try {
    const { searchEntries } = await client.search(settings.userBase, {
      scope: 'sub',
      filter: userFilterFor(settings, name),
      sizeLimit: 2,
      attributes,
    });
    // two entries for one name: the filter is too loose, and nobody may sign in as "one of them"
    return searchEntries.length === 1 ? searchEntries[0] : null;
  } catch (error) {
    if (error instanceof SizeLimitExceededError) return null;
    throw error;
  }
}

async function groupsOf(client: Client, settings: TLdapSettings, entry: Entry): Promise<string[]> {
  const groups = settings.memberOfAttribute ? values(entry, settings.memberOfAttribute) : [];
  if (settings.groupBase) {
    const { searchEntries } = await client.search(settings.groupBase, {
      scope: 'sub',
      filter: groupFilterFor(settings, entry.dn),
      attributes: ['1.1'],
      sizeLimit: 1000,
    });
    groups.push(...searchEntries.map((group) => group.dn));
  }
  return [...new Set(groups)];
}

/**
 * Checks a name and password against the directory. Null: no such user (or more than one), or
 * the wrong password. The password is checked by binding as the user, after the groups are read
 * with the service account (users often cannot read group entries themselves).
 */
export async function authenticateLdapUser(
  settings: TLdapSettings,
  bindPassword: string,
  name: string,
  password: string,
): Promise<TDirectoryEntry | null> {
  // an empty password would be an unauthenticated bind, which LDAP servers answer with success
  if (password.length === 0 || name.length === 0) return null;
  return withServiceAccount(settings, bindPassword, async (client, server) => {
    const entry = await findEntry(client, settings, name);
    if (!entry) return null;
    const groups = await groupsOf(client, settings, entry);
    try {
      await client.bind(entry.dn, password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return null;
      throw error;
    }
    return { server, dn: entry.dn, groups };
  });
}

/** The user's entry and groups as the directory has them now, without their password (the periodic re-check). */
export async function lookUpLdapUser(
  settings: TLdapSettings,
  bindPassword: string,
  name: string,
): Promise<TDirectoryEntry | null> {
  return withServiceAccount(settings, bindPassword, async (client, server) => {
    const entry = await findEntry(client, settings, name);
    return entry ? { server, dn: entry.dn, groups: await groupsOf(client, settings, entry) } : null;
  });
}
