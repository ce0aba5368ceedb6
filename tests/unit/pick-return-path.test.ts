import { describe, expect, it } from 'vitest';
import { pickReturnPath, sameSitePath } from '@/lib/auth/pick-return-path';

const origin = 'http://node-1.example:3000';

describe('where sign-in returns to', () => {
  it('keeps paths on this site', () => {
    expect(pickReturnPath('/users?x=1', origin)).toBe('/users?x=1');
    expect(pickReturnPath(`${origin}/account`, origin)).toBe('/account');
    expect(pickReturnPath('/workflows/runs/abc#events', origin)).toBe('/workflows/runs/abc#events');
    expect(pickReturnPath('/cluster/nodes/a%20b', origin)).toBe('/cluster/nodes/a%20b');
  });

  it('never leaves the site or loops back to the sign-in page', () => {
    for (const target of [
      'https://evil.example/x',
      '//evil.example/x',
      '/\\evil.example',
      '/login?callbackUrl=/users',
      undefined,
    ]) {
      expect(pickReturnPath(target, origin)).toBe('/cluster');
    }
  });

  it('refuses return paths a browser would resolve to another host (open redirect)', () => {
    const hostile = [
      '/.//evil.example/x',
      '/./\\evil.example/x',
      '/..//evil.example/x',
      '/a/..//evil.example/x',
      '/%2e//evil.example/x',
      '/%2F%2Fevil.example/x',
      '/%252F%252Fevil.example/x',
      '/%5Cevil.example/x',
      '/%5C%5Cevil.example/x',
      '\\\\evil.example/x',
      '\\/evil.example/x',
      '/\t/evil.example/x',
      '/\n/evil.example/x',
      ' //evil.example/x',
      'https:evil.example/x',
      'https:/evil.example/x',
      'HTTPS://EVIL.EXAMPLE/x',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      `${origin}@evil.example/x`,
      `http://node-1.example:3000.evil.example/x`,
      'http://node-1.example:3001/x',
      '%2F%2Fevil.example',
    ];
    for (const target of hostile) {
      const path = pickReturnPath(target, origin);
      expect(path, target).toBe('/cluster');
      expect(new URL(path, origin).origin, target).toBe(origin);
    }
  });

  it('says which next-auth redirects stay on the site', () => {
    expect(sameSitePath('/login', origin)).toBe('/login');
    expect(sameSitePath('/.//evil.example', origin)).toBeNull();
    expect(sameSitePath(`${origin}/.//evil.example`, origin)).toBeNull();
  });
});
