/**
 * The authentication configuration as the API, the CLI and the Authentication page exchange it.
 * The bind password and the client secret travel only inward (an update); every answer says
 * whether one is stored, never what it is.
 */
import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';

const ZRole = z.enum(ROLES, { error: `role must be one of ${ROLES.join(', ')}` });

/** One group of the directory (an LDAP DN, or a name in the OpenID groups claim) and the role it grants. */
export const ZRoleMapping = z
  .object({
    group: z.string().trim().min(1, 'group is required').max(1000, 'group is at most 1000 characters'),
    role: ZRole,
  })
  .strict();
export type TRoleMapping = z.infer<typeof ZRoleMapping>;

const ZRoleMappings = z.array(ZRoleMapping).max(100, 'at most 100 group mappings');

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

const ZLdapUrl = z
  .string()
  .trim()
  .max(500, 'a server URL is at most 500 characters')
  .refine((value) => /^ldaps?:$/.test(parseUrl(value)?.protocol ?? ''), 'a server must be an ldap:// or ldaps:// URL')
  .refine((value) => {
    const url = parseUrl(value);
    return Boolean(url?.hostname) && !url?.username && !url?.password && ['', '/'].includes(url?.pathname ?? '') && !url?.search;
  }, 'a server URL holds a scheme, a host and a port only (ldaps://ldap.example.com:636)');

const ZPem = z
  .string()
  .max(50_000, 'the CA certificate is at most 50000 characters')
  .refine(
    (value) => /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(value),
    'the CA certificate must be PEM (-----BEGIN CERTIFICATE-----)',
  );

const ZDn = (name: string) => z.string().trim().min(1, `${name} is required`).max(1000, `${name} is at most 1000 characters`);
const ZAttribute = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, `${name} must be an attribute name (letters, digits, -)`);

export const ZLdapSettings = z
  .object({
    enabled: z.boolean().default(true),
    /** tried in order; the first that answers is used */
    servers: z.array(ZLdapUrl).min(1, 'give at least one server URL').max(10, 'at most 10 servers'),
    /** upgrade ldap:// connections with StartTLS (ldaps:// is TLS from the start) */
    startTls: z.boolean().default(false),
    /** the CA that signed the directory's certificate (PEM); without it the system's CAs are trusted */
    caCertificate: ZPem.optional(),
    bindDn: ZDn('bindDn'),
    userBase: ZDn('userBase'),
    /** e.g. (uid={user}) or (sAMAccountName={user}); {user} is replaced by the escaped sign-in name */
    userFilter: z
      .string()
      .trim()
      .max(1000, 'userFilter is at most 1000 characters')
      .refine(
        (value) => value.startsWith('(') && value.endsWith(')'),
        'userFilter must be an LDAP filter in parentheses, e.g. (uid={user})',
      )
      .refine((value) => value.includes('{user}'), 'userFilter must contain {user}, where the sign-in name goes'),
    /** groups listed on the user's entry (Active Directory and OpenLDAP's memberof overlay) */
    memberOfAttribute: ZAttribute('memberOfAttribute').optional(),
    /** or: groups found under this base whose member attribute names the user's DN */
    groupBase: ZDn('groupBase').optional(),
    memberAttribute: ZAttribute('memberAttribute').default('member'),
    /** Active Directory: follow nested groups (the LDAP_MATCHING_RULE_IN_CHAIN rule) in the group search */
    nestedGroups: z.boolean().default(false),
    timeoutSeconds: z
      .number()
      .int('timeoutSeconds must be a whole number')
      .min(1, 'timeoutSeconds must be at least 1')
      .max(60, 'timeoutSeconds must be at most 60')
      .default(5),
    roles: ZRoleMappings,
  })
  .strict()
  .refine((value) => value.memberOfAttribute !== undefined || value.groupBase !== undefined, {
    message: 'give a groupBase (group search) or a memberOfAttribute (groups on the user entry)',
    path: ['groupBase'],
  })
  .refine((value) => !value.startTls || value.servers.every((server) => server.startsWith('ldap://')), {
    message: 'startTls applies to ldap:// servers only (ldaps:// is TLS already)',
    path: ['startTls'],
  });
export type TLdapSettings = z.infer<typeof ZLdapSettings>;

