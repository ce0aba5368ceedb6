/**
 * Debian's nginx running the repository's configuration (deploy/nginx/orchestrator.conf) in front
 * of test nodes: the shipped file with only the ports, the upstream lines and the certificate
 * paths replaced, inside a minimal nginx.conf of the test's own. `startShippedNginxOnHost` runs it
 * on a host of its own (a network namespace, tests/helpers/host-network.ts) in front of nodes on
 * other hosts, proxying to their HTTPS as docs/operations.md says for nginx on another machine.
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
  /** https://ADDRESS[:port]: nginx terminating TLS */
  base: string;
  /** http://ADDRESS[:port]: nginx's plain-HTTP server */
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

type TSite = {
  /** host:port of each node */
  upstreams: string[];
  listen: { address: string; http: number; https: number };
  /** nginx on another machine: to the nodes' HTTPS, verified with the cluster certificate under one name it covers */
  upstreamTls?: { trustedCertificateFile: string; name: string };
};

function nginxConfig(prefix: string, { upstreams, listen, upstreamTls }: TSite): string {
  let site = readFileSync(NGINX_CONFIG, 'utf8');
  site = replaceIn(site, /^\s*server 127\.0\.0\.1:\d+ .*$/gm, '', 'upstream server lines');
  site = replaceIn(
    site,
    /upstream orchestrator \{/,
    `upstream orchestrator {\n${upstreams.map((upstream) => `    server ${upstream} max_fails=1 fail_timeout=2s;`).join('\n')}`,
    'upstream',
  );
  site = replaceIn(site, /listen 80;/, `listen ${listen.address}:${listen.http};`, 'plain HTTP listener on port 80');
  site = replaceIn(site, /listen 443 ssl;/, `listen ${listen.address}:${listen.https} ssl;`, 'TLS listener on port 443');
  site = replaceIn(site, /ssl_certificate \S+;/, `ssl_certificate ${prefix}/console.crt;`, 'ssl_certificate');
  site = replaceIn(site, /ssl_certificate_key \S+;/, `ssl_certificate_key ${prefix}/console.key;`, 'ssl_certificate_key');
  if (upstreamTls) {
    // the lines docs/operations.md adds for nginx on another machine than the nodes
    site = replaceIn(
      site,
      /proxy_pass http:\/\/orchestrator;/,
      [
        'proxy_pass https://orchestrator;',
        `        proxy_ssl_trusted_certificate ${upstreamTls.trustedCertificateFile};`,
        '        proxy_ssl_verify on;',
        `        proxy_ssl_name ${upstreamTls.name};`,
        '        proxy_ssl_session_reuse on;',
      ].join('\n'),
      'proxy_pass to the upstream',
    );
  }
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
  const ports = { http: await findFreePort(), https: await findFreePort() };
  return runNginx({ upstreams: upstreamPorts.map((port) => `127.0.0.1:${port}`), listen: { address: '127.0.0.1', ...ports } }, [
    'localhost',
    '127.0.0.1',
  ]);
}

export type TNginxHostOptions = {
  /** the host's namespace and address (nginx listens there, on ports 80 and 443) */
  namespace: string;
  address: string;
  /** each node's host:port; nginx reaches them over HTTPS */
  upstreams: string[];
  /** the cluster certificate (PEM) the nodes serve, and one DNS name it covers (nginx checks names, not addresses) */
  clusterCertificate: string;
  verifyName: string;
};

/** nginx on a host of its own, in front of nodes on other hosts, proxying to their HTTPS. */
export async function startShippedNginxOnHost(options: TNginxHostOptions): Promise<TRunningNginx> {
  const trust = await mkdtemp(path.join(os.tmpdir(), 'orch-nginx-trust-'));
  const trustedCertificateFile = path.join(trust, 'cluster.crt');
  writeFileSync(trustedCertificateFile, options.clusterCertificate);
  return runNginx(
    {
      upstreams: options.upstreams,
      listen: { address: options.address, http: 80, https: 443 },
      upstreamTls: { trustedCertificateFile, name: options.verifyName },
    },
    [options.address],
    options.namespace,
  );
}

async function runNginx(site: TSite, certificateHosts: string[], namespace?: string): Promise<TRunningNginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: these tests need Debian's nginx-light (.ci/run installs it)`);
  const prefix = await mkdtemp(path.join(os.tmpdir(), 'orch-nginx-'));
  for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(prefix, dir));
  const pair = await generateCertificate({ commonName: 'console', hosts: certificateHosts });
  writeFileSync(path.join(prefix, 'console.crt'), pair.certificate);
  writeFileSync(path.join(prefix, 'console.key'), pair.privateKey, { mode: 0o600 });
  writeFileSync(path.join(prefix, 'nginx.conf'), nginxConfig(prefix, site));
  const command = [NGINX, '-p', prefix, '-c', path.join(prefix, 'nginx.conf')];
  // `ip netns exec` executes nginx in place: the child is nginx's master itself
  const child: ChildProcess = namespace
    ? spawn('ip', ['netns', 'exec', namespace, ...command], { stdio: 'inherit' })
    : spawn(command[0], command.slice(1), { stdio: 'inherit' });
  const { address, http: httpPort, https: httpsPort } = site.listen;
  const running: TRunningNginx = {
    base: httpsPort === 443 ? `https://${address}` : `https://${address}:${httpsPort}`,
    plainBase: httpPort === 80 ? `http://${address}` : `http://${address}:${httpPort}`,
    ca: pair.certificate,
    stop: () => void child.kill('SIGTERM'),
  };
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`nginx exited (${code}); see ${prefix}/error.log`))),
  );
  exited.catch(() => {});
  try {
    await Promise.race([
      pollUntil(async () => (await rawRequest(`${running.base}/api/health`, { ca: pair.certificate })).status === 200, {
        what: `nginx to answer over HTTPS (see ${prefix}/error.log)`,
      }),
      exited,
    ]);
  } catch (error) {
    running.stop();
    throw error;
  }
  return running;
}
