import { describe, expect, it } from 'vitest';
import { canonicalJson, configFingerprint, ZServerSettings, type TConfigDocument } from '@/lib/config/document';
import { deriveSyncStates } from '@/lib/config/sync-state';

const base: TConfigDocument = { plugins: [], certificate: null, settings: ZServerSettings.parse({}) };

describe('configuration fingerprint', () => {
  it('does not depend on key order, and changes with any value', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
    const reordered = { settings: base.settings, certificate: null, plugins: [] } as TConfigDocument;
    expect(configFingerprint(reordered)).toBe(configFingerprint(base));
    expect(configFingerprint({ ...base, plugins: [{ name: 'greeting', version: '1.0.0', sha256: 'ab' }] })).not.toBe(configFingerprint(base));
    expect(configFingerprint(base)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('sync states (before any push)', () => {
  const node = (id: string, active: string, pending = active, live = true) => ({ id, live, activeFingerprint: active, pendingFingerprint: pending });

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