const ZHttpUrl = z
  .string()
  .trim()
  .max(500, 'issuer is at most 500 characters')
  .refine((value) => /^https?:$/.test(parseUrl(value)?.protocol ?? ''), 'issuer must be an http:// or https:// URL')
  .refine((value) => !parseUrl(value)?.username && !parseUrl(value)?.password, 'issuer must not hold credentials');

export const ZOidcSettings = z
  .object({
    enabled: z.boolean().default(true),
    /** the provider's issuer; its /.well-known/openid-configuration is read (discovery) */
    issuer: ZHttpUrl,
    clientId: z.string().trim().min(1, 'clientId is required').max(500, 'clientId is at most 500 characters'),
    scopes: z
      .string()
      .trim()
      .max(500, 'scopes is at most 500 characters')
      .regex(/^[\w:./-]+( [\w:./-]+)*$/, 'scopes are names separated by single spaces')
      .refine((value) => value.split(' ').includes('openid'), 'scopes must include openid')
      .default('openid profile email groups offline_access'),
    /** the ID token claim that lists the user's groups */
    groupsClaim: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[\w:./-]+$/, 'groupsClaim must be a claim name')
      .default('groups'),
    /** the claim that names the user (the user row's name) */
    nameClaim: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .regex(/^[\w:./-]+$/, 'nameClaim must be a claim name')
      .default('preferred_username'),
    /** the text of the sign-in button */
    label: z.string().trim().min(1).max(60, 'label is at most 60 characters').default('Sign in with OpenID Connect'),
    roles: ZRoleMappings,
  })
  .strict();
export type TOidcSettings = z.infer<typeof ZOidcSettings>;

export const ROLE_RECHECK_LIMITS = { min: 1, max: 3600 } as const;

/**
 * PUT /api/auth/config: any part, with the version that was read (409 when stale). A section set
 * to null is switched off and forgotten with its secret; a section given without its secret
 * keeps the stored one.
 */
export const ZAuthConfigUpdate = z
  .object({
    version: z.number().int().positive('version must be the configuration version you read'),
    localAccountsEnabled: z.boolean().optional(),
    roleRecheckSeconds: z
      .number()
      .int('roleRecheckSeconds must be a whole number')
      .min(ROLE_RECHECK_LIMITS.min, `roleRecheckSeconds must be at least ${ROLE_RECHECK_LIMITS.min}`)
      .max(ROLE_RECHECK_LIMITS.max, `roleRecheckSeconds must be at most ${ROLE_RECHECK_LIMITS.max}`)
      .optional(),
    ldap: ZLdapSettings.nullable().optional(),
    /** write-only */
    ldapBindPassword: z
      .string()
      .min(1, 'ldapBindPassword must not be empty')
      .max(512, 'ldapBindPassword is at most 512 characters')
      .optional(),
    oidc: ZOidcSettings.nullable().optional(),
    /** write-only */
    oidcClientSecret: z
      .string()
      .min(1, 'oidcClientSecret must not be empty')
      .max(512, 'oidcClientSecret is at most 512 characters')
      .optional(),
  })
  .strict();
export type TAuthConfigUpdate = z.infer<typeof ZAuthConfigUpdate>;

export type TAuthConfigView = {
  version: number;
  localAccountsEnabled: boolean;
  roleRecheckSeconds: number;
  ldap: (TLdapSettings & { hasBindPassword: boolean }) | null;
  oidc: (TOidcSettings & { hasClientSecret: boolean; callbackPath: string }) | null;
  updatedAt: string;
  updatedBy: string | null;
};

/** POST /api/auth/test: look a directory user up and check the password, without signing in. */
export const ZDirectoryTest = z
  .object({
    name: z.string().min(1, 'name is required').max(256, 'name is at most 256 characters'),
    password: z.string().min(1, 'password is required').max(256, 'password is at most 256 characters'),
  })
  .strict();
export type TDirectoryTest = z.infer<typeof ZDirectoryTest>;

export type TDirectoryTestResult = {
  /** the server that answered */
  server: string;
  dn: string;
  groups: string[];
  /** the role a sign-in would get; null: no group grants one, the sign-in would be refused */
  role: (typeof ROLES)[number] | null;
  message: string;
};
