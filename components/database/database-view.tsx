'use client';

import type { TUser } from '@/lib/auth/roles';
import { can } from '@/lib/auth/permissions';
import { useDatabase } from '@/lib/swr/use-database';
import { PageHeader } from '@/components/shell/page-header';
import { DatabaseChangeNotice } from '@/components/database/database-change-notice';
import { DatabaseFactsCard } from '@/components/database/database-facts-card';
import { DatabaseMoveForm } from '@/components/database/database-move-form';
import { DatabaseTestForm } from '@/components/database/database-test-form';
import { DatabaseUseForm } from '@/components/database/database-use-form';

/**
 * The database this node uses (for everyone), testing another connection string and switching
 * (admins): Use this database on the built-in one, Move the whole cluster on an external one.
 */
export function DatabaseView({ user }: { user: TUser }) {
  const { data } = useDatabase();
  return (
    <>
      <PageHeader title="Database" description="The PostgreSQL database this node uses, as this node sees it" />
      <div className="space-y-6">
        <DatabaseChangeNotice />
        <DatabaseFactsCard />
        {can(user, 'testDatabase') && <DatabaseTestForm />}
        {data?.kind === 'built-in' && can(user, 'useDatabase') && <DatabaseUseForm />}
        {data?.kind === 'external' && can(user, 'moveDatabase') && <DatabaseMoveForm />}
      </div>
    </>
  );
}
