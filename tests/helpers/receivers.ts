/** Real notification receivers for tests: a loopback HTTP server and an SMTP server (npm smtp-server). */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type TReceivedHook = {
  at: number;
  path: string;
  body: { id: string; kind: string; node: string | null } & Record<string, unknown>;
  signatureValid: boolean | null;
  headers: http.IncomingHttpHeaders;
};

/**
 * Paths: /ok answers 204; /flaky answers 500 to the first three attempts of each delivery id,
 * then 204; /hang never answers. Every request that reached the handler is recorded.
 */
export async function startWebhookReceiver(secret: string) {
  const received: TReceivedHook[] = [];
  const attemptsById = new Map<string, number>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw) as TReceivedHook['body'];
      const signature = req.headers['x-orch-signature'];
      const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      received.push({
        at: Date.now(),
        path: req.url ?? '',
        body,
        signatureValid: signature === undefined ? null : signature === expected,
        headers: req.headers,
      });
      if (req.url === '/hang') {
        hanging.add(res);
        return;
      }
      if (req.url === '/flaky') {
        const attempts = (attemptsById.get(body.id) ?? 0) + 1;
        attemptsById.set(body.id, attempts);
        res.writeHead(attempts <= 3 ? 500 : 204).end();
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type TReceivedMail = { from: string; to: string[]; raw: string; secure: boolean; user: string | undefined };

/** An SMTP server on loopback that offers STARTTLS with the given certificate and requires a password. */
export async function startSmtpReceiver(options: { key: string; cert: string; user: string; password: string }) {
  const received: TReceivedMail[] = [];
  const server = new SMTPServer({
    key: options.key,
    cert: options.cert,
    authOptional: false,
    // plain authentication is refused before STARTTLS (smtp-server's default allowInsecureAuth: false)
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          secure: session.secure,
          user: session.user as string | undefined,
        });
        callback();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A test CA and a server certificate for 127.0.0.1 that it signed (RSA 2048, SHA-256). */
export async function makeTestCa(): Promise<{ caPem: string; key: string; cert: string }> {
  const { generate } = await import('selfsigned');
  const notBeforeDate = new Date(Date.now() - 60_000);
  const ca = await generate([{ name: 'commonName', value: 'Orchestrator Test CA' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { caPem: ca.cert, key: server.private, cert: server.cert };
}

export type TEffect = { key: string; at: number; body: string };

/**
 * An HTTPS receiver on loopback that records one effect per `Idempotency-Key`: a request with a
 * key it has seen answers the stored answer at once and records nothing. `?delayMs=N` answers the
 * first call of a key after N ms (the effect is recorded when the request arrives, as a real
 * receiver would commit it).
 * Every request is counted in `requests`.
 */
export async function startIdempotentReceiver(tls: { key: string; cert: string }) {
  const effects: TEffect[] = [];
  const requests: { key: string | undefined; at: number }[] = [];
  const answers = new Map<string, string>();
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const key = req.headers['idempotency-key'] as string | undefined;
      requests.push({ key, at: Date.now() });
      if (!key) {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"no Idempotency-Key"}');
        return;
      }
      let answer = answers.get(key);
      const repeat = answer !== undefined;
      if (answer === undefined) {
        effects.push({ key, at: Date.now(), body: raw });
        answer = JSON.stringify({ effect: effects.length, key });
        answers.set(key, answer);
      }
      // only the first call of a key is slow: its repeat is answered from what was stored
      const delayMs = repeat ? 0 : Number(new URL(req.url ?? '/', 'https://x').searchParams.get('delayMs') ?? 0);
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      }, delayMs).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    effects,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
