/**
 * `orchctl auth …`: how users sign in to the cluster (local accounts, LDAP / Active Directory,
 * OpenID Connect), and a test of a directory user. Secrets (the bind password, the client
 * secret, a test user's password) come from files or the environment, never from arguments.
 */
import { readFile } from 'node:fs/promises';
import type { TAuthConfigUpdate, TAuthConfigView, TDirectoryTestResult, TRoleMapping } from '@/lib/auth/directory/schemas';
import { ROLES } from '@/lib/auth/roles';
import { authTestPasswordEnv } from '@/lib/env';
import { callApi, CliError, type TCredentialOptions } from './api-client';
import { promptSecret, readSecretFile } from './secret-input';

type TBase = TCredentialOptions & { url: string };

export type TAuthLdapOptions = TBase & {
  server?: string[];
  caFile?: string;
  startTls?: boolean;
  bindDn?: string;
  bindPasswordFile?: string;
  userBase?: string;
  userFilter?: string;
  groupBase?: string;
  memberAttribute?: string;
  memberOfAttribute?: string;
  nestedGroups?: boolean;
  timeout?: number;
  role?: string[];
  disable?: boolean;
  remove?: boolean;
};

export type TAuthOidcOptions = TBase & {
  issuer?: string;
  clientId?: string;
  clientSecretFile?: string;
  scopes?: string;
  groupsClaim?: string;
  nameClaim?: string;
  label?: string;
  role?: string[];
  disable?: boolean;
  remove?: boolean;
};

export type TAuthLocalOptions = TBase & { enable?: boolean; disable?: boolean; recheckSeconds?: number };
export type TAuthTestOptions = TBase & { testUser: string; testPasswordFile?: string; json?: boolean };

/** Repeatable options collect into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** GROUP=ROLE, split at the last "=" (a DN holds "=" itself). */
export function parseRoleMappings(values: string[] | undefined): TRoleMapping[] {
  return (values ?? []).map((value) => {
    const at = value.lastIndexOf('=');
    const group = value.slice(0, at).trim();
    const role = value.slice(at + 1).trim();
    if (at <= 0 || !group || !(ROLES as readonly string[]).includes(role)) {
      throw new CliError(`--role ${value}: give GROUP=ROLE with ROLE one of ${ROLES.join(', ')}`);
    }
    return { group, role: role as TRoleMapping['role'] };
  });
}

async function readPem(option: string, file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `${option} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

const readConfig = (options: TBase) => callApi<TAuthConfigView>(options.url, '/api/auth/config', options);

/** Applies a change against the version just read: a concurrent edit answers 409. */
async function update(options: TBase, change: Omit<TAuthConfigUpdate, 'version'>): Promise<TAuthConfigView> {
  const current = await readConfig(options);
  return callApi<TAuthConfigView>(options.url, '/api/auth/config', {
    ...options,
    method: 'PUT',
    body: { ...change, version: current.version },
  });
}

export function describeAuthConfig(config: TAuthConfigView): string {
  const mappings = (roles: TRoleMapping[]) =>
    roles.length
      ? roles.map((mapping) => `    ${mapping.group} -> ${mapping.role}`).join('\n')
      : '    (none: every directory user is refused)';
  const lines = [
    `version ${config.version} (changed ${config.updatedAt}${config.updatedBy ? ` by ${config.updatedBy}` : ''})`,
    `local accounts: ${config.localAccountsEnabled ? 'on' : 'off (root only)'}`,
    `directory roles re-checked every ${config.roleRecheckSeconds} s`,
  ];
  if (config.ldap) {
    const ldap = config.ldap;
    lines.push(
      `LDAP: ${ldap.enabled ? 'on' : 'off'}`,
      `  servers: ${ldap.servers.join(', ')}${ldap.startTls ? ' (StartTLS)' : ''}${ldap.caCertificate ? ', own CA certificate' : ''}`,
      `  bind DN: ${ldap.bindDn} (password ${ldap.hasBindPassword ? 'stored' : 'missing'})`,
      `  users: ${ldap.userFilter} under ${ldap.userBase}`,
      `  groups: ${[ldap.memberOfAttribute ? `attribute ${ldap.memberOfAttribute}` : null, ldap.groupBase ? `${ldap.memberAttribute} under ${ldap.groupBase}${ldap.nestedGroups ? ' (nested)' : ''}` : null].filter(Boolean).join(' and ')}`,
      '  roles:',
      mappings(ldap.roles),
    );
  } else lines.push('LDAP: not configured');
  if (config.oidc) {
    const oidc = config.oidc;
    lines.push(
      `OpenID Connect: ${oidc.enabled ? 'on' : 'off'}`,
      `  issuer: ${oidc.issuer}, client ${oidc.clientId} (secret ${oidc.hasClientSecret ? 'stored' : 'missing'})`,
      `  scopes: ${oidc.scopes}; groups from "${oidc.groupsClaim}", name from "${oidc.nameClaim}"`,
      `  redirect URI to register: <each node's URL>${oidc.callbackPath}`,
      '  roles:',
      mappings(oidc.roles),
    );
  } else lines.push('OpenID Connect: not configured');
  return lines.join('\n');
}

