'use client';

import { useDatabase } from '@/lib/swr/use-database';
import { Alert, Notice } from '@/components/ui/alert';
import { DateTime } from '@/components/ui/date-time';

/** How the last *Use this database* or *Move the whole cluster* ended on this node (for everyone). */
export function DatabaseChangeNotice() {
  const { data } = useDatabase();
  const change = data?.change;
  if (!change) return null;
  const what = change.operation === 'use' ? 'Use this database' : 'Move the whole cluster';
  const when = <DateTime value={change.at} />;
  return change.outcome === 'done' ? (
    <Notice>
      {what}: {change.message} ({when})
    </Notice>
  ) : (
    <Alert title={`${what} failed`}>
      {change.message} ({when})
    </Alert>
  );
}
