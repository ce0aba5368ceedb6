'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { apiSend, toApiError, type ApiError } from '@/lib/api/fetcher';
import type { TJoinConfirm, TJoinPreview, TJoinPreviewRequest } from '@/lib/join/schemas';
import { useRefreshCluster } from '@/lib/swr/polling';
import { waitForClusterId } from '@/components/cluster/wait-for-cluster-id';

export type TJoinPhase =
  | { kind: 'editing' }
  | { kind: 'checking' }
  /** step 1 answered: the administrator reads what the node would join and confirms, or not */
  | { kind: 'confirming'; preview: TJoinPreview }
  | { kind: 'sending'; preview: TJoinPreview }
  | { kind: 'restarting'; clusterName: string; withToken: boolean }
  | { kind: 'signing-in'; clusterName: string }
  | { kind: 'timed-out' };

type TJoinAnswer = { clusterId: string; clusterName: string; restarting: true };

const LOGIN_AFTER_JOIN = '/login?callbackUrl=/cluster';

/**
 * A join in two steps: check the seed (nothing changes), then, once the administrator confirmed
 * what it showed, join; follow the restart, then sign in again: the old session belongs to this
 * node's own users.
 */
export function useJoin() {
  const router = useRouter();
  const refreshAll = useRefreshCluster();
  const [phase, setPhase] = useState<TJoinPhase>({ kind: 'editing' });
  const [request, setRequest] = useState<TJoinPreviewRequest | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);

  async function check(next: TJoinPreviewRequest) {
    setFailure(null);
    setPhase({ kind: 'checking' });
    try {
      const preview = await apiSend<TJoinPreview>('POST', '/api/cluster/join-preview', next);
      setRequest(next);
      setPhase({ kind: 'confirming', preview });
    } catch (error) {
      setFailure(toApiError(error));
      setPhase({ kind: 'editing' });
    }
  }

  function cancel() {
    setFailure(null);
    setPhase({ kind: 'editing' });
  }

  async function confirm() {
    if (phase.kind !== 'confirming' || !request) return;
    const { preview } = phase;
    setFailure(null);
    setPhase({ kind: 'sending', preview });
    const { clusterId, clusterName, databaseHost, fingerprint } = preview;
    const body: TJoinConfirm = { previewId: preview.previewId, confirmed: { clusterId, clusterName, databaseHost, fingerprint } };
    let answer: TJoinAnswer;
    try {
      answer = await apiSend<TJoinAnswer>('POST', '/api/cluster/join', body);
    } catch (error) {
      setFailure(toApiError(error));
      return setPhase({ kind: 'editing' });
    }
    setPhase({ kind: 'restarting', clusterName: answer.clusterName, withToken: !request.password });
    if (!(await waitForClusterId(answer.clusterId))) return setPhase({ kind: 'timed-out' });
    // with a token there is no password to reuse: a user of the cluster signs in on the login page
    if (!request.user || !request.password) return router.replace(LOGIN_AFTER_JOIN);
    setPhase({ kind: 'signing-in', clusterName: answer.clusterName });
    // the seed accepted these as an administrator of the cluster, whose users this node now has
    const result = await signIn('credentials', { redirect: false, username: request.user, password: request.password }).catch(
      () => undefined,
    );
    if (!result?.ok || result.error) return router.replace(LOGIN_AFTER_JOIN);
    await refreshAll();
    router.replace('/cluster');
    router.refresh();
  }

  return { phase, failure, setFailure, check, cancel, confirm };
}
