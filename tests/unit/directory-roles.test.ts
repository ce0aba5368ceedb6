import { describe, expect, it } from 'vitest';
import { roleForGroups } from '@/lib/auth/directory/role-mapping';
import { userFilterFor } from '@/lib/auth/directory/ldap-directory';
import { ZAuthConfigUpdate, ZLdapSettings } from '@/lib/auth/directory/schemas';
import { parseRoleMappings } from '@/scripts/cli/auth';

const MAPPINGS = [
  { group: 'cn=viewers,ou=groups,dc=example,dc=test', role: 'viewer' },
  { group: 'CN=Admins, OU=Groups, DC=example, DC=test', role: 'admin' },
  { group: 'cn=ops,ou=groups,dc=example,dc=test', role: 'operator' },
] as const;

describe('group -> role', () => {
  it('gives the highest role among the groups held, whatever the order and the DN spelling', () => {
    expect(
      roleForGroups(['cn=viewers,ou=groups,dc=example,dc=test', 'cn=admins,ou=groups,dc=example,dc=test'], [...MAPPINGS]),
    ).toBe('admin');
    expect(roleForGroups(['cn=ops,ou=groups,dc=example,dc=test', 'cn=viewers,ou=groups,dc=example,dc=test'], [...MAPPINGS])).toBe(
      'operator',
    );
    expect(roleForGroups(['CN=VIEWERS,OU=GROUPS,DC=EXAMPLE,DC=TEST'], [...MAPPINGS])).toBe('viewer');
  });

  it('gives no role to a user in no mapped group', () => {
    expect(roleForGroups([], [...MAPPINGS])).toBeNull();
    expect(roleForGroups(['cn=staff,ou=groups,dc=example,dc=test'], [...MAPPINGS])).toBeNull();
  });
});

describe('the user filter', () => {
  it('escapes the sign-in name, so filter syntax in it is plain text', () => {
    expect(userFilterFor({ userFilter: '(uid={user})' }, '*)(uid=*')).toBe('(uid=\\2a\\29\\28uid=\\2a)');
    expect(userFilterFor({ userFilter: '(&(objectClass=user)(sAMAccountName={user}))' }, 'alice')).toBe(
      '(&(objectClass=user)(sAMAccountName=alice))',
    );
  });
});

describe('settings input', () => {
  const valid = {
    servers: ['ldaps://ldap.example.test:636'],
    bindDn: 'cn=r',
    userBase: 'ou=p',
    userFilter: '(uid={user})',
    groupBase: 'ou=g',
    roles: [],
  };

  it('takes a valid LDAP configuration and fills the defaults', () => {
    expect(ZLdapSettings.parse(valid)).toMatchObject({
      enabled: true,
      memberAttribute: 'member',
      timeoutSeconds: 5,
      startTls: false,
    });
  });

  it('names what is wrong', () => {
    const issues = (value: unknown) =>
      ZLdapSettings.safeParse(value).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues({ ...valid, servers: ['http://ldap.example.test'] })).toEqual([
      'servers.0: a server must be an ldap:// or ldaps:// URL',
    ]);
    expect(issues({ ...valid, userFilter: '(uid=alice)' })).toEqual([
      'userFilter: userFilter must contain {user}, where the sign-in name goes',
    ]);
    expect(issues({ ...valid, groupBase: undefined })).toEqual([
      'groupBase: give a groupBase (group search) or a memberOfAttribute (groups on the user entry)',
    ]);
    expect(issues({ ...valid, startTls: true })).toEqual([
      'startTls: startTls applies to ldap:// servers only (ldaps:// is TLS already)',
    ]);
  });

  it('refuses an update without the version read, or with unknown fields', () => {
    expect(ZAuthConfigUpdate.safeParse({ localAccountsEnabled: false }).success).toBe(false);
    expect(ZAuthConfigUpdate.safeParse({ version: 1, bindPassword: 'x' }).success).toBe(false);
  });

  it('splits --role GROUP_DN=ROLE at the last "="', () => {
    expect(parseRoleMappings(['cn=admins,ou=groups,dc=example,dc=test=admin'])).toEqual([
      { group: 'cn=admins,ou=groups,dc=example,dc=test', role: 'admin' },
    ]);
    expect(() => parseRoleMappings(['cn=admins=root'])).toThrow(/ROLE one of viewer, operator, admin/);
  });
});
