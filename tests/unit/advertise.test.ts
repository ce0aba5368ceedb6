import { describe, expect, it } from 'vitest';
import { deriveAlarms } from '@/lib/cluster/alarms';
import {
  advertisedUrlAtStart,
  checkListenAddress,
  chooseAdvertiseUrl,
  isLoopbackHost,
  listensBeyondLoopback,
} from '@/lib/node/advertise';
import { certificateCovers } from '@/lib/tls/certificate-coverage';

const host = { qualifiedName: 'orch-1.example.org', addresses: ['10.0.0.5', 'fd00::5'] };

describe('the advertised URL a node chooses without --advertise', () => {
  it('on every interface: the fully qualified host name, else the first non-loopback address', () => {
    expect(chooseAdvertiseUrl(3000, undefined, host)).toBe('http://orch-1.example.org:3000');
    expect(chooseAdvertiseUrl(3000, '0.0.0.0', { addresses: ['10.0.0.5'] })).toBe('http://10.0.0.5:3000');
    expect(chooseAdvertiseUrl(3000, '::', { addresses: ['fd00::5'] })).toBe('http://[fd00::5]:3000');
  });

  it('localhost only when the node listens on loopback only, or the host has nothing else', () => {
    expect(chooseAdvertiseUrl(3000, '127.0.0.1', host)).toBe('http://localhost:3000');
    expect(chooseAdvertiseUrl(3000, '::1', host)).toBe('http://localhost:3000');
    expect(chooseAdvertiseUrl(3000, undefined, { addresses: [] })).toBe('http://localhost:3000');
  });

  it('on one address: that address', () => {
    expect(chooseAdvertiseUrl(3000, '10.203.7.11', host)).toBe('http://10.203.7.11:3000');
  });

  it('https:// when the node has a certificate, on the same host and port', () => {
    expect(chooseAdvertiseUrl(3000, undefined, host, 'https')).toBe('https://orch-1.example.org:3000');
    expect(chooseAdvertiseUrl(3000, '10.203.7.11', host, 'https')).toBe('https://10.203.7.11:3000');
    expect(chooseAdvertiseUrl(3000, '::', { addresses: ['fd00::5'] }, 'https')).toBe('https://[fd00::5]:3000');
    expect(chooseAdvertiseUrl(3000, '127.0.0.1', host, 'https')).toBe('https://localhost:3000');
  });

  it('at server start: its own choice follows what the server serves; --advertise is kept as given', () => {
    const own = { advertiseUrl: 'http://10.0.0.5:3000', advertiseChosen: false };
    expect(advertisedUrlAtStart(own, true)).toBe('https://10.0.0.5:3000');
    expect(advertisedUrlAtStart(own, false)).toBe('http://10.0.0.5:3000');
    // a certificate removed (or unusable): back to http://
    expect(advertisedUrlAtStart({ advertiseUrl: 'https://[fd00::5]:3000', advertiseChosen: false }, false)).toBe(
      'http://[fd00::5]:3000',
    );
    // the port stays, even where it is the other scheme's default
    expect(advertisedUrlAtStart({ advertiseUrl: 'http://10.0.0.5:443', advertiseChosen: false }, true)).toBe(
      'https://10.0.0.5:443',
    );
    expect(advertisedUrlAtStart({ advertiseUrl: 'http://10.0.0.5:80', advertiseChosen: false }, true)).toBe(
      'https://10.0.0.5:80',
    );
    const given = { advertiseUrl: 'http://lb.example.org:8080', advertiseChosen: true };
    expect(advertisedUrlAtStart(given, true)).toBe('http://lb.example.org:8080');
    expect(advertisedUrlAtStart({ advertiseUrl: 'https://node-1.example:3000', advertiseChosen: true }, false)).toBe(
      'https://node-1.example:3000',
    );
  });

  it('--listen takes an IP address, with one clear line otherwise', () => {
    expect(checkListenAddress('10.0.0.5')).toEqual({ ok: true, address: '10.0.0.5' });
    const refused = checkListenAddress('my-host');
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toMatch(/^--listen takes an IP address of this host .* not "my-host"$/);
  });

  it('tells loopback from addresses other hosts reach', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.5', 'orch-1.example.org', 'fd00::5'].some(isLoopbackHost)).toBe(false);
    expect(listensBeyondLoopback(undefined)).toBe(true);
    expect(listensBeyondLoopback('127.0.0.1')).toBe(false);
  });
});

describe('certificate coverage', () => {
  it('names without case, addresses, and a wildcard for one label', () => {
    const sans = ['localhost', '127.0.0.1', 'Orch-1.example.org', '10.0.0.5', '*.nodes.example.org', 'fd00::5'];
    expect(certificateCovers(sans, 'orch-1.example.org')).toBe(true);
    expect(certificateCovers(sans, '10.0.0.5')).toBe(true);
    expect(certificateCovers(sans, 'fd00::5')).toBe(true);
    expect(certificateCovers(sans, 'b.nodes.example.org')).toBe(true);
    expect(certificateCovers(sans, 'x.b.nodes.example.org')).toBe(false);
    expect(certificateCovers(sans, 'orch-2.example.org')).toBe(false);
    expect(certificateCovers(sans, '10.0.0.6')).toBe(false);
  });
});

describe('host alarms', () => {
  const member = (
    name: string,
    url: string,
    extra: { certificateSans?: string[] | null; state?: 'ACTIVE' | 'STANDBY' | 'NOT_RESPONDING' } = {},
  ) => ({
    id: name,
    name,
    url,
    state: extra.state ?? 'STANDBY',
    clockSkewMs: 0,
    certificateSans: extra.certificateSans,
  });

  it('a live node other hosts reach over plain HTTP', () => {
    const alarms = deriveAlarms({
      activeNodeCount: 1,
      nodes: [
        member('a', 'http://10.0.0.5:3000', { state: 'ACTIVE' }),
        member('b', 'http://localhost:3001'),
        member('c', 'http://10.0.0.7:3000', { state: 'NOT_RESPONDING' }),
      ],
    });
    expect(alarms.map((alarm) => [alarm.code, alarm.nodeId])).toEqual([['PLAIN_HTTP', 'a']]);
    expect(alarms[0].message).toContain('a serves plain HTTP to other hosts (http://10.0.0.5:3000)');
  });

  it('a node advertised under a name its certificate does not cover, with the way to fix it', () => {
    const alarms = deriveAlarms({
      activeNodeCount: 1,
      nodes: [
        member('a', 'https://orch-1.example.org:3000', { state: 'ACTIVE', certificateSans: ['orch-1.example.org', 'localhost'] }),
        member('c', 'https://orch-3.example.org:3000', { certificateSans: ['orch-1.example.org', 'localhost'] }),
      ],
    });
    expect(alarms.map((alarm) => [alarm.code, alarm.nodeId])).toEqual([['CERTIFICATE_HOST_NOT_COVERED', 'c']]);
    expect(alarms[0].message).toMatch(/orch-3\.example\.org, which its HTTPS certificate does not cover: regenerate/);
  });
});
