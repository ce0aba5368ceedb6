import { apiSend } from '@/lib/api/fetcher';
import type { TNodeAction } from '@/components/cluster/node-actions';

/** The operator actions on one node (restart: admins only), as API calls. */
export function sendNodeAction(nodeId: string, action: TNodeAction): Promise<unknown> {
  const path = `/api/cluster/nodes/${encodeURIComponent(nodeId)}`;
  switch (action.kind) {
    case 'activate':
      return apiSend('POST', `${path}/activate`);
    case 'maintenance':
      return apiSend('PUT', `${path}/maintenance`, { enabled: action.enabled });
    case 'remove':
      return apiSend('DELETE', path);
    case 'restart':
      return apiSend('POST', `${path}/restart`);
  }
}

export function describeNodeAction(action: TNodeAction): string {
  if (action.kind === 'activate') return 'Make active';
  if (action.kind === 'remove') return 'Remove';
  if (action.kind === 'restart') return 'Restart';
  return action.enabled ? 'Maintenance on' : 'Maintenance off';
}
