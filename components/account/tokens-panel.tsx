'use client';

import { apiSend } from '@/lib/api/fetcher';
import { useTokens } from '@/lib/swr/use-tokens';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { CreateTokenForm } from '@/components/account/create-token-form';
import { TokensTable } from '@/components/account/tokens-table';
import { useApiCall } from '@/components/ui/use-api-call';

/** The user's API tokens, for scripts and the CLI (`ORCH_TOKEN`). */
export function TokensPanel() {
  const { data: tokens, error: loadError, mutate } = useTokens();
  const { failure, call } = useApiCall();

  async function revokeToken(id: string) {
    await call(() => apiSend('DELETE', `/api/tokens/${id}`));
    await mutate();
  }

  async function refresh() {
    await mutate();
  }

  return (
    <Card
      title="API tokens"
      description="Tokens let scripts and the orchctl command line act as you. Revoke one you no longer use."
    >
      <div className="space-y-4">
        {loadError && <Alert title="The tokens could not be loaded">{loadError.message}</Alert>}
        {failure && <Alert>{failure.message}</Alert>}
        <CreateTokenForm onCreated={refresh} />
        <TokensTable tokens={tokens} onRevoke={revokeToken} />
      </div>
    </Card>
  );
}
