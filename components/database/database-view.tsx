'use client';

import type { TUser } from '@/lib/auth/roles';
import { can } from '@/lib/auth/permissions';
import { PageHeader } from '@/components/shell/page-header';
import { DatabaseFactsCard } from '@/components/database/database-facts-card';
import { DatabaseTestForm } from '@/components/database/database-test-form';

/** The database this node uses (for everyone), and testing another connection string (admins). */
export function DatabaseView({ user }: { user: TUser }) {
  return (
    <>
      <PageHeader title="Database" description="The PostgreSQL database this node uses, as this node sees it" />
      <div className="space-y-6">
        <DatabaseFactsCard />
        {can(user, 'testDatabase') && <DatabaseTestForm />}
      </div>
    </>
  );
}
