'use client';

import { useState, type FormEvent } from 'react';
import { apiSend } from '@/lib/api/fetcher';
import type { TAuthConfigUpdate, TAuthConfigView, TRoleMapping } from '@/lib/auth/directory/schemas';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { useApiCall } from '@/components/ui/use-api-call';

const TEXTAREA = 'block w-full rounded-md border border-gray-300 bg-white px-3 py-2 font-mono text-xs text-gray-900 shadow-xs';

/** "GROUP=role" per line, split at the last "=". */
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

/** The OpenID Connect settings; the client secret is write-only (empty keeps the stored one). */
export function OidcForm({ config, onSaved }: { config: TAuthConfigView; onSaved: () => Promise<void> }) {
  const oidc = config.oidc;
  const [draft, setDraft] = useState({
    enabled: oidc?.enabled ?? true,
    issuer: oidc?.issuer ?? '',
    clientId: oidc?.clientId ?? '',
    clientSecret: '',
    scopes: oidc?.scopes ?? 'openid profile email groups offline_access',
    groupsClaim: oidc?.groupsClaim ?? 'groups',
    nameClaim: oidc?.nameClaim ?? 'preferred_username',
    label: oidc?.label ?? 'Sign in with OpenID Connect',
    roles: (oidc?.roles ?? []).map((mapping) => `${mapping.group}=${mapping.role}`).join('\n'),
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
        oidc: {
          enabled: draft.enabled,
          issuer: draft.issuer,
          clientId: draft.clientId,
          scopes: draft.scopes,
          groupsClaim: draft.groupsClaim,
          nameClaim: draft.nameClaim,
          label: draft.label,
          roles: parseMappings(draft.roles),
        },
        oidcClientSecret: draft.clientSecret || undefined,
      } satisfies TAuthConfigUpdate);
      setDraft({ ...draft, clientSecret: '' });
      setSaved(true);
      await onSaved();
    });
  }

  const fieldError = (field: string) =>
    failure?.messageFor(`oidc.${field}`) ?? failure?.issues.find((issue) => issue.field.startsWith(`oidc.${field}.`))?.message;
  return (
    <form onSubmit={submit} aria-label="OpenID Connect settings" className="space-y-4" noValidate>
      <label className="flex items-center gap-2 text-sm text-gray-800">
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(event) => setDraft({ ...draft, enabled: event.target.checked })}
        />{' '}
        OpenID Connect sign-in on
      </label>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField
          label="Issuer"
          name="issuer"
          value={draft.issuer}
          error={fieldError('issuer')}
          hint="Its /.well-known/openid-configuration is read."
          onChange={set('issuer')}
        />
        <FormField
          label="Client id"
          name="clientId"
          value={draft.clientId}
          error={fieldError('clientId')}
          onChange={set('clientId')}
        />
        <FormField
          label="Client secret"
          name="clientSecret"
          type="password"
          autoComplete="new-password"
          value={draft.clientSecret}
          placeholder={oidc?.hasClientSecret ? 'stored (leave empty to keep it)' : ''}
          error={failure?.messageFor('oidcClientSecret')}
          onChange={set('clientSecret')}
        />
        <FormField
          label="Scopes"
          name="scopes"
          value={draft.scopes}
          error={fieldError('scopes')}
          hint="Keep offline_access: its refresh token is how a user's groups are re-checked while they are signed in; without one they are signed out at the first re-check."
          onChange={set('scopes')}
        />
        <FormField
          label="Groups claim"
          name="groupsClaim"
          value={draft.groupsClaim}
          error={fieldError('groupsClaim')}
          onChange={set('groupsClaim')}
        />
        <FormField
          label="Name claim"
          name="nameClaim"
          value={draft.nameClaim}
          error={fieldError('nameClaim')}
          onChange={set('nameClaim')}
        />
        <FormField label="Button text" name="label" value={draft.label} error={fieldError('label')} onChange={set('label')} />
      </div>
      <div className="space-y-1">
        <label htmlFor="oidc-roles" className="block text-sm font-medium text-gray-800">
          Group → role
        </label>
        <textarea
          id="oidc-roles"
          rows={3}
          className={TEXTAREA}
          value={draft.roles}
          onChange={set('roles')}
          placeholder="orch-admins=admin"
        />
        <p className="text-xs text-gray-500">
          One GROUP=admin|operator|viewer per line. Register each node&apos;s URL +{' '}
          <span className="font-mono">/api/auth/callback/oidc</span> as a redirect URI at the provider.
        </p>
        {fieldError('roles') && <p className="text-sm text-red-700">{fieldError('roles')}</p>}
      </div>
      {failure && !failure.issues.some((issue) => issue.field.startsWith('oidc')) && <Alert>{failure.message}</Alert>}
      <div className="flex items-center gap-4">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save OpenID Connect settings'}
        </Button>
        {saved && <span className="text-sm text-green-800">Saved: every node uses it from the next sign-in.</span>}
      </div>
    </form>
  );
}
