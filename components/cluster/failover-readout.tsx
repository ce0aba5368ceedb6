import { failoverSeconds, formatSeconds } from '@/components/cluster/format';
import { toNumber, type TSettingsDraft } from '@/components/cluster/use-settings-draft';

/** What the typed values mean, live: the failover time (interval × failover heartbeats) and the mode. */
export function FailoverReadout({ draft }: { draft: TSettingsDraft }) {
  const window = failoverSeconds(toNumber(draft.heartbeatIntervalSeconds), toNumber(draft.failoverHeartbeats));
  const active = toNumber(draft.activeNodeCount);
  return (
    <div className="space-y-1 rounded-md bg-gray-50 px-3 py-2 text-sm">
      <p className="font-medium text-gray-800">Failover time</p>
      <p className="text-gray-900 tabular-nums">
        {window === null ? 'fails over after —' : `fails over after ${formatSeconds(window)}`}
      </p>
      <p className="text-xs text-gray-500">
        {active === 1
          ? 'One active node: HA mode, the others stand by.'
          : active > 1
            ? `${active} active nodes: load-balanced mode.`
            : '\u00a0'}
      </p>
    </div>
  );
}
