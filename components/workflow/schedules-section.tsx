'use client';

import { apiSend } from '@/lib/api/fetcher';
import { useSchedules } from '@/lib/swr/use-schedules';
import type { TScheduleView } from '@/lib/workflow/schedules';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Table, Td, Th, WideRow } from '@/components/ui/table';
import { EventTime } from '@/components/cluster/event-time';
import { shortId } from '@/components/workflow/format';
import { useApiCall } from '@/components/ui/use-api-call';

const COLUMNS = ['Schedule', 'Workflow', 'When', 'Policies', 'Next fire times', 'Last firing', ''];

function when(schedule: TScheduleView): string {
  return schedule.cron !== null ? `${schedule.cron} (${schedule.timeZone})` : `every ${schedule.everySeconds} s`;
}

/** The schedules: when each fires next, its last firing (time, node, epoch, result); operators pause, resume and remove. */
export function SchedulesSection({ canManage }: { canManage: boolean }) {
  const { data: schedules, error, mutate } = useSchedules();
  const { failure, call } = useApiCall();

  async function send(method: 'PATCH' | 'DELETE', id: string, body?: unknown) {
    await call(() => apiSend(method, `/api/schedules/${id}`, body));
    await mutate();
  }

  return (
    <Card
      title="Schedules"
      description={
        <>
          Only active nodes fire schedules, each slot once (add one with <code>orchctl schedule add</code>). After a time without
          an active node, the misfire policy decides: fire once, skip, or catch up within a window.
        </>
      }
    >
      {error && <p className="mb-2 text-sm text-red-700">The schedules could not be read: {error.message}</p>}
      {failure && <p className="mb-2 text-sm text-red-700">The schedule was not changed: {failure.message}</p>}
      <Table caption="Schedules">
        <thead>
          <tr>
            {COLUMNS.map((column, index) => (
              <Th key={index}>{column}</Th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {!schedules && <WideRow columns={COLUMNS.length}>Loading the schedules…</WideRow>}
          {schedules?.length === 0 && <WideRow columns={COLUMNS.length}>No schedules.</WideRow>}
          {schedules?.map((schedule) => (
            <tr key={schedule.id}>
              <Td className="font-mono" title={schedule.id}>
                {shortId(schedule.id)}
              </Td>
              <Td className="whitespace-nowrap">{schedule.workflowName}</Td>
              <Td className="font-mono text-xs">{when(schedule)}</Td>
              <Td className="text-xs text-gray-600">
                misfire {schedule.misfire}
                {schedule.misfire === 'catch-up' ? ` (${schedule.catchUpSeconds} s)` : ''}, overlap {schedule.overlap}
              </Td>
              <Td className="text-xs whitespace-nowrap text-gray-600">
                {schedule.paused ? (
                  <span className="font-medium text-amber-700">paused</span>
                ) : (
                  <ul>
                    {schedule.nextFireTimes.slice(0, 3).map((slot) => (
                      <li key={slot}>
                        <EventTime value={slot} />
                      </li>
                    ))}
                  </ul>
                )}
              </Td>
              <Td className="text-xs text-gray-600">
                {schedule.lastFiredAt ? (
                  <>
                    <EventTime value={schedule.lastFiredAt} /> on{' '}
                    {schedule.lastFiredNodeName ?? shortId(schedule.lastFiredNodeId ?? '')}, epoch {schedule.lastFiredEpoch}
                  </>
                ) : (
                  <span className="text-gray-400">never</span>
                )}
                {schedule.lastResult && <div>{schedule.lastResult}</div>}
              </Td>
              <Td className="whitespace-nowrap">
                {canManage && (
                  <span className="inline-flex gap-2">
                    <Button size="sm" onClick={() => send('PATCH', schedule.id, { paused: !schedule.paused })}>
                      {schedule.paused ? 'Resume' : 'Pause'}
                    </Button>
                    <ConfirmButton
                      label="Remove"
                      question="Remove this schedule? Its runs stay."
                      confirmLabel="Remove the schedule"
                      onConfirm={() => send('DELETE', schedule.id)}
                    />
                  </span>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}
