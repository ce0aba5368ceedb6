'use client';

import { useState } from 'react';
import type { TMemberView } from '@/lib/cluster/status';
import { ConfigDiffDialog } from '@/components/cluster/config-diff-dialog';
import { SyncStateBadge } from '@/components/cluster/config-diff-sync-badge';

type TProps = { node: Pick<TMemberView, 'id' | 'name' | 'syncState'>; refreshMs: number };

/** The node's sync state as a badge; clicking it shows how the node's configuration differs. */
export function ConfigDiffButton({ node, refreshMs }: TProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        aria-haspopup="dialog"
        title={`Show how the configuration of ${node.name} differs`}
        onClick={() => setOpen(true)}
        className="cursor-pointer rounded-full whitespace-nowrap focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        <SyncStateBadge state={node.syncState} />
      </button>
      {open && <ConfigDiffDialog node={node} refreshMs={refreshMs} onClose={() => setOpen(false)} />}
    </>
  );
}
