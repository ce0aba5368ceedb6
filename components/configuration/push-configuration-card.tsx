'use client';

import { useState } from 'react';
import { apiSend, type ApiError } from '@/lib/api/fetcher';
import type { TClusterStatus } from '@/lib/cluster/status';
import type { TPushResult } from '@/lib/config/push-configuration';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { ConvergedIndicator } from '@/components/cluster/converged-indicator';
import { RolloutProgress } from '@/components/cluster/rollout-progress';
import { shortFingerprint } from '@/components/cluster/format';
import { ReferenceSummary } from '@/components/configuration/reference-summary';
import { useApiCall } from '@/components/ui/use-api-call';

type TProps = {
  status: TClusterStatus | undefined;
  /** the last status read's failure: during a rolling reset this node restarts too */
  statusError: ApiError | undefined;
  /** operators and administrators push; viewers read */
  canPush: boolean;
  /** reads the cluster status again after a push */
  onPushed: () => Promise<unknown>;
};

/** The reference, whether the cluster runs it, the two push buttons and the rolling reset's progress. */
export function PushConfigurationCard({ status, statusError, canPush, onPushed }: TProps) {
  const [result, setResult] = useState<string | null>(null);
  const { busy, failure, call } = useApiCall();

  async function push(reset: boolean) {
    setResult(null);
    await call(async () => setResult(describePush(await apiSend<TPushResult>('POST', '/api/config/push', { reset }))));
    await onPushed();
  }

  return (
    <Card
      title="Push configuration"
      description="Pushing makes this node's configuration the cluster's reference. Every other node writes it to its disk within one heartbeat and shows PENDING RESTART until it restarts; “and reset nodes” then restarts the nodes one at a time, this one last, keeping a node active throughout."
    >
      <div className="space-y-4">
        {statusError && (
          <Alert title="The cluster status could not be read">
            {statusError.message} — during a rolling reset this node restarts too; the page carries on when it is back.
          </Alert>
        )}
        {status ? (
          <ReferenceSummary reference={status.reference} />
        ) : (
          <p className="text-sm text-gray-500">Waiting for the cluster status…</p>
        )}
        {status && <ConvergedIndicator status={status} />}
        {canPush && (
          <div className="flex flex-wrap items-center gap-3">
            <Button variant="primary" disabled={busy} onClick={() => push(false)}>
              Push configuration
            </Button>
            <ConfirmButton
              label="Push configuration and reset nodes"
              question="Push, then restart every node one at a time?"
              confirmLabel="Push and reset nodes"
              disabled={busy}
              onConfirm={() => push(true)}
            />
          </div>
        )}
        {result && <Notice>{result}</Notice>}
        {failure && <Alert title="The push failed">{failure.message}</Alert>}
        {status?.rollout && <RolloutProgress rollout={status.rollout} />}
      </div>
    </Card>
  );
}

function describePush(result: TPushResult): string {
  const version = `configuration version ${result.version} (${shortFingerprint(result.fingerprint)})`;
  const pushed = result.created
    ? `Pushed ${version}.`
    : `${version[0].toUpperCase()}${version.slice(1)} was already the reference.`;
  if (result.rolloutId !== null) return `${pushed} Rolling reset #${result.rolloutId} started: the nodes restart one at a time.`;
  return `${pushed} The other nodes write it to their disk within one heartbeat and then wait for a restart.`;
}
