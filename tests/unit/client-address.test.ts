import { describe, expect, it } from 'vitest';
import { canonicalAddress, classifyRequest, clientAddress, trustedProxySet } from '@/lib/auth/client-address';

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

  it('compares addresses in one spelling', () => {
    expect(canonicalAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(canonicalAddress('0:0:0:0:0:ffff:7f00:1')).toBe('127.0.0.1');
    expect(canonicalAddress('::FFFF:10.0.0.5')).toBe('10.0.0.5');
    expect(trustedProxySet(['2001:DB8:0:0::1']).has(canonicalAddress('2001:db8::1'))).toBe(true);
  });
});

describe('classifying a request', () => {
  const none = trustedProxySet([]);
  const localProxy = trustedProxySet(['127.0.0.1']);
  const remoteProxy = trustedProxySet(['10.0.0.5']);
  const classify = (peer: string, headers: Record<string, string>, trusted = none, encrypted = false) =>
    classifyRequest({ peer, encrypted, headers: { host: 'node-1:3000', ...headers } }, trusted);

  it('a direct loopback connection without forwarding headers is the only "loopback" one', () => {
    expect(classify('127.0.0.1', {})).toEqual({
      connection: 'loopback',
      clientAddress: '127.0.0.1',
      protocol: 'http',
      host: 'node-1:3000',
      untrustedForwarding: false,
    });
    expect(classify('::1', {}).connection).toBe('loopback');
    expect(classify('::ffff:127.0.0.1', {}, none, true)).toMatchObject({ connection: 'loopback', protocol: 'https' });
    expect(classify('203.0.113.9', {}).connection).toBe('direct');
  });

  it('a proxy on this machine that nobody listed: proxied, its headers ignored, and flagged for a warning', () => {
    for (const header of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-real-ip']) {
      const value = header === 'x-forwarded-proto' ? 'https' : header === 'x-forwarded-host' ? 'evil.example' : '203.0.113.5';
      expect(classify('127.0.0.1', { [header]: value }), header).toEqual({
        connection: 'proxied',
        clientAddress: '127.0.0.1',
        protocol: 'http',
        host: 'node-1:3000',
        untrustedForwarding: true,
      });
    }
  });

  it('forged forwarding headers from another machine change nothing', () => {
    expect(
      classify('203.0.113.9', {
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
      }),
    ).toEqual({
      connection: 'direct',
      clientAddress: '203.0.113.9',
      protocol: 'http',
      host: 'node-1:3000',
      untrustedForwarding: false,
    });
  });

  it('a trusted proxy: never loopback, even on this machine and naming a loopback client', () => {
    expect(classify('127.0.0.1', {}, localProxy).connection).toBe('proxied');
    expect(classify('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }, localProxy)).toMatchObject({
      connection: 'proxied',
      clientAddress: '127.0.0.1',
      untrustedForwarding: false,
    });
  });

  it('a trusted proxy tells the client, its protocol and the host it asked for', () => {
    expect(
      classify(
        '10.0.0.5',
        { 'x-forwarded-for': '1.2.3.4, 198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'console.example' },
        remoteProxy,
      ),
    ).toEqual({
      connection: 'proxied',
      clientAddress: '198.51.100.7',
      protocol: 'https',
      host: 'console.example',
      untrustedForwarding: false,
    });
    // without X-Forwarded-Proto, the proxy's own connection decides
    expect(classify('10.0.0.5', {}, remoteProxy, true).protocol).toBe('https');
    expect(classify('10.0.0.5', {}, remoteProxy, false).protocol).toBe('http');
    // one plain hop in the chain makes the request plain, even over TLS to this node
    expect(classify('10.0.0.5', { 'x-forwarded-proto': 'https, http' }, remoteProxy, true).protocol).toBe('http');
    expect(classify('10.0.0.5', { 'x-forwarded-proto': 'HTTPS' }, remoteProxy).protocol).toBe('https');
    // a host that cannot be put into a URL is not taken
    expect(classify('10.0.0.5', { 'x-forwarded-host': 'evil.example/path@x' }, remoteProxy).host).toBe('node-1:3000');
    expect(classify('10.0.0.5', { 'x-forwarded-host': 'a.example, b.example' }, remoteProxy).host).toBe('a.example');
  });
});
