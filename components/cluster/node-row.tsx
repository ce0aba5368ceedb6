'use client';

import Link from 'next/link';
import type { TMemberView } from '@/lib/cluster/status';
import { NodeStateBadge } from '@/components/cluster/node-state-badge';
import { ClockSkew } from '@/components/cluster/clock-skew';
import { NodeActions } from '@/components/cluster/node-actions';
import type { TNodeActionKind } from '@/lib/cluster/node-actions';
import { ConfigDiffButton } from '@/components/cluster/config-diff-button';
import { formatAge, shortFingerprint } from '@/components/cluster/format';

export const CELL = 'px-2.5 py-2 align-middle';

type TProps = {
  node: TMemberView;
  /** how often the configuration difference is read again while it is shown: the heartbeat interval */
  refreshMs: number;
  /** the actions column, for users who may act on nodes; each row shows what the API allows on that node */
  actions?: { busy: boolean; onAction: (node: TMemberView, action: TNodeActionKind) => Promise<void>; onlyActive: boolean };
};

export function NodeRow({ node, refreshMs, actions }: TProps) {
  const removed = node.state === 'REMOVED';
  return (
    <tr className={removed ? 'bg-gray-50 text-gray-400' : 'text-gray-800'}>
      <td className={CELL}>
        <Link href={`/cluster/nodes/${node.id}`} className="font-medium whitespace-nowrap text-indigo-700 hover:underline">
          {node.name}
        </Link>
        {node.local && <span className="block text-xs whitespace-nowrap text-gray-500">this node</span>}
      </td>
      <td className={`${CELL} font-mono text-xs`}>
        <BreakableUrl url={node.url} />
      </td>
      <td className={`${CELL} whitespace-nowrap`}>
        <NodeStateBadge state={node.state} />
      </td>
      <td className={`${CELL} whitespace-nowrap tabular-nums`}>{formatAge(node.lastHeartbeatAgeMs)}</td>
      <td className={`${CELL} tabular-nums`}>{node.epoch ?? '—'}</td>
      <td className={`${CELL} whitespace-nowrap`}>
        <ClockSkew ms={node.clockSkewMs} />
      </td>
      <td className={CELL}>{node.version}</td>
      <td className={CELL}>
        {removed ? <span className="text-gray-400">—</span> : <ConfigDiffButton node={node} refreshMs={refreshMs} />}
        {node.activeFingerprint && (
          <code title={`active (running): ${node.activeFingerprint}`} className="mt-0.5 block text-xs text-gray-500">
            {shortFingerprint(node.activeFingerprint)}
          </code>
        )}
        {node.pendingFingerprint && node.pendingFingerprint !== node.activeFingerprint && (
          <code
            title={`pending (on disk): ${node.pendingFingerprint}`}
            className="block text-xs whitespace-nowrap text-amber-800"
          >
            → {shortFingerprint(node.pendingFingerprint)}
          </code>
        )}
      </td>
      <td className={CELL}>{node.restartPending ? 'Yes' : 'No'}</td>
      {actions && (
        <td className={CELL}>
          <NodeActions node={node} busy={actions.busy} onAction={actions.onAction} onlyActive={actions.onlyActive} />
        </td>
      )}
    </tr>
  );
}

/** An address that may wrap after its scheme ("http://" / "host:port") and nowhere inside the host. */
function BreakableUrl({ url }: { url: string }) {
  const cut = url.indexOf('://') + 3;
  const [scheme, rest] = cut > 2 ? [url.slice(0, cut), url.slice(cut)] : ['', url];
  return (
    <>
      {scheme}
      <wbr />
      {rest}
    </>
  );
}
