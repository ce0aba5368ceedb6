'use client';

import { useState } from 'react';
import { useAudit } from '@/lib/swr/use-audit';
import { PageHeader } from '@/components/shell/page-header';
import { Alert } from '@/components/ui/alert';
import { AuditTable } from '@/components/audit/audit-table';

/** Who changed what, from where: every write through the API on any node of the cluster. */
export function AuditView() {
  const [actor, setActor] = useState('');
  const { data, error } = useAudit(actor.trim());
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through the console, the CLI or the API on any node: who, what, from which address, and how it ended. Request bodies are never recorded."
      />
      <label className="mb-4 flex max-w-sm flex-col gap-1 text-sm font-medium text-gray-800">
        User
        <input
          value={actor}
          onChange={(event) => setActor(event.target.value)}
          placeholder="all users"
          className="rounded-md border border-gray-300 px-3 py-1.5 font-normal"
        />
      </label>
      {error && <Alert title="The audit log could not be loaded.">{error.message}</Alert>}
      <AuditTable entries={data} />
    </>
  );
}
