'use client';

import { useState, type FormEvent } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TAuthConfigUpdate, TAuthConfigView, TRoleMapping } from '@/lib/auth/directory/schemas';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

const TEXTAREA = 'block w-full rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-xs text-gray-900 shadow-xs';

const mappingLines = (roles: TRoleMapping[] | undefined) =>
  (roles ?? []).map((mapping) => `${mapping.group}=${mapping.role}`).join('\n');

/** "GROUP=role" per line, split at the last "=" (a DN holds "=" itself). */
function parseMappings(text: string): TRoleMapping[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => ({
      group: line.slice(0, line.lastIndexOf('=')),
      role: line.slice(line.lastIndexOf('=') + 1).trim() as TRoleMapping['role'],
    }));
}

/** The LDAP / Active Directory settings; the bind password is write-only (empty keeps the stored one). */
export function LdapForm({ config, onSaved }: { config: TAuthConfigView; onSaved: () => Promise<void> }) {
  const ldap = config.ldap;
  const [draft, setDraft] = useState({
    enabled: ldap?.enabled ?? true,
    servers: (ldap?.servers ?? []).join(' '),
    caCertificate: ldap?.caCertificate ?? '',
    bindDn: ldap?.bindDn ?? '',
    bindPassword: '',
    userBase: ldap?.userBase ?? '',
    userFilter: ldap?.userFilter ?? '(uid={user})',
    groupBase: ldap?.groupBase ?? '',
    memberAttribute: ldap?.memberAttribute ?? 'member',
    memberOfAttribute: ldap?.memberOfAttribute ?? '',
    roles: mappingLines(ldap?.roles),
  });
  const { busy, failure, call } = useApiCall();
  const [saved, setSaved] = useState(false);
  const set = (key: keyof typeof draft) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: event.target.value });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    await call(async () => {
      await apiSend('PUT', '/api/auth/config', {
        version: config.version,
        ldap: {
          enabled: draft.enabled,
          servers: draft.servers.split(/[\s,]+/).filter(Boolean),
          startTls: ldap?.startTls ?? false,
          caCertificate: draft.caCertificate.trim() || undefined,
          bindDn: draft.bindDn,
          userBase: draft.userBase,
          userFilter: draft.userFilter,
          groupBase: draft.groupBase.trim() || undefined,
          memberAttribute: draft.memberAttribute,
          memberOfAttribute: draft.memberOfAttribute.trim() || undefined,
          nestedGroups: ldap?.nestedGroups ?? false,
          timeoutSeconds: ldap?.timeoutSeconds ?? 5,
          roles: parseMappings(draft.roles),
        },
        ldapBindPassword: draft.bindPassword || undefined,
      } satisfies TAuthConfigUpdate);
      setDraft({ ...draft, bindPassword: '' });
      setSaved(true);
      await onSaved();
    });
  }

  const fieldError = (field: string) =>
    failure?.messageFor(`ldap.${field}`) ?? failure?.issues.find((issue) => issue.field.startsWith(`ldap.${field}.`))?.message;
  return (
    <form onSubmit={submit} aria-label="LDAP settings" className="space-y-4" noValidate>
      <label className="flex items-center gap-2 text-sm text-gray-800">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(event) => setDraft({ ...draft, enabled: event.target.checked })}
        />{' '}
        LDAP sign-in on
      </label>
      <FormField
        label="Servers"
        name="servers"
        value={draft.servers}
        error={fieldError('servers')}
        hint="ldaps:// or ldap:// URLs, separated by spaces; tried in order."
        onChange={set('servers')}
      />
      <div className="space-y-1">
        <label htmlFor="ldap-ca" className="block text-sm font-medium text-gray-800">
          CA certificate (PEM)
        </label>
        <textarea
          id="ldap-ca"
          rows={4}
          className={TEXTAREA}
          value={draft.caCertificate}
          onChange={set('caCertificate')}
          placeholder="-----BEGIN CERTIFICATE-----"
        />
        {fieldError('caCertificate') && <p className="text-sm text-red-700">{fieldError('caCertificate')}</p>}
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField label="Bind DN" name="bindDn" value={draft.bindDn} error={fieldError('bindDn')} onChange={set('bindDn')} />
        <FormField
          label="Bind password"
          name="bindPassword"
          type="password"
          autoComplete="new-password"
          value={draft.bindPassword}
          placeholder={ldap?.hasBindPassword ? 'stored (leave empty to keep it)' : ''}
          error={failure?.messageFor('ldapBindPassword')}
          onChange={set('bindPassword')}
        />
        <FormField
          label="User search base"
          name="userBase"
          value={draft.userBase}
          error={fieldError('userBase')}
          onChange={set('userBase')}
        />
        <FormField
          label="User filter"
          name="userFilter"
          value={draft.userFilter}
          error={fieldError('userFilter')}
          hint="(uid={user}) or (sAMAccountName={user})"
          onChange={set('userFilter')}
        />
        <FormField
          label="Group search base"
          name="groupBase"
          value={draft.groupBase}
          error={fieldError('groupBase')}
          onChange={set('groupBase')}
        />
        <FormField
          label="Member attribute"
          name="memberAttribute"
          value={draft.memberAttribute}
          error={fieldError('memberAttribute')}
          onChange={set('memberAttribute')}
        />
        <FormField
          label="memberOf attribute (optional)"
          name="memberOfAttribute"
          value={draft.memberOfAttribute}
          error={fieldError('memberOfAttribute')}
          onChange={set('memberOfAttribute')}
        />
      </div>
      <div className="space-y-1">
        <label htmlFor="ldap-roles" className="block text-sm font-medium text-gray-800">
          Group → role
        </label>
        <textarea
          id="ldap-roles"
          rows={4}
          className={TEXTAREA}
          value={draft.roles}
          onChange={set('roles')}
          placeholder="cn=admins,ou=groups,dc=example,dc=com=admin"
        />
        <p className="text-xs text-gray-500">
          One GROUP_DN=admin|operator|viewer per line; the highest match wins; a user in no listed group is refused.
        </p>
        {fieldError('roles') && <p className="text-sm text-red-700">{fieldError('roles')}</p>}
      </div>
      {failure && !failure.issues.some((issue) => issue.field.startsWith('ldap')) && <Alert>{failure.message}</Alert>}
      <div className="flex items-center gap-4">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save LDAP settings'}
        </Button>
        {saved && <span className="text-sm text-green-800">Saved: every node uses it from the next sign-in.</span>}
      </div>
    </form>
  );
}
