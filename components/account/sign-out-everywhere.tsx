'use client';

import { useRouter } from 'next/navigation';
import { apiSend } from '@/lib/api/fetcher';
import { Alert } from '@/components/ui/alert';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { useApiCall } from '@/components/ui/use-api-call';

/** Ends every console session of the user, this one included (a lost laptop, a shared browser). */
export function SignOutEverywhere() {
  const router = useRouter();
  const { failure, call } = useApiCall();

  async function signOutEverywhere() {
    await call(async () => {
      await apiSend('DELETE', '/api/me/sessions');
      router.replace('/login');
    });
  }

  return (
    <Card
      title="Sessions"
      description="Sign out of the console in every browser, on every node. API tokens keep working; revoke them below."
    >
      <div className="space-y-3">
        {failure && <Alert>{failure.message}</Alert>}
        <ConfirmButton
          label="Sign out everywhere"
          question="End every session of yours, this one included?"
          confirmLabel="End all sessions"
          onConfirm={signOutEverywhere}
        />
      </div>
    </Card>
  );
}
