import { apiSend } from '@/lib/api/fetcher';
import type { TNodeActionKind } from '@/lib/cluster/node-actions';

/** The row actions on one node, as API calls (which of them a user may take, the status API says). */
export function sendNodeAction(nodeId: string, action: TNodeActionKind): Promise<unknown> {
  const path = `/api/cluster/nodes/${encodeURIComponent(nodeId)}`;
  switch (action) {
    case 'activate':
      return apiSend('POST', `${path}/activate`);
    case 'maintenance-on':
    case 'maintenance-off':
      return apiSend('PUT', `${path}/maintenance`, { enabled: action === 'maintenance-on' });
    case 'remove':
      return apiSend('DELETE', path);
    case 'restart':
      return apiSend('POST', `${path}/restart`);
  }
}

const LABELS: Record<TNodeActionKind, string> = {
  activate: 'Make active',
  'maintenance-on': 'Maintenance on',
  'maintenance-off': 'Maintenance off',
  restart: 'Restart',
  remove: 'Remove',
};

export function describeNodeAction(action: TNodeActionKind): string {
  return LABELS[action];
}
