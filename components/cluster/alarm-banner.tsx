import type { ApiError } from '@/lib/api/fetcher';
import type { TAlarm } from '@/lib/cluster/alarms';

type TProps = {
  alarms: TAlarm[];
  /** the last status fetch's failure; the page keeps showing the last known data below */
  error: ApiError | undefined;
};

/** What needs an operator's attention now, one item per alarm; nothing at all when all is well. */
export function AlarmBanner({ alarms, error }: TProps) {
  const items = alarms.map((alarm) => ({ key: `${alarm.code}:${alarm.nodeId ?? ''}`, text: alarm.message }));
  if (error?.code === 'DATABASE_UNREACHABLE') {
    items.unshift({ key: 'database', text: 'This node cannot reach the database.' });
  } else if (error) {
    items.unshift({ key: 'status', text: `The cluster status could not be read: ${error.message}` });
  }
  if (items.length === 0) return null;
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3.5 py-2.5 text-sm text-red-800">
      <ul className="space-y-1">
        {items.map((item) => (
          <li key={item.key} className="flex gap-2">
            <span aria-hidden="true">⚠</span>
            <span>{item.text}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
