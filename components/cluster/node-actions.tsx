'use client';

import type { TMemberView } from '@/lib/cluster/status';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';

export type TNodeAction = { kind: 'activate' } | { kind: 'maintenance'; enabled: boolean } | { kind: 'remove' } | { kind: 'restart' };

type TProps = {
  node: TMemberView;
  busy: boolean;
  onAction: (node: TMemberView, action: TNodeAction) => Promise<void>;
  /** administrators may restart a node (the API refuses operators) */
  canRestart: boolean;
  /** the node is the only ACTIVE one: restarting it leaves the cluster without an active node for a while */
  onlyActive: boolean;
};

/** What an operator may do to a node in its current state; nothing for a removed node. */
export function NodeActions({ node, busy, onAction, canRestart, onlyActive }: TProps) {
  const live = node.state !== 'REMOVED' && node.state !== 'NOT_RESPONDING';
  return (
    // the inline confirmation wraps inside the column instead of widening the table
    <div className="flex w-36 flex-col items-start gap-1 [&_[role=group]]:flex-wrap">
      {node.state === 'STANDBY' && (
        <Button size="sm" disabled={busy} onClick={() => onAction(node, { kind: 'activate' })}>
          Make active
        </Button>
      )}
      {live && (
        <Button size="sm" disabled={busy} onClick={() => onAction(node, { kind: 'maintenance', enabled: !node.maintenance })}>
          {node.maintenance ? 'Maintenance off' : 'Maintenance on'}
        </Button>
      )}
      {live && canRestart && (
        <ConfirmButton
          label="Restart"
          question={
            onlyActive
              ? `${node.name} is the only ACTIVE node: no node runs workflows until it is back or another takes over. Restart it?`
              : `Restart ${node.name}? It loads the configuration on its disk.`
          }
          confirmLabel="Restart node"
          disabled={busy}
          onConfirm={() => onAction(node, { kind: 'restart' })}
        />
      )}
      {node.state === 'NOT_RESPONDING' && (
        <ConfirmButton
          label="Remove"
          question={`Remove ${node.name} from the cluster?`}
          confirmLabel="Remove node"
          disabled={busy}
          onConfirm={() => onAction(node, { kind: 'remove' })}
        />
      )}
    </div>
  );
}
