'use client';

import type { TMemberView } from '@/lib/cluster/status';
import type { TNodeActionKind } from '@/lib/cluster/node-actions';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { describeNodeAction } from '@/components/cluster/send-node-action';

type TProps = {
  node: TMemberView;
  busy: boolean;
  onAction: (node: TMemberView, action: TNodeActionKind) => Promise<void>;
  /** the node is the only ACTIVE one: restarting it leaves the cluster without an active node for a while */
  onlyActive: boolean;
};

/** Exactly the actions the status API allows this user on this node now (lib/cluster/node-actions.ts). */
export function NodeActions({ node, busy, onAction, onlyActive }: TProps) {
  return (
    // the inline confirmation wraps inside the column instead of widening the table
    <div className="flex w-36 flex-col items-start gap-1 [&_[role=group]]:flex-wrap">
      {node.actions.map((action) => {
        const confirm = confirmation(node, action, onlyActive);
        return confirm ? (
          <ConfirmButton
            key={action}
            label={describeNodeAction(action)}
            question={confirm.question}
            confirmLabel={confirm.label}
            disabled={busy}
            onConfirm={() => onAction(node, action)}
          />
        ) : (
          <Button key={action} size="sm" disabled={busy} onClick={() => onAction(node, action)}>
            {describeNodeAction(action)}
          </Button>
        );
      })}
    </div>
  );
}

/** Restart and Remove ask first; the others act at once. */
function confirmation(
  node: TMemberView,
  action: TNodeActionKind,
  onlyActive: boolean,
): { question: string; label: string } | null {
  if (action === 'restart') {
    return {
      question: onlyActive
        ? `${node.name} is the only ACTIVE node: no node runs workflows until it is back or another takes over. Restart it?`
        : `Restart ${node.name}? It loads the configuration on its disk.`,
      label: 'Restart node',
    };
  }
  if (action === 'remove') return { question: `Remove ${node.name} from the cluster?`, label: 'Remove node' };
  return null;
}
