import type { TUser } from '@/lib/auth/roles';
import { PageHeader } from '@/components/shell/page-header';
import { ChangePasswordForm } from '@/components/account/change-password-form';
import { TokensPanel } from '@/components/account/tokens-panel';
import { SignOutEverywhere } from '@/components/account/sign-out-everywhere';

export function AccountView({ user }: { user: TUser }) {
  return (
    <>
      <PageHeader title="Account" description={`Signed in as ${user.name} (${user.role}).`} />
      <div className="space-y-6">
        <ChangePasswordForm />
        <SignOutEverywhere />
        <TokensPanel />
      </div>
    </>
  );
}
