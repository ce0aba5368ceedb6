/**
 * Requests from a joining node to its seed. The seed's answer is untrusted until the
 * administrator confirmed it, so every request:
 * - never follows a redirect (it would carry the seed administrator's password or a join token
 *   to wherever the answer points, and could probe internal ports): a 3xx is refused;
 * - reads at most SEED_ANSWER_MAX_BYTES, and gives up past that instead of buffering it;
 * - ends within SEED_REQUEST_TIMEOUT_MS, connection and whole answer together.
 * Over HTTPS with a fingerprint, the TLS connection is pinned: the socket is opened and the
 * seed's certificate checked against the fingerprint before a single byte of the request is
 * written. Without a fingerprint, the machine's trusted certificate authorities decide.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { AppError } from '@/lib/api/app-error';

/** the seed's answer, and the fingerprint of the certificate it served (null over plain HTTP) */
export type TSeedAnswer = { status: number; json: unknown; fingerprint: string | null };

/** a join bundle is a few kilobytes: a megabyte is far more than any honest answer */
export const SEED_ANSWER_MAX_BYTES = 1024 * 1024;
export const SEED_REQUEST_TIMEOUT_MS = 10_000;

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

type TFailure = Error & { code?: string };

export async function requestSeed(
  url: URL,
  body: unknown | undefined,
  pinnedFingerprint: string | undefined,
): Promise<TSeedAnswer> {
  const deadline = Date.now() + SEED_REQUEST_TIMEOUT_MS;
  const unreachable = (reason: string) =>
    new AppError('SEED_UNREACHABLE', `the seed node at ${url.origin} cannot be reached (${reason})`, { field: 'seedUrl' });
  const explain = (error: TFailure) => {
    if (error instanceof AppError) return error;
    if (error.code && UNTRUSTED.has(error.code)) {
      return new AppError(
        'JOIN_REFUSED',
        `the seed's HTTPS certificate is not trusted by this machine (${error.code}); give its fingerprint, shown in the seed's Join information, to pin it`,
        { field: 'fingerprint' },
      );
    }
    if (error.code === 'ETIMEDOUT') return unreachable(`no complete answer within ${SEED_REQUEST_TIMEOUT_MS / 1_000} s`);
    return unreachable(error.code ?? error.message);
  };
  try {
    const socket =
      url.protocol === 'https:' && pinnedFingerprint ? await openPinned(url, pinnedFingerprint, deadline) : undefined;
    return await exchange(url, body, socket, deadline);
  } catch (error) {
    throw explain(error as TFailure);
  }
}

function timedOut(): TFailure {
  return Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
}

function openPinned(url: URL, fingerprint: string, deadline: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      servername: net.isIP(host) ? undefined : host,
      // the chain is not what is trusted here: the fingerprint is, and it is checked below
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => socket.destroy(timedOut()), Math.max(0, deadline - Date.now()));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const served = socket.getPeerCertificate().fingerprint256;
      if (served !== fingerprint) {
        socket.destroy();
        reject(
          new AppError('JOIN_REFUSED', `fingerprint mismatch: the seed serves a certificate with fingerprint ${served}`, {
            field: 'fingerprint',
          }),
        );
        return;
      }
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function exchange(
  url: URL,
  body: unknown | undefined,
  pinned: tls.TLSSocket | undefined,
  deadline: number,
): Promise<TSeedAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const options: https.RequestOptions = {
      host,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: payload === undefined ? 'GET' : 'POST',
      headers: {
        host: url.host,
        accept: 'application/json',
        ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
      // with a pinned TLS socket there must be no agent at all: an agent (even `agent: false`, which
      // makes a fresh one) opens its own plain connection and ignores createConnection
      ...(pinned ? { createConnection: () => pinned } : { agent: false }),
      ...(url.protocol === 'https:' && !pinned ? { servername: net.isIP(host) ? undefined : host } : {}),
    };
    // node's own clients never follow redirects: a 3xx is answered below, not chased
    const request = (url.protocol === 'https:' && !pinned ? https : http).request(options, (response) => {
      const status = response.statusCode ?? 0;
      const socket = (pinned ?? response.socket) as Partial<tls.TLSSocket> | null;
      const served =
        typeof socket?.getPeerCertificate === 'function' ? (socket.getPeerCertificate().fingerprint256 ?? null) : null;
      const refuse = (message: string, field?: string) => {
        request.destroy();
        reject(new AppError('JOIN_REFUSED', message, { field }));
      };
      if (status >= 300 && status < 400) {
        return refuse(
          `the seed node answered with a redirect (HTTP ${status}), which a join never follows: give the address the seed node serves on`,
          'seedUrl',
        );
      }
      const tooLarge = () =>
        refuse(
          `the seed node's answer is larger than ${SEED_ANSWER_MAX_BYTES / 1024 / 1024} MiB, more than a join needs; it was cut off`,
          'seedUrl',
        );
      if (Number(response.headers['content-length'] ?? 0) > SEED_ANSWER_MAX_BYTES) return tooLarge();
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > SEED_ANSWER_MAX_BYTES) return tooLarge();
        chunks.push(chunk);
      });
      response.once('error', reject);
      response.once('end', () => {
        clearTimeout(timer);
        request.destroy();
        let json: unknown;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status, json, fingerprint: served });
      });
    });
    // one deadline for connecting, sending and reading the whole answer: a seed that trickles is cut off too
    const timer = setTimeout(() => request.destroy(timedOut()), Math.max(0, deadline - Date.now()));
    request.once('error', (error) => {
      clearTimeout(timer);
      pinned?.destroy();
      reject(error);
    });
    request.once('close', () => clearTimeout(timer));
    request.end(payload);
  });
}
