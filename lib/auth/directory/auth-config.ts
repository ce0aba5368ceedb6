/**
 * The cluster's authentication configuration: one row in the shared database, read by every node
 * at each sign-in (so a change applies everywhere at once, with no restart) and edited under the
 * stale-version rule of the cluster settings. Secrets stay in their own columns: `readAuthConfig`
 * hands them to the code that signs in, `toAuthConfigView` never includes them.
 */
import type { TDb, TTx } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import { AppError } from '@/lib/api/app-error';
import {
  ZLdapSettings,
  ZOidcSettings,
  type TAuthConfigUpdate,
  type TAuthConfigView,
  type TLdapSettings,
  type TOidcSettings,
} from '@/lib/auth/directory/schemas';

export const OIDC_PROVIDER_ID = 'oidc';
export const OIDC_CALLBACK_PATH = `/api/auth/callback/${OIDC_PROVIDER_ID}`;

export type TAuthConfig = {
  version: number;
  localAccountsEnabled: boolean;
  roleRecheckSeconds: number;
  ldap: TLdapSettings | null;
  ldapBindPassword: string | null;
  oidc: TOidcSettings | null;
  oidcClientSecret: string | null;
  updatedAt: Date;
  updatedBy: string | null;
};

type TRow = {
  version: number;
  localAccountsEnabled: boolean;
  roleRecheckSeconds: number;
  ldap: unknown;
  ldapBindPassword: string | null;
  oidc: unknown;
  oidcClientSecret: string | null;
  updatedAt: Date;
  updatedBy: string | null;
};

function fromRow(row: TRow): TAuthConfig {
  // stored by this code through the same schemas; parsing again fills defaults added later
  const ldap = row.ldap === null ? null : ZLdapSettings.safeParse(row.ldap);
  const oidc = row.oidc === null ? null : ZOidcSettings.safeParse(row.oidc);
  return {
    version: row.version,
    localAccountsEnabled: row.localAccountsEnabled,
    roleRecheckSeconds: row.roleRecheckSeconds,
    ldap: ldap?.success ? ldap.data : null,
    ldapBindPassword: row.ldapBindPassword,
    oidc: oidc?.success ? oidc.data : null,
    oidcClientSecret: row.oidcClientSecret,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
  };
}

/** The configuration with its secrets, for the sign-in code only. */
export async function readAuthConfig(db: TDb | TTx): Promise<TAuthConfig> {
  const row = await db.authConfig.findUnique({ where: { id: 1 } });
  if (!row) throw new AppError('INTERNAL', 'the authentication configuration row is missing (migrations not applied?)');
  return fromRow(row);
}

/** What the API and the page show: the secrets only as "one is stored". */
export function toAuthConfigView(config: TAuthConfig): TAuthConfigView {
  return {
    version: config.version,
    localAccountsEnabled: config.localAccountsEnabled,
    roleRecheckSeconds: config.roleRecheckSeconds,
    ldap: config.ldap ? { ...config.ldap, hasBindPassword: config.ldapBindPassword !== null } : null,
    oidc: config.oidc
      ? { ...config.oidc, hasClientSecret: config.oidcClientSecret !== null, callbackPath: OIDC_CALLBACK_PATH }
      : null,
    updatedAt: config.updatedAt.toISOString(),
    updatedBy: config.updatedBy,
  };
}

export async function showAuthConfig(db: TDb): Promise<TAuthConfigView> {
  return toAuthConfigView(await readAuthConfig(db));
}

/**
 * Applies an edit made against `input.version`. The row is changed only if that version is still
 * current (one conditional UPDATE), and the change is recorded as an event that says which parts
 * changed and whether a secret was replaced, never the secret itself.
 */
