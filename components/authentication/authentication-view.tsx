'use client';

import { apiSend } from '@/lib/api/fetcher';
import { useAuthConfig } from '@/lib/swr/use-auth-config';
import { PageHeader } from '@/components/shell/page-header';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { LdapForm } from '@/components/authentication/ldap-form';
import { DirectoryTestForm } from '@/components/authentication/directory-test-form';
import { OidcForm } from '@/components/authentication/oidc-form';
import { useApiCall } from '@/components/ui/use-api-call';

/** How users sign in on every node of the cluster: local accounts, LDAP, OpenID Connect. */
export function AuthenticationView() {
  const config = useAuthConfig();
  const { failure, call } = useApiCall();
  const data = config.data;

  async function setLocalAccounts(enabled: boolean) {
    if (!data) return;
    await call(() => apiSend('PUT', '/api/auth/config', { version: data.version, localAccountsEnabled: enabled }));
    await config.mutate();
  }

  return (
    <>
      <PageHeader
        title="Authentication"
        description="One configuration for the whole cluster, used by every node from the next sign-in. Directory users get the role of their highest mapped group, re-checked while they are signed in; root always signs in with its local password."
      />
      {config.error && <Alert title="The configuration could not be loaded.">{config.error.message}</Alert>}
      {failure && <Alert>{failure.message}</Alert>}
      {data && (
        <div className="space-y-6">
          <Card
            title="Local accounts"
            description={`Version ${data.version}, changed ${new Date(data.updatedAt).toLocaleString()}${data.updatedBy ? ` by ${data.updatedBy}` : ''}. Directory roles are re-checked every ${data.roleRecheckSeconds} s.`}
          >
            <div className="flex items-center gap-4 text-sm">
              <span>{data.localAccountsEnabled ? 'Local accounts sign in.' : 'Only root signs in with a local password.'}</span>
              <Button onClick={() => void setLocalAccounts(!data.localAccountsEnabled)}>
                {data.localAccountsEnabled ? 'Switch local accounts off' : 'Switch local accounts on'}
              </Button>
            </div>
          </Card>
          <Card
            title="LDAP / Active Directory"
            description={
              data.ldap
                ? `${data.ldap.enabled ? 'On' : 'Off'}; bind password ${data.ldap.hasBindPassword ? 'stored' : 'missing'} (never shown).`
                : 'Not configured.'
            }
          >
            <LdapForm config={data} onSaved={async () => void (await config.mutate())} />
          </Card>
          <DirectoryTestForm />
          <Card
            title="OpenID Connect"
            description={
              data.oidc
                ? `${data.oidc.enabled ? 'On' : 'Off'}; client secret ${data.oidc.hasClientSecret ? 'stored' : 'missing'} (never shown).`
                : 'Not configured.'
            }
          >
            <OidcForm config={data} onSaved={async () => void (await config.mutate())} />
          </Card>
        </div>
      )}
    </>
  );
}
