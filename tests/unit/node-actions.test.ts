import { describe, expect, it } from 'vitest';
import { allowedNodeActions } from '@/lib/cluster/node-actions';
import { MEMBER_STATES } from '@/lib/cluster/node-state';

describe('allowed node actions (what the cluster page offers and the API accepts)', () => {
  it('offers a standby to be made active, maintenance and restart to an administrator', () => {
    expect(allowedNodeActions({ state: 'STANDBY', maintenance: false }, 'admin')).toEqual([
      'activate',
      'maintenance-on',
      'restart',
    ]);
  });

  it('gives an operator the same without restart, which needs an administrator', () => {
    expect(allowedNodeActions({ state: 'STANDBY', maintenance: false }, 'operator')).toEqual(['activate', 'maintenance-on']);
  });

  it('gives a viewer, or a caller without a role, nothing in any state', () => {
    for (const state of MEMBER_STATES) {
      expect(allowedNodeActions({ state, maintenance: false }, 'viewer')).toEqual([]);
      expect(allowedNodeActions({ state, maintenance: true }, null)).toEqual([]);
    }
  });

  it('offers Remove (and maintenance) for a node that is not responding, and nothing for a removed one', () => {
    expect(allowedNodeActions({ state: 'NOT_RESPONDING', maintenance: false }, 'admin')).toEqual(['maintenance-on', 'remove']);
    expect(allowedNodeActions({ state: 'REMOVED', maintenance: false }, 'admin')).toEqual([]);
  });

  it('turns maintenance off for a node in maintenance, and does not offer to make it active', () => {
    expect(allowedNodeActions({ state: 'MAINTENANCE', maintenance: true }, 'admin')).toEqual(['maintenance-off', 'restart']);
  });

  it('never offers Make active to an active or late node', () => {
    expect(allowedNodeActions({ state: 'ACTIVE', maintenance: false }, 'admin')).not.toContain('activate');
    expect(allowedNodeActions({ state: 'LATE', maintenance: false }, 'admin')).not.toContain('activate');
  });
});
