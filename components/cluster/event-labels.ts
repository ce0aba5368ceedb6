import type { EVENT_KINDS, TClusterEventView } from '@/lib/cluster/events';
import type { TTone } from '@/components/ui/badge';
import { formatSeconds } from '@/components/cluster/format';

type TEventKind = (typeof EVENT_KINDS)[number];

export const EVENT_LABELS: Record<TEventKind, string> = {
  REGISTERED: 'registered',
  RESTARTED: 'restarted',
  REMOVED: 'removed',
  BECAME_ACTIVE: 'became active',
  BECAME_STANDBY: 'became standby',
  LATE: 'late',
  NOT_RESPONDING: 'not responding',
  RECOVERED: 'recovered',
  FENCED: 'fenced',
  SETTINGS_CHANGED: 'settings changed',
  MAINTENANCE_ON: 'maintenance on',
  MAINTENANCE_OFF: 'maintenance off',
  HANDOVER_REQUESTED: 'hand-over requested',
  CONFIG_PUSHED: 'configuration pushed',
  CONFIG_APPLIED: 'configuration received',
  RESTART_REQUESTED: 'restart requested',
  ROLLOUT_STARTED: 'rolling reset started',
  ROLLOUT_COMPLETED: 'rolling reset completed',
  ROLLOUT_FAILED: 'rolling reset failed',
  CONFIG_UNREADABLE: 'configuration unreadable',
  ROLLOUT_RESTORE_FAILED: 'active node count not put back',
  ALARM_RAISED: 'alarm raised',
  ALARM_CLEARED: 'alarm cleared',
  DATABASE_FAILOVER: 'database failed over',
  DATABASE_FAILOVER_LOST_WORK: 'work lost in the database failover',
  AUTH_CONFIG_CHANGED: 'authentication changed',
};

const EVENT_TONES: Partial<Record<string, TTone>> = {
  BECAME_ACTIVE: 'green',
  BECAME_STANDBY: 'blue',
  LATE: 'amber',
  NOT_RESPONDING: 'red',
  FENCED: 'red',
  RECOVERED: 'green',
  CONFIG_PUSHED: 'blue',
  ROLLOUT_COMPLETED: 'green',
  ROLLOUT_FAILED: 'red',
  CONFIG_UNREADABLE: 'red',
  ROLLOUT_RESTORE_FAILED: 'red',
  ALARM_RAISED: 'red',
  ALARM_CLEARED: 'green',
  DATABASE_FAILOVER: 'amber',
  DATABASE_FAILOVER_LOST_WORK: 'red',
};

export function eventLabel(kind: string): string {
  return (EVENT_LABELS as Record<string, string>)[kind] ?? kind.toLowerCase().replaceAll('_', ' ');
}

export function eventTone(kind: string): TTone {
  return EVENT_TONES[kind] ?? 'gray';
}

/** A one-line reading of an event's details, e.g. "2 s × 5 → 1 s × 5" or "epoch 7"; empty when there is nothing to add. */
export function summarizeEvent(event: Pick<TClusterEventView, 'kind' | 'details'>): string {
  const details = event.details;
  switch (event.kind) {
    case 'SETTINGS_CHANGED':
      return summarizeSettings(recordAt(details, 'before'), recordAt(details, 'after'));
    case 'BECAME_ACTIVE':
    case 'FENCED':
      return numberAt(details, 'epoch') === undefined ? '' : `epoch ${numberAt(details, 'epoch')}`;
    case 'BECAME_STANDBY': {
      const reason = details.reason;
      return typeof reason === 'string' ? reason : '';
    }
    case 'HANDOVER_REQUESTED':
      return numberAt(details, 'slot') === undefined ? '' : `slot ${numberAt(details, 'slot')}`;
    case 'CONFIG_PUSHED':
    case 'CONFIG_APPLIED':
    case 'ROLLOUT_STARTED':
    case 'ROLLOUT_COMPLETED':
      return numberAt(details, 'version') === undefined ? '' : `version ${numberAt(details, 'version')}`;
    case 'ROLLOUT_FAILED':
    case 'ROLLOUT_RESTORE_FAILED':
    case 'CONFIG_UNREADABLE':
    case 'RESTART_REQUESTED': {
      const text = details.message ?? details.reason;
      return typeof text === 'string' ? text : '';
    }
    case 'DATABASE_FAILOVER': {
      const timeline = numberAt(recordAt(details, 'to'), 'timeline');
      return timeline === undefined
        ? ''
        : `timeline ${timeline}${typeof details.server === 'string' ? ` on ${details.server}` : ''}`;
    }
    case 'DATABASE_FAILOVER_LOST_WORK':
      return typeof details.message === 'string' ? details.message : '';
    case 'RECOVERED':
    case 'REGISTERED':
      return typeof details.was === 'string' ? `was ${details.was.toLowerCase().replaceAll('_', ' ')}` : '';
    default:
      return '';
  }
}

function summarizeSettings(before: Record<string, unknown>, after: Record<string, unknown>): string {
  const window = (settings: Record<string, unknown>) => {
    const interval = numberAt(settings, 'heartbeatIntervalSeconds');
    const heartbeats = numberAt(settings, 'failoverHeartbeats');
    return interval === undefined || heartbeats === undefined ? '?' : `${formatSeconds(interval)} × ${heartbeats}`;
  };
  const text = `${window(before)} → ${window(after)}`;
  const [activeBefore, activeAfter] = [numberAt(before, 'activeNodeCount'), numberAt(after, 'activeNodeCount')];
  return activeBefore !== activeAfter ? `${text}; active nodes ${activeBefore ?? '?'} → ${activeAfter ?? '?'}` : text;
}

function recordAt(value: Record<string, unknown>, key: string): Record<string, unknown> {
  const inner = value[key];
  return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {};
}

function numberAt(value: Record<string, unknown>, key: string): number | undefined {
  const inner = value[key];
  return typeof inner === 'number' ? inner : undefined;
}