export async function showAuth(options: TBase & { json?: boolean }): Promise<void> {
  const config = await readConfig(options);
  console.log(options.json ? JSON.stringify(config, null, 2) : describeAuthConfig(config));
}

export async function configureLdap(options: TAuthLdapOptions): Promise<void> {
  if (options.remove) return void console.log(describeAuthConfig(await update(options, { ldap: null })));
  const current = await readConfig(options);
  const before = current.ldap;
  const required = (value: string | undefined, flag: string) => {
    if (!value) throw new CliError(`${flag} is required${before ? '' : ' (no LDAP configuration yet)'}`);
    return value;
  };
  const roles = options.role ? parseRoleMappings(options.role) : before?.roles;
  const ldap = {
    enabled: !options.disable,
    servers: options.server?.length ? options.server : (before?.servers ?? []),
    startTls: options.startTls ?? before?.startTls ?? false,
    caCertificate: (await readPem('--ca-file', options.caFile)) ?? before?.caCertificate,
    bindDn: required(options.bindDn ?? before?.bindDn, '--bind-dn'),
    userBase: required(options.userBase ?? before?.userBase, '--user-base'),
    userFilter: required(options.userFilter ?? before?.userFilter, '--user-filter'),
    groupBase: options.groupBase ?? before?.groupBase,
    memberAttribute: options.memberAttribute ?? before?.memberAttribute ?? 'member',
    memberOfAttribute: options.memberOfAttribute ?? before?.memberOfAttribute,
    nestedGroups: options.nestedGroups ?? before?.nestedGroups ?? false,
    timeoutSeconds: options.timeout ?? before?.timeoutSeconds ?? 5,
    roles: roles ?? [],
  };
  if (ldap.servers.length === 0) throw new CliError('--server is required (no LDAP configuration yet)');
  const ldapBindPassword = options.bindPasswordFile
    ? await readSecretFile('--bind-password-file', options.bindPasswordFile)
    : undefined;
  const updated = await callApi<TAuthConfigView>(options.url, '/api/auth/config', {
    ...options,
    method: 'PUT',
    body: { version: current.version, ldap, ldapBindPassword } satisfies TAuthConfigUpdate,
  });
  console.log(describeAuthConfig(updated));
}

export async function configureOidc(options: TAuthOidcOptions): Promise<void> {
  if (options.remove) return void console.log(describeAuthConfig(await update(options, { oidc: null })));
  const current = await readConfig(options);
  const before = current.oidc;
  const required = (value: string | undefined, flag: string) => {
    if (!value) throw new CliError(`${flag} is required${before ? '' : ' (no OpenID Connect configuration yet)'}`);
    return value;
  };
  const oidc = {
    enabled: !options.disable,
    issuer: required(options.issuer ?? before?.issuer, '--issuer'),
    clientId: required(options.clientId ?? before?.clientId, '--client-id'),
    scopes: options.scopes ?? before?.scopes ?? 'openid profile email groups offline_access',
    groupsClaim: options.groupsClaim ?? before?.groupsClaim ?? 'groups',
    nameClaim: options.nameClaim ?? before?.nameClaim ?? 'preferred_username',
    label: options.label ?? before?.label ?? 'Sign in with OpenID Connect',
    roles: options.role ? parseRoleMappings(options.role) : (before?.roles ?? []),
  };
  const oidcClientSecret = options.clientSecretFile
    ? await readSecretFile('--client-secret-file', options.clientSecretFile)
    : undefined;
  const updated = await callApi<TAuthConfigView>(options.url, '/api/auth/config', {
    ...options,
    method: 'PUT',
    body: { version: current.version, oidc, oidcClientSecret } satisfies TAuthConfigUpdate,
  });
  console.log(describeAuthConfig(updated));
}

export async function configureLocal(options: TAuthLocalOptions): Promise<void> {
  if (options.enable && options.disable) throw new CliError('give --enable or --disable, not both');
  const change: Omit<TAuthConfigUpdate, 'version'> = {
    localAccountsEnabled: options.enable ? true : options.disable ? false : undefined,
    roleRecheckSeconds: options.recheckSeconds,
  };
  const config =
    change.localAccountsEnabled === undefined && change.roleRecheckSeconds === undefined
      ? await readConfig(options)
      : await update(options, change);
  console.log(describeAuthConfig(config));
}

export async function testDirectoryLogin(options: TAuthTestOptions): Promise<void> {
  const password = options.testPasswordFile
    ? await readSecretFile('--test-password-file', options.testPasswordFile)
    : (authTestPasswordEnv() ?? (await promptSecret(`password of ${options.testUser}: `)));
  if (!password)
    throw new CliError("give the test user's password with --test-password-file, ORCH_TEST_USER_PASSWORD or on a terminal");
  const result = await callApi<TDirectoryTestResult>(options.url, '/api/auth/test', {
    ...options,
    method: 'POST',
    body: { name: options.testUser, password },
    timeoutMs: 65_000,
  });
  if (options.json) return void console.log(JSON.stringify(result, null, 2));
  console.log(
    [
      `server: ${result.server}`,
      `DN: ${result.dn}`,
      `groups: ${result.groups.length ? '' : '(none)'}`,
      ...result.groups.map((group) => `  ${group}`),
      `role: ${result.role ?? 'none (refused)'}`,
      result.message,
    ].join('\n'),
  );
}