export async function updateAuthConfig(db: TDb, input: TAuthConfigUpdate, actor: string): Promise<TAuthConfigView> {
  const current = await readAuthConfig(db);
  const stale = () =>
    new AppError(
      'STALE_VERSION',
      `the authentication configuration was changed by someone else (now version ${current.version}); reload and try again`,
      {
        field: 'version',
      },
    );
  if (input.version !== current.version) throw stale();

  if (input.ldap && input.ldapBindPassword === undefined && current.ldapBindPassword === null) {
    throw new AppError('VALIDATION', 'ldapBindPassword is required: no bind password is stored yet', {
      field: 'ldapBindPassword',
    });
  }
  if (input.oidc && input.oidcClientSecret === undefined && current.oidcClientSecret === null) {
    throw new AppError('VALIDATION', 'oidcClientSecret is required: no client secret is stored yet', {
      field: 'oidcClientSecret',
    });
  }
  if (input.ldapBindPassword !== undefined && !(input.ldap ?? current.ldap)) {
    throw new AppError('VALIDATION', 'ldapBindPassword goes with an LDAP configuration', { field: 'ldapBindPassword' });
  }
  if (input.oidcClientSecret !== undefined && !(input.oidc ?? current.oidc)) {
    throw new AppError('VALIDATION', 'oidcClientSecret goes with an OpenID Connect configuration', { field: 'oidcClientSecret' });
  }

  const changed = [
    input.localAccountsEnabled !== undefined && input.localAccountsEnabled !== current.localAccountsEnabled
      ? 'localAccountsEnabled'
      : null,
    input.roleRecheckSeconds !== undefined && input.roleRecheckSeconds !== current.roleRecheckSeconds
      ? 'roleRecheckSeconds'
      : null,
    input.ldap !== undefined ? 'ldap' : null,
    input.ldapBindPassword !== undefined ? 'ldapBindPassword' : null,
    input.oidc !== undefined ? 'oidc' : null,
    input.oidcClientSecret !== undefined ? 'oidcClientSecret' : null,
  ].filter((part): part is string => part !== null);

  return db.$transaction((tx) => writeAuthConfig(tx, input, actor, changed, stale));
}

/**
 * The configuration import's way in (lib/config/export): the same edit, inside the import's
 * transaction, made against the version current there. Secrets are not in an export: a section
 * whose secret is not stored here is left as it is (the import's preview says so).
 */
export async function importAuthConfig(
  tx: TTx,
  incoming: Pick<TAuthConfigUpdate, 'localAccountsEnabled' | 'roleRecheckSeconds' | 'ldap' | 'oidc'>,
  actor: string,
): Promise<void> {
  const current = await readAuthConfig(tx);
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const input: TAuthConfigUpdate = { version: current.version };
  if (incoming.localAccountsEnabled !== current.localAccountsEnabled) input.localAccountsEnabled = incoming.localAccountsEnabled;
  if (incoming.roleRecheckSeconds !== current.roleRecheckSeconds) input.roleRecheckSeconds = incoming.roleRecheckSeconds;
  if (!same(incoming.ldap, current.ldap) && (incoming.ldap === null || current.ldapBindPassword !== null))
    input.ldap = incoming.ldap;
  if (!same(incoming.oidc, current.oidc) && (incoming.oidc === null || current.oidcClientSecret !== null))
    input.oidc = incoming.oidc;
  const changed = Object.keys(input).filter((key) => key !== 'version');
  if (changed.length === 0) return;
  const stale = () =>
    new AppError('STALE_VERSION', 'the authentication configuration changed during the import; try again', { field: 'version' });
  await writeAuthConfig(tx, input, actor, changed, stale);
}

async function writeAuthConfig(
  tx: TTx,
  input: TAuthConfigUpdate,
  actor: string,
  changed: string[],
  stale: () => AppError,
): Promise<TAuthConfigView> {
  const { count } = await tx.authConfig.updateMany({
    where: { id: 1, version: input.version },
    data: {
      version: { increment: 1 },
      localAccountsEnabled: input.localAccountsEnabled,
      roleRecheckSeconds: input.roleRecheckSeconds,
      ...(input.ldap !== undefined
        ? { ldap: input.ldap ?? Prisma.DbNull, ldapBindPassword: input.ldap === null ? null : input.ldapBindPassword }
        : {}),
      ...(input.oidc !== undefined
        ? { oidc: input.oidc ?? Prisma.DbNull, oidcClientSecret: input.oidc === null ? null : input.oidcClientSecret }
        : {}),
      ...(input.ldap === undefined && input.ldapBindPassword !== undefined ? { ldapBindPassword: input.ldapBindPassword } : {}),
      ...(input.oidc === undefined && input.oidcClientSecret !== undefined ? { oidcClientSecret: input.oidcClientSecret } : {}),
      updatedAt: new Date(),
      updatedBy: actor,
    },
  });
  if (count === 0) throw stale();
  const row = await tx.authConfig.findUniqueOrThrow({ where: { id: 1 } });
  const after = fromRow(row);
  await tx.clusterEvent.create({
    data: {
      kind: 'AUTH_CONFIG_CHANGED',
      actor,
      details: {
        version: after.version,
        changed,
        localAccountsEnabled: after.localAccountsEnabled,
        ldap: after.ldap ? (after.ldap.enabled ? 'on' : 'off') : 'not configured',
        oidc: after.oidc ? (after.oidc.enabled ? 'on' : 'off') : 'not configured',
      },
    },
  });
  return toAuthConfigView(after);
}
