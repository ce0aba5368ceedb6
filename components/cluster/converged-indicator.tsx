import type { TClusterStatus } from '@/lib/cluster/status';
import { isLiveState } from '@/lib/cluster/node-state';
import { formatCode } from '@/components/cluster/format';

/**
 * "Cluster converged": every live node runs the reference (the status API decides; this only
 * says it, and names the nodes that are not there yet).
 */
export function ConvergedIndicator({ status }: { status: Pick<TClusterStatus, 'converged' | 'reference' | 'nodes'> }) {
  if (status.converged) {
    return (
      <p
        role="status"
        aria-label="Cluster convergence"
        className="flex items-start gap-2 rounded-md border border-green-200 bg-green-50 px-3.5 py-2.5 text-sm text-green-800"
      >
        <span aria-hidden="true">✓</span>
        <span>
          <strong className="font-semibold">Converged:</strong>{' '}
          {status.reference
            ? 'every node runs the reference configuration.'
            : 'every node runs the same configuration (nothing pushed yet).'}
        </span>
      </p>
    );
  }
  const behind = status.nodes.filter((node) => isLiveState(node.state) && node.syncState !== 'IN_SYNC');
  return (
    <p
      role="status"
      aria-label="Cluster convergence"
      className="flex items-start gap-2 rounded-md border border-amber-200 bg-amber-50 px-3.5 py-2.5 text-sm text-amber-900"
    >
      <span aria-hidden="true">●</span>
      <span>
        <strong className="font-semibold">Not converged:</strong> {behind.length} {behind.length === 1 ? 'node' : 'nodes'} out of
        sync or pending restart
        {behind.length > 0 && ` (${behind.map((node) => `${node.name}: ${formatCode(node.syncState)}`).join(', ')})`}.
      </span>
    </p>
  );
}
