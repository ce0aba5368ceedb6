'use client';

import { useState, type FormEvent } from 'react';
import { Alert, Notice } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { FormField } from '@/components/ui/form-field';
import { JoinAuthFields } from '@/components/cluster/join-auth-fields';
import { EMPTY_JOIN_DRAFT, JOIN_FIELDS, parseJoinDraft, type TJoinDraft } from '@/components/cluster/join-request';
import { JoinConfirmation } from '@/components/cluster/join-confirmation';
import { useJoin, type TJoinPhase } from '@/components/cluster/use-join';

/** An administrator joins this standalone node to a cluster through one of its nodes: check the seed, then confirm what it answered. */
export function JoinForm() {
  const [draft, setDraft] = useState<TJoinDraft>(EMPTY_JOIN_DRAFT);
  const { phase, failure, setFailure, check, cancel, confirm } = useJoin();
  const busy = phase.kind !== 'editing' && phase.kind !== 'timed-out';
  const preview = phase.kind === 'confirming' || phase.kind === 'sending' ? phase.preview : null;

  function edit(change: Partial<TJoinDraft>) {
    setDraft((current) => ({ ...current, ...change }));
    setFailure(null);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = parseJoinDraft(draft);
    if (!parsed.success) return setFailure(parsed.error);
    await check(parsed.data);
  }

  return (
    <Card
      title="Join node to cluster"
      description="This node runs on its own built-in database. Join it to a cluster through any node of that cluster."
    >
      <form onSubmit={submit} aria-label="Join node to cluster" className="space-y-4" noValidate>
        {failure && !failure.isAboutAny(JOIN_FIELDS[draft.method]) && (
          <Alert title="The node did not join.">{failure.message}</Alert>
        )}
        <fieldset disabled={busy} className="space-y-4">
          <div className="max-w-xl">
            <FormField
              label="Address of a node in the cluster"
              name="seedUrl"
              type="url"
              inputMode="url"
              autoComplete="off"
              placeholder="http://node-1.example:3000"
              hint="Use https://, or plain http:// when both nodes run on this machine (loopback)."
              value={draft.seedUrl}
              error={failure?.messageFor('seedUrl')}
              onChange={(event) => edit({ seedUrl: event.target.value })}
            />
          </div>
          <JoinAuthFields draft={draft} failure={failure} onEdit={edit} />
          <p className="rounded-md border border-amber-200 bg-amber-50 px-3.5 py-2.5 text-sm text-amber-900">
            After joining, this node uses the cluster&apos;s database: users and passwords come from the cluster, and this
            node&apos;s own users apply again only if it leaves.
          </p>
        </fieldset>
        {preview && <JoinConfirmation preview={preview} busy={phase.kind === 'sending'} onConfirm={confirm} onCancel={cancel} />}
        <JoinProgress phase={phase} />
        {!preview && (
          <Button type="submit" variant="primary" disabled={busy}>
            {phase.kind === 'checking' ? 'Checking the seed…' : 'Check seed'}
          </Button>
        )}
      </form>
    </Card>
  );
}

function JoinProgress({ phase }: { phase: TJoinPhase }) {
  switch (phase.kind) {
    case 'restarting':
      return (
        <Notice>
          Joining {phase.clusterName}: the node is restarting…
          {phase.withToken && ' Then sign in with a user of the cluster: this node’s own users no longer apply.'}
        </Notice>
      );
    case 'signing-in':
      return <Notice>Joined {phase.clusterName}. Signing in as a user of the cluster…</Notice>;
    case 'timed-out':
      return <Alert>The node did not come back within 60 s; check its log.</Alert>;
    default:
      return null;
  }
}
