import { describe, expect, it } from 'vitest';
import { pickReturnPath } from '@/components/auth/pick-return-path';

const origin = 'http://node-1.example:3000';

describe('where sign-in returns to', () => {
  it('keeps paths on this site', () => {
    expect(pickReturnPath('/users?x=1', origin)).toBe('/users?x=1');
    expect(pickReturnPath(`${origin}/account`, origin)).toBe('/account');
  });

  it('never leaves the site or loops back to the sign-in page', () => {
    for (const target of ['https://evil.example/x', '//evil.example/x', '/\\evil.example', '/login?callbackUrl=/users', undefined]) {
      expect(pickReturnPath(target, origin)).toBe('/cluster');
    }
  });
});
