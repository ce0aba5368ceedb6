/**
 * A node that other hosts can reach over plain HTTP says so loudly at start: passwords and
 * session cookies would cross the network in clear. (The cluster page says it too, from the
 * advertised URLs: lib/cluster/alarms.ts.)
 */
import { listensBeyondLoopback } from '@/lib/node/advertise';
import { logWarn } from '@/lib/node/log';
import { servedCertificate } from '@/lib/tls/served-certificate';

export function warnIfPlainHttpBeyondLoopback(listen: string | undefined, advertiseUrl: string): void {
  if (!listensBeyondLoopback(listen) || servedCertificate().state === 'https') return;
  const where = listen ?? 'every interface';
  logWarn(
    'tls',
    `PLAIN HTTP TO OTHER HOSTS: this node listens on ${where} and serves no certificate, so passwords, ` +
      `session cookies and join tokens cross the network unencrypted (advertised as ${advertiseUrl}). ` +
      'Generate or import a certificate on the Configuration page (`orchctl certificate generate`) and restart ' +
      '(without --advertise, the node then advertises https://); or listen on loopback only (--listen 127.0.0.1) behind a TLS proxy.',
  );
}
