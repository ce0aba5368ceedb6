import { Fact } from '@/components/ui/fact';
import type { TMemberView } from '@/lib/cluster/status';
import { DateTime } from '@/components/ui/date-time';
import { ClockSkew } from '@/components/cluster/clock-skew';
import { formatAge, formatCode, shortFingerprint } from '@/components/cluster/format';

/** The facts of one member, each keeping its line height so nothing jumps on refresh. */
export function NodeFacts({ node }: { node: TMemberView }) {
  return (
    <dl className="grid grid-cols-2 gap-x-8 gap-y-4 md:grid-cols-4">
      <Fact label="Epoch">{node.epoch ?? '—'}</Fact>
      <Fact label="Slot">{node.slot ?? '—'}</Fact>
      <Fact label="Clock skew">
        <ClockSkew ms={node.clockSkewMs} />
      </Fact>
      <Fact label="Version">{node.version}</Fact>
      <Fact label="Registered">
        <DateTime value={node.registeredAt} />
      </Fact>
      <Fact label="Started">
        <DateTime value={node.startedAt} />
      </Fact>
      <Fact label="Last heartbeat">{formatAge(node.lastHeartbeatAgeMs)}</Fact>
      <Fact label="Configuration">
        {formatCode(node.syncState)}
        {node.activeFingerprint && <code className="ml-2 text-xs text-gray-500">{shortFingerprint(node.activeFingerprint)}</code>}
      </Fact>
      {node.removedAt && (
        <Fact label="Removed">
          <DateTime value={node.removedAt} />
        </Fact>
      )}
    </dl>
  );
}
