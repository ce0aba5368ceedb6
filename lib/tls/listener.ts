/**
 * The node's listening socket and front door. Without a certificate: a plain http.Server. With
 * one (`<dataDir>/config/tls/`, read once here: a restart-required part of the configuration),
 * HTTP and HTTPS on the same port: the first byte of each connection decides — 0x16 opens a TLS
 * handshake and goes to an https.Server, anything else to an http.Server.
 *
 * Every request is classified once here (lib/auth/client-address.ts): the result is written into
 * the x-orch-* headers, the forwarding headers a client sent are replaced by what was decided
 * (so Next.js and next-auth never build URLs from a forged X-Forwarded-Host or -Proto), and an
 * HTTPS response carries Strict-Transport-Security. Plain HTTP to a node with a certificate is
 * redirected to HTTPS (308, so a POST stays a POST), except the health endpoints that load
 * balancers probe, requests a trusted proxy received over HTTPS, and direct loopback requests
 * (the local CLI, tests) — never a request that came through a proxy.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { EventEmitter } from 'node:events';
import {
  classifyRequest,
  CLIENT_ADDRESS_HEADER,
  CONNECTION_HEADER,
  FORWARDING_HEADERS,
  HOST_HEADER,
  isValidHost,
  PROTOCOL_HEADER,
  type TRequestOrigin,
} from '@/lib/auth/client-address';
import { logError, logInfo, logWarn } from '@/lib/node/log';
import { readCertificateFiles } from '@/lib/tls/certificate-files';
import { checkCertificatePair } from '@/lib/tls/import-certificate';
import type { TCertificatePair } from '@/lib/tls/generate-certificate';
import { setServedCertificate } from '@/lib/tls/served-certificate';

export type TRequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** What scripts/node-server.ts uses of its server: http.Server has it, and so does the dual listener. */
export type TNodeListener = {
  listen(port: number, callback: () => void): unknown;
  listen(port: number, host: string | undefined, callback: () => void): unknown;
  close(callback: (error?: Error) => void): unknown;
  closeAllConnections(): void;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
};

const TLS_HANDSHAKE = 0x16;
// a connection that sends nothing is dropped instead of being held open forever
const FIRST_BYTE_TIMEOUT_MS = 30_000;

/** One year; sent only over HTTPS (browsers ignore it on a connection whose certificate they did not accept). */
export const HSTS_VALUE = 'max-age=31536000';

export type TFrontDoorOptions = {
  /** ORCH_TRUSTED_PROXIES, as trustedProxySet() spells them */
  trustedProxies: ReadonlySet<string>;
};

export async function createNodeListener(
  dataDir: string,
  handler: TRequestHandler,
  options: TFrontDoorOptions,
): Promise<TNodeListener> {
  const pair = await readUsablePair(dataDir);
  const frontDoor = new FrontDoor(options.trustedProxies, handler);
  if (!pair) return http.createServer((req, res) => frontDoor.admit(req, res, frontDoor.classify(req)));
  return new DualProtocolListener(pair, frontDoor);
}

/** Classifies each request, writes the verdict into its headers, and hands it to the app. */
class FrontDoor {
  private warnedAboutUntrustedProxy = false;

  constructor(
    private readonly trustedProxies: ReadonlySet<string>,
    private readonly handler: TRequestHandler,
  ) {}

  classify(req: http.IncomingMessage): TRequestOrigin {
    const origin = classifyRequest(
      {
        peer: req.socket.remoteAddress,
        encrypted: (req.socket as { encrypted?: boolean }).encrypted === true,
        headers: req.headers,
      },
      this.trustedProxies,
    );
    if (origin.untrustedForwarding && !this.warnedAboutUntrustedProxy) {
      this.warnedAboutUntrustedProxy = true;
      logWarn(
        'server',
        `a request from this machine (${origin.clientAddress}) carries X-Forwarded-* headers, but ${origin.clientAddress} is not in ORCH_TRUSTED_PROXIES: ` +
          "such requests are treated as proxied from an unknown client (no loopback exemption, every client counted under the proxy's address). " +
          `If a reverse proxy runs on this machine, set ORCH_TRUSTED_PROXIES=${origin.clientAddress}.`,
      );
    }
    return origin;
  }

  admit(req: http.IncomingMessage, res: http.ServerResponse, origin: TRequestOrigin): void {
    // whatever a client put in these headers is replaced by what this node decided
    for (const name of FORWARDING_HEADERS) delete req.headers[name];
    req.headers['x-forwarded-for'] = origin.clientAddress;
    req.headers['x-forwarded-proto'] = origin.protocol;
    if (origin.host) req.headers['x-forwarded-host'] = origin.host;
    req.headers[CLIENT_ADDRESS_HEADER] = origin.clientAddress;
    req.headers[PROTOCOL_HEADER] = origin.protocol;
    req.headers[CONNECTION_HEADER] = origin.connection;
    if (origin.host) req.headers[HOST_HEADER] = origin.host;
    else delete req.headers[HOST_HEADER];
    if (origin.protocol === 'https') res.setHeader('strict-transport-security', HSTS_VALUE);
    this.handler(req, res);
  }
}

