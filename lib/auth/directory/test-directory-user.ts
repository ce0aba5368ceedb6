/**
 * *Test* on the Authentication page and `orchctl auth test`: what the directory says about a user
 * name and password (the DN found, the groups, the role a sign-in would get) without signing in
 * and without creating or changing a user row. Uses the stored configuration, enabled or not, so
 * that it can be tried before it is switched on.
 */
import type { TDb } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readAuthConfig } from '@/lib/auth/directory/auth-config';
import { authenticateLdapUser, lookUpLdapUser, userFilterFor } from '@/lib/auth/directory/ldap-directory';
import { noGroupMessage, roleForGroups } from '@/lib/auth/directory/role-mapping';
import type { TDirectoryTest, TDirectoryTestResult } from '@/lib/auth/directory/schemas';

export async function testDirectoryUser(db: TDb, input: TDirectoryTest): Promise<TDirectoryTestResult> {
  const config = await readAuthConfig(db);
  if (!config.ldap || config.ldapBindPassword === null)
    throw new AppError('VALIDATION', 'LDAP is not configured', { field: 'ldap' });
  const found = await lookUpLdapUser(config.ldap, config.ldapBindPassword, input.name);
  if (!found) {
    throw new AppError(
      'NOT_FOUND',
      `no single entry under ${config.ldap.userBase} matches ${userFilterFor(config.ldap, input.name)}`,
      { field: 'name' },
    );
  }
  const checked = await authenticateLdapUser(config.ldap, config.ldapBindPassword, input.name, input.password);
  if (!checked)
    throw new AppError('VALIDATION', `found ${found.dn}, but the directory refused this password`, { field: 'password' });
  const role = roleForGroups(checked.groups, config.ldap.roles);
  return {
    server: checked.server,
    dn: checked.dn,
    groups: checked.groups,
    role,
    message: role ? `${input.name} would sign in as ${role}` : noGroupMessage(input.name),
  };
}
