import { describe, expect, it } from 'vitest';
import { canonicalJson, configFingerprint, ZServerSettings, type TConfigDocument } from '@/lib/config/document';
import { deriveSyncStates, isConverged } from '@/lib/config/sync-state';

const base: TConfigDocument = { plugins: [], certificate: null, settings: ZServerSettings.parse({}) };

describe('configuration fingerprint', () => {
  it('does not depend on key order, and changes with any value', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    const reordered = { settings: base.settings, certificate: null, plugins: [] } as TConfigDocument;
    expect(configFingerprint(reordered)).toBe(configFingerprint(base));
    expect(configFingerprint({ ...base, plugins: [{ name: 'greeting', version: '1.0.0', sha256: 'ab' }] })).not.toBe(
      configFingerprint(base),
    );
    expect(configFingerprint(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('sync states (before any push)', () => {
  const node = (id: string, active: string, pending = active, live = true) => ({
    id,
    live,
    activeFingerprint: active,
    pendingFingerprint: pending,
    localChanges: pending !== active,
  });

  it('all nodes running the same configuration are in sync', () => {
    expect([...deriveSyncStates([node('a', 'x'), node('b', 'x')]).values()]).toEqual(['IN_SYNC', 'IN_SYNC']);
  });

  it('a plugin installed on A: A has local changes, B is out of sync', () => {
    const states = deriveSyncStates([node('a', 'x', 'y'), node('b', 'x')]);
    expect(states.get('a')).toBe('LOCAL_CHANGES');
    expect(states.get('b')).toBe('OUT_OF_SYNC');
  });

  it('a node running something else than the others is out of sync; dead nodes do not count', () => {
    const states = deriveSyncStates([node('a', 'x'), node('b', 'x'), node('c', 'z'), node('d', 'q', 'q', false)]);
    expect([states.get('a'), states.get('b'), states.get('c')]).toEqual(['IN_SYNC', 'IN_SYNC', 'OUT_OF_SYNC']);
  });
});

describe('sync states against a pushed reference', () => {
  const node = (id: string, active: string, pending: string, localChanges = false) => ({
    id,
    live: true,
    activeFingerprint: active,
    pendingFingerprint: pending,
    localChanges,
  });

  it('the reference scenario: after the push both wait for a restart, after the reset both are in sync', () => {
    const pushed = deriveSyncStates([node('a', 'x', 'y'), node('b', 'x', 'y')], 'y');
    expect([pushed.get('a'), pushed.get('b')]).toEqual(['PENDING_RESTART', 'PENDING_RESTART']);
    const reset = deriveSyncStates([node('a', 'y', 'y'), node('b', 'y', 'y')], 'y');
    expect([...reset.values()]).toEqual(['IN_SYNC', 'IN_SYNC']);
  });

  it('a node that has not written the reference yet is out of sync', () => {
    expect(deriveSyncStates([node('a', 'y', 'y'), node('b', 'x', 'x')], 'y').get('b')).toBe('OUT_OF_SYNC');
  });

  it('a hot setting changed on A only: A has local changes, B (running the reference) is out of sync with them', () => {
    const states = deriveSyncStates([node('a', 'z', 'z', true), node('b', 'y', 'y')], 'y');
    expect([states.get('a'), states.get('b')]).toEqual(['LOCAL_CHANGES', 'OUT_OF_SYNC']);
  });

  it('a node that cannot read its configuration is UNREADABLE, whatever it reported before, and the cluster is not converged', () => {
    const states = deriveSyncStates([node('a', 'y', 'y'), { ...node('b', 'y', 'y'), unreadable: true }], 'y');
    expect([states.get('a'), states.get('b')]).toEqual(['IN_SYNC', 'UNREADABLE']);
    expect(
      isConverged([
        { live: true, syncState: states.get('a')! },
        { live: true, syncState: states.get('b')! },
      ]),
    ).toBe(false);
  });
});
