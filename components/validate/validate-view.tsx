'use client';

import { useState } from 'react';
import useSWR from 'swr';
import { fetcher, type ApiError } from '@/lib/api/fetcher';
import type { TUser } from '@/lib/auth/roles';
import { can } from '@/lib/auth/permissions';
import type { TValidationReport, TValidationStatus } from '@/lib/validate/validate-cluster';
import { PageHeader } from '@/components/shell/page-header';
import { SupportBundleButton } from '@/components/validate/support-bundle-button';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Table, Td, Th, WideRow } from '@/components/ui/table';

const BADGE: Record<TValidationStatus, string> = {
  pass: 'bg-green-100 text-green-800',
  warn: 'bg-amber-100 text-amber-900',
  fail: 'bg-red-100 text-red-800',
};

/** Validate configuration: every check of the cluster's set-up, run when the page opens and on demand. */
export function ValidateView({ user }: { user: TUser }) {
  const allowed = can(user, 'validateConfiguration');
  const [round, setRound] = useState(0);
  const { data, error, isValidating } = useSWR<TValidationReport, ApiError>(
    allowed ? ['/api/config/validate', round] : null,
    ([url]: [string]) => fetcher(url),
    {
      revalidateOnFocus: false,
    },
  );
  return (
    <>
      <PageHeader
        title="Validate configuration"
        description="The whole cluster's set-up, checked from this node: each check passes, warns or fails, with what to do."
      />
      {!allowed ? (
        <p className="text-sm text-gray-600">Validating needs the operator role.</p>
      ) : (
        <div className="space-y-4">
          <div className="flex items-center gap-3">
            <Button variant="primary" disabled={isValidating} onClick={() => setRound(round + 1)}>
              {isValidating ? 'Validating…' : 'Validate again'}
            </Button>
            {can(user, 'supportBundle') && <SupportBundleButton />}
            {data && (
              <span role="status" className={`rounded px-2 py-1 text-sm font-medium ${data.ok ? BADGE.pass : BADGE.fail}`}>
                {data.ok ? 'Nothing failed' : `${data.checks.filter((item) => item.status === 'fail').length} failed`}
              </span>
            )}
          </div>
          {error && <Alert title="The validation could not run">{error.message}</Alert>}
          <Table caption="Validation checks">
            <thead>
              <tr>
                <Th>Result</Th>
                <Th>Check</Th>
                <Th>Found</Th>
                <Th>What to do</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100">
              {!data && !error && <WideRow columns={4}>Validating…</WideRow>}
              {data?.checks.map((item) => (
                <tr key={item.name} aria-label={item.name}>
                  <Td>
                    <span className={`rounded px-1.5 py-0.5 text-xs font-semibold uppercase ${BADGE[item.status]}`}>
                      {item.status}
                    </span>
                  </Td>
                  <Td className="font-medium">{item.name}</Td>
                  <Td className="text-gray-700">{item.detail}</Td>
                  <Td className="text-gray-700">{item.action ?? '—'}</Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
    </>
  );
}
