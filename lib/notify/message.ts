/** What a notification says: the JSON body of a webhook, the subject and text of an email. */
import type { TClaimedDelivery } from '@/lib/notify/outbox';

export type TNotificationMessage = {
  /** the delivery id: the same on every retry, so a receiver can drop a repeat */
  id: string;
  kind: string;
  /** the node the event is about (null for cluster-wide alarms) */
  node: string | null;
  nodeId: string | null;
  cluster: string;
  /** when the event was recorded (database time) */
  at: string;
  attempt: number;
  summary: string;
  details: Record<string, unknown>;
  /** the node that sent this attempt */
  sentBy: string;
};

export function buildMessage(delivery: TClaimedDelivery, sentBy: string): TNotificationMessage {
  return {
    id: delivery.id,
    kind: delivery.kind,
    node: delivery.nodeName,
    nodeId: delivery.nodeId,
    cluster: delivery.clusterName,
    at: delivery.createdAt.toISOString(),
    attempt: delivery.attempt,
    summary: summarize(delivery),
    details: delivery.details,
    sentBy,
  };
}

function summarize(delivery: TClaimedDelivery): string {
  const node = delivery.nodeName ?? 'a node';
  const message = typeof delivery.details.message === 'string' ? delivery.details.message : undefined;
  switch (delivery.kind) {
    case 'BECAME_ACTIVE':
      return `${node} became active`;
    case 'NOT_RESPONDING':
      return `${node} is not responding`;
    case 'FENCED':
      return `${node} fenced itself (it stopped active work)`;
    case 'RUN_RESUMED':
      return `a workflow run was resumed on ${node}`;
    case 'DATABASE_FAILOVER':
      return 'the shared database changed primary';
    case 'DATABASE_FAILOVER_LOST_WORK':
      return `workflow elements run again after the database failover: ${message ?? 'see the event'}`;
    case 'ALARM_RAISED':
      return `alarm raised: ${message ?? String(delivery.details.code ?? '')}`;
    case 'ALARM_CLEARED':
      return `alarm cleared: ${message ?? String(delivery.details.code ?? '')}`;
    case 'CONFIG_PUSHED':
      return 'a configuration was pushed to the cluster';
    case 'ROLLOUT_FAILED':
      return 'a rolling reset failed';
    case 'TEST':
      return 'test notification from the Orchestrator Control Center';
    default:
      return `${delivery.kind} on ${node}`;
  }
}
