/**
 * Requests from a joining node to its seed. Over HTTPS with a fingerprint, the TLS connection is
 * pinned: the socket is opened and the seed's certificate checked against the fingerprint before
 * a single byte of the request (which may carry credentials) is written. Without a fingerprint,
 * the machine's trusted certificate authorities decide, as for any HTTPS client.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { AppError } from '@/lib/api/app-error';

export type TSeedAnswer = { status: number; json: unknown };

const TIMEOUT_MS = 10_000;
const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED']);

export async function requestSeed(url: URL, body: unknown | undefined, pinnedFingerprint: string | undefined): Promise<TSeedAnswer> {
  const unreachable = (reason: string) =>
    new AppError('SEED_UNREACHABLE', `the seed node at ${url.origin} cannot be reached (${reason})`, { field: 'seedUrl' });
  if (url.protocol === 'https:' && pinnedFingerprint) {
    const socket = await openPinned(url, pinnedFingerprint).catch((error: Error & { code?: string }) => {
      throw error instanceof AppError ? error : unreachable(error.code ?? error.message);
    });
    return exchange(url, body, socket).catch((error: Error & { code?: string }) => {
      throw unreachable(error.code ?? error.message);
    });
  }
  try {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { status: response.status, json: await response.json().catch(() => undefined) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (cause?.code && UNTRUSTED.has(cause.code)) {
      throw new AppError(
        'JOIN_REFUSED',
        `the seed's HTTPS certificate is not trusted by this machine (${cause.code}); give its fingerprint, shown in the seed's Join information, to pin it`,
        { field: 'fingerprint' },
      );
    }
    throw unreachable(cause?.code ?? cause?.message ?? (error as Error).message);
  }
}

function openPinned(url: URL, fingerprint: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      servername: net.isIP(host) ? undefined : host,
      // the chain is not what is trusted here: the fingerprint is, and it is checked below
      rejectUnauthorized: false,
      timeout: TIMEOUT_MS,
    });
    socket.once('timeout', () => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const served = socket.getPeerCertificate().fingerprint256;
      if (served !== fingerprint) {
        socket.destroy();
        reject(new AppError('JOIN_REFUSED', `fingerprint mismatch: the seed serves a certificate with fingerprint ${served}`, { field: 'fingerprint' }));
        return;
      }
      socket.removeListener('error', reject);
      resolve(socket);
    });
  });
}

function exchange(url: URL, body: unknown | undefined, socket: tls.TLSSocket): Promise<TSeedAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = http.request(
      {
        createConnection: () => socket,
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: payload === undefined ? 'GET' : 'POST',
        headers: { host: url.host, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
        timeout: TIMEOUT_MS,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          socket.destroy();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, json });
        });
      },
    );
    request.once('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.once('error', reject);
    request.end(payload);
  });
}
