'use client';

import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { apiSend, toApiError, type ApiError } from '@/lib/api/fetcher';
import type { TJoinRequest } from '@/lib/join/schemas';
import { useRefreshCluster } from '@/lib/swr/polling';
import { waitForClusterId } from '@/components/cluster/wait-for-cluster-id';

export type TJoinPhase =
  | { kind: 'editing' }
  | { kind: 'sending' }
  | { kind: 'restarting'; clusterName: string; withToken: boolean }
  | { kind: 'signing-in'; clusterName: string }
  | { kind: 'timed-out' };

type TJoinAnswer = { clusterId: string; clusterName: string; restarting: true };

const LOGIN_AFTER_JOIN = '/login?callbackUrl=/cluster';

/** Sends the join, follows the restart, then signs in again: the old session belongs to this node's own users. */
export function useJoin() {
  const router = useRouter();
  const refreshAll = useRefreshCluster();
  const [phase, setPhase] = useState<TJoinPhase>({ kind: 'editing' });
  const [failure, setFailure] = useState<ApiError | null>(null);

  async function join(request: TJoinRequest) {
    setFailure(null);
    setPhase({ kind: 'sending' });
    let answer: TJoinAnswer;
    try {
      answer = await apiSend<TJoinAnswer>('POST', '/api/cluster/join', request);
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
    const result = await signIn('credentials', { redirect: false, username: request.user, password: request.password }).catch(() => undefined);
    if (!result?.ok || result.error) return router.replace(LOGIN_AFTER_JOIN);
    await refreshAll();
    router.replace('/cluster');
    router.refresh();
  }

  return { phase, failure, setFailure, join };
}
