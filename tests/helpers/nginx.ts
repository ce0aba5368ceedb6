/**
 * Debian's nginx running the repository's configuration (deploy/nginx/orchestrator.conf) in front
 * of test nodes: the shipped file with only the ports, the upstream lines and the certificate
 * paths replaced, inside a minimal nginx.conf of the test's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '@/lib/node/ports';
import { generateCertificate } from '@/lib/tls/generate-certificate';
import { rawRequest } from './https-request';
import { pollUntil } from './poll';

export const NGINX = '/usr/sbin/nginx';
export const NGINX_CONFIG = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'nginx', 'orchestrator.conf');

export type TRunningNginx = {
  /** https://127.0.0.1:port: nginx terminating TLS */
  base: string;
  /** http://127.0.0.1:port: nginx's plain-HTTP server */
  plainBase: string;
  /** the test certificate nginx serves (self-signed: also the authority to trust) */
  ca: string;
  stop(): void;
};

/** Replaces what must be there, or fails naming what the shipped configuration lacks. */
function replaceIn(text: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.test(text)) throw new Error(`deploy/nginx/orchestrator.conf has no ${what} (${pattern})`);
  return text.replace(pattern, replacement);
}

function nginxConfig(prefix: string, upstreamPorts: number[], ports: { http: number; https: number }): string {
  let site = readFileSync(NGINX_CONFIG, 'utf8');
  site = replaceIn(site, /^\s*server 127\.0\.0\.1:\d+ .*$/gm, '', 'upstream server lines');
  site = replaceIn(site, /upstream orchestrator \{/, `upstream orchestrator {\n${upstreamPorts.map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=2s;`).join('\n')}`, 'upstream');
  site = replaceIn(site, /listen 80;/, `listen 127.0.0.1:${ports.http};`, 'plain HTTP listener on port 80');
  site = replaceIn(site, /listen 443 ssl;/, `listen 127.0.0.1:${ports.https} ssl;`, 'TLS listener on port 443');
  site = replaceIn(site, /ssl_certificate \S+;/, `ssl_certificate ${prefix}/console.crt;`, 'ssl_certificate');
  site = replaceIn(site, /ssl_certificate_key \S+;/, `ssl_certificate_key ${prefix}/console.key;`, 'ssl_certificate_key');
  return `
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
${site}
}`;
}

/** What the shipped configuration tells operators to set on the nodes behind it. */
export function trustedProxiesFromConfig(): string {
  const match = /^#\s+ORCH_TRUSTED_PROXIES=(\S+)\s*$/m.exec(readFileSync(NGINX_CONFIG, 'utf8'));
  if (!match) throw new Error('deploy/nginx/orchestrator.conf does not say what ORCH_TRUSTED_PROXIES the nodes behind it need');
  return match[1];
}

/** Starts nginx in front of the given node ports and waits until it answers over HTTPS. */
export async function startShippedNginx(upstreamPorts: number[]): Promise<TRunningNginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: these tests need Debian's nginx-light (.ci/run installs it)`);
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'orch-nginx-'));
  for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(prefix, dir));
  const pair = await generateCertificate({ commonName: 'console', hosts: ['localhost', '127.0.0.1'] });
  writeFileSync(path.join(prefix, 'console.crt'), pair.certificate);
  writeFileSync(path.join(prefix, 'console.key'), pair.privateKey, { mode: 0o600 });
  const ports = { http: await findFreePort(), https: await findFreePort() };
  writeFileSync(path.join(prefix, 'nginx.conf'), nginxConfig(prefix, upstreamPorts, ports));
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: 'inherit' });
  const running: TRunningNginx = {
    base: `https://127.0.0.1:${ports.https}`,
    plainBase: `http://127.0.0.1:${ports.http}`,
    ca: pair.certificate,
    stop: () => void child.kill('SIGTERM'),
  };
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`nginx exited (${code}); see ${prefix}/error.log`))));
  exited.catch(() => {});
  await Promise.race([pollUntil(async () => (await rawRequest(`${running.base}/api/health`, { ca: pair.certificate })).status === 200, { what: 'nginx to answer over HTTPS' }), exited]);
  return running;
}
