'use client';

import { Button } from '@/components/ui/button';
import { Fact } from '@/components/ui/fact';
import type { TJoinPreview } from '@/lib/join/schemas';

type TProps = { preview: TJoinPreview; busy: boolean; onConfirm: () => void; onCancel: () => void };

/**
 * What the seed answered, shown before the node switches: the administrator checks the cluster,
 * where its database is and which certificate the seed served, and only then confirms.
 */
export function JoinConfirmation({ preview, busy, onConfirm, onCancel }: TProps) {
  return (
    <section aria-label="Confirm the join" className="space-y-4 rounded-md border border-indigo-200 bg-indigo-50/50 p-4">
      <p className="text-sm text-gray-800">
        The seed node at <span className="font-mono">{preview.seedUrl}</span> answered. Check that this is the cluster you mean to
        join; nothing has changed on this node yet.
      </p>
      <dl className="grid grid-cols-1 gap-4 md:grid-cols-2 [&_dd]:wrap-anywhere">
        <Fact label="Cluster name">{preview.clusterName}</Fact>
        <Fact label="Cluster id">
          <span className="font-mono">{preview.clusterId}</span>
        </Fact>
        <Fact label="Database host">
          <span className="font-mono">{preview.databaseHost}</span>
        </Fact>
        <Fact label="Seed certificate fingerprint">
          <span className="font-mono">{preview.fingerprint ?? 'none: plain HTTP between loopback addresses'}</span>
        </Fact>
        <Fact label="Cluster certificate fingerprint">
          <span className="font-mono">{preview.clusterFingerprint}</span>
        </Fact>
      </dl>
      <div className="flex gap-3">
        <Button variant="primary" onClick={onConfirm} disabled={busy}>
          Confirm and join
        </Button>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
      </div>
    </section>
  );
}