/**
 * The pair to serve, or null for plain HTTP. Unusable files (one missing, a key that does not match)
 * are logged and shown on the Configuration page, and the node serves plain HTTP: a node that
 * refuses to start would take its share of the cluster down over a file an admin can replace
 * from that very page.
 */
async function readUsablePair(dataDir: string): Promise<TCertificatePair | null> {
  try {
    const files = await readCertificateFiles(dataDir);
    if (!files) {
      setServedCertificate({ state: 'http' });
      return null;
    }
    // an expired certificate is still served (browsers warn, the page shows it): better than plain HTTP
    const { pair, description } = checkCertificatePair(files, { allowExpired: true });
    setServedCertificate({ state: 'https', certificate: description });
    logInfo(
      'tls',
      `serving HTTPS with certificate ${description.fingerprint} (${description.subject}, until ${description.notAfter})`,
    );
    return pair;
  } catch (error) {
    const problem = (error as Error).message;
    setServedCertificate({ state: 'unusable', problem });
    logError('tls', `the certificate in the data directory cannot be served (${problem}); serving plain HTTP only`);
    return null;
  }
}

/** Paths that answer over plain HTTP from anywhere: load balancers probe them without TLS. */
export function isHealthPath(url: string | undefined): boolean {
  const pathname = (url ?? '/').split('?')[0];
  return pathname === '/api/health' || pathname.startsWith('/api/health/');
}

function redirectToHttps(req: http.IncomingMessage, res: http.ServerResponse, host: string | undefined): void {
  if (!isValidHost(host)) {
    res
      .writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' })
      .end('use https:// (no valid Host header to redirect to)\n');
    return;
  }
  const location = `https://${host}${req.url?.startsWith('/') ? req.url : '/'}`;
  res.writeHead(308, { location, 'content-type': 'text/plain; charset=utf-8' }).end(`use ${location}\n`);
}

class DualProtocolListener extends EventEmitter implements TNodeListener {
  private readonly tcp: net.Server;
  private readonly plain: http.Server;
  private readonly secure: https.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(pair: TCertificatePair, frontDoor: FrontDoor) {
    super();
    this.plain = http.createServer((req, res) => {
      const origin = frontDoor.classify(req);
      // a trusted proxy that received the request over HTTPS may pass it on over plain HTTP
      if (origin.protocol === 'https' || origin.connection === 'loopback' || isHealthPath(req.url))
        frontDoor.admit(req, res, origin);
      else redirectToHttps(req, res, origin.host);
    });
    this.secure = https.createServer({ cert: pair.certificate, key: pair.privateKey }, (req, res) =>
      frontDoor.admit(req, res, frontDoor.classify(req)),
    );
    // a failed handshake (a client that does not trust the certificate) concerns only that connection
    this.secure.on('tlsClientError', (_error, socket) => socket.destroy());
    this.tcp = net.createServer((socket) => this.accept(socket));
    this.tcp.on('error', (error) => this.emit('error', error));
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    // until a server owns the socket, its errors (a reset) end it quietly
    const onEarlyError = () => socket.destroy();
    socket.on('error', onEarlyError);
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    const dispatch = () => {
      const first = socket.read(1) as Buffer | null;
      if (first === null) {
        if (!socket.destroyed) socket.once('readable', dispatch);
        return;
      }
      socket.setTimeout(0);
      socket.removeListener('error', onEarlyError);
      // put the byte back: the chosen server reads the connection from its first byte (the TLS
      // socket takes over what is buffered, the HTTP parser gets it as its first 'data')
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? this.secure : this.plain).emit('connection', socket);
    };
    socket.once('readable', dispatch);
  }

  /** On every interface, or on the one address given (orchctl node start --listen). */
  listen(port: number, callback: () => void): this;
  listen(port: number, host: string | undefined, callback: () => void): this;
  listen(port: number, hostOrCallback: string | undefined | (() => void), callback?: () => void): this {
    if (typeof hostOrCallback === 'function') this.tcp.listen(port, hostOrCallback);
    else this.tcp.listen(port, hostOrCallback, callback);
    return this;
  }

  /** Stops accepting; the callback runs once every connection has ended. */
  close(callback: (error?: Error) => void): this {
    this.tcp.close(callback);
    this.plain.closeIdleConnections();
    this.secure.closeIdleConnections();
    return this;
  }

  closeAllConnections(): void {
    this.plain.closeAllConnections();
    this.secure.closeAllConnections();
    // including the ones still waiting for their first byte or in a TLS handshake
    for (const socket of this.sockets) socket.destroy();
  }
}
