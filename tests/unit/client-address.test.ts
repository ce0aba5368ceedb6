import { describe, expect, it } from 'vitest';
import { clientAddress } from '@/lib/auth/client-address';

describe('client address', () => {
  const proxies = new Set(['10.0.0.5', '10.0.0.6']);

  it('is the TCP peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress('::ffff:203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
    expect(clientAddress('203.0.113.9', undefined, new Set())).toBe('203.0.113.9');
  });

  it('behind trusted proxies, is the nearest hop that is not one of them', () => {
    expect(clientAddress('::ffff:10.0.0.5', '198.51.100.7', proxies)).toBe('198.51.100.7');
    // a client cannot plant an address: only what our proxies appended counts
    expect(clientAddress('10.0.0.5', '1.2.3.4, 198.51.100.7, 10.0.0.6', proxies)).toBe('198.51.100.7');
  });

  it('falls back to the peer when a trusted proxy sent no X-Forwarded-For', () => {
    expect(clientAddress('10.0.0.5', undefined, proxies)).toBe('10.0.0.5');
  });
});
