'use client';

import { useEffect, useId, useRef } from 'react';
import type { TMemberView } from '@/lib/cluster/status';
import { useNodeConfiguration } from '@/lib/swr/use-node-configuration';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { ConfigDiffTable } from '@/components/cluster/config-diff-table';
import { SyncStateBadge } from '@/components/cluster/config-diff-sync-badge';
import { shortFingerprint } from '@/components/cluster/format';

type TProps = { node: Pick<TMemberView, 'id' | 'name'>; refreshMs: number; onClose: () => void };

/**
 * A node's configuration, field by field, against what it is compared with (the reference once
 * something was pushed). A modal <dialog>: focus stays inside, Escape closes it and focus goes
 * back to the badge that opened it.
 */
export function ConfigDiffDialog({ node, refreshMs, onClose }: TProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { data, error } = useNodeConfiguration(node.id, refreshMs);

  useEffect(() => {
    const element = dialog.current;
    // unmounting removes the dialog from the page (and the top layer); no close() here, whose
    // 'close' event would arrive after a remount and shut the dialog again
    if (element && !element.open) element.showModal();
  }, []);

  const baseColumn = data?.base?.kind === 'reference' ? 'Reference' : 'Compared with';
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(event) => {
        if (event.target === dialog.current) dialog.current.close(); // a click on the backdrop
      }}
      className="m-auto w-[min(56rem,calc(100vw-2rem))] rounded-lg border border-gray-200 bg-white p-0 text-left shadow-xl backdrop:bg-gray-900/40"
    >
      <div className="space-y-4 p-5">
        <div className="flex items-start justify-between gap-4">
          <div>
            <h2 id={titleId} className="flex flex-wrap items-center gap-2 text-lg font-semibold text-gray-900">
              Configuration of {node.name}
              {data && <SyncStateBadge state={data.node.syncState} />}
            </h2>
            <p className="mt-1 text-sm text-gray-600">
              {data
                ? data.base
                  ? `Compared with: ${data.base.label}`
                  : 'Compared with: nothing — no other node to compare with yet.'
                : 'Loading…'}
            </p>
          </div>
          <Button size="sm" onClick={() => dialog.current?.close()}>
            Close
          </Button>
        </div>
        {error && <Alert title="The configuration could not be read">{error.message}</Alert>}
        {data && (
          <>
            <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
              <Fingerprint label="Active fingerprint (running)" value={data.node.activeFingerprint} />
              <Fingerprint label="Pending fingerprint (on disk)" value={data.node.pendingFingerprint} />
              <Fingerprint
                label={data.base?.kind === 'reference' ? 'Reference fingerprint' : 'Fingerprint compared with'}
                value={data.base?.fingerprint ?? null}
              />
            </dl>
            {data.node.keepsOwnCertificate && (
              <p className="text-sm text-gray-600">This node keeps its own certificate: a push does not replace it.</p>
            )}
            <ConfigDiffTable
              title="Running now"
              description="what the node loaded when it started"
              differences={data.running}
              baseColumn={baseColumn}
            />
            <ConfigDiffTable
              title="On disk (after a restart)"
              description="what the node loads when it restarts"
              differences={data.onDisk}
              baseColumn={baseColumn}
            />
          </>
        )}
      </div>
    </dialog>
  );
}

function Fingerprint({ label, value }: { label: string; value: string | null }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">{label}</dt>
      <dd className="mt-0.5">
        {value ? (
          <code title={value} className="font-mono text-xs text-gray-900">
            {shortFingerprint(value)}
          </code>
        ) : (
          <span className="text-gray-400">—</span>
        )}
      </dd>
    </div>
  );
}
