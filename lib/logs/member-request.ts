/**
 * A GET (or, with a body, a POST of JSON) to another member's advertised address. Over HTTPS
 * the members' own certificate (the one the cluster pushes, self-signed by default) is trusted
 * besides the machine's authorities, so members with a generated certificate can talk to each
 * other; host names are checked.
 */
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import tls from 'node:tls';
import { certificateFiles } from '@/lib/tls/certificate-files';

export async function getFromMember(
  url: URL,
  headers: Record<string, string>,
  options: { dataDir: string; timeoutMs: number; maxBytes: number; body?: unknown },
): Promise<{ status: number; text: string }> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body !== undefined) headers = { ...headers, 'content-type': 'application/json' };
  const method = body === undefined ? 'GET' : 'POST';
  if (url.protocol !== 'https:') {
    const response = await fetch(url, {
      method,
      body,
      headers,
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    if (Buffer.byteLength(text) > options.maxBytes) throw new Error(`answer larger than ${options.maxBytes} bytes`);
    return { status: response.status, text };
  }
  const own = await readFile(certificateFiles(options.dataDir).certificate, 'utf8').catch(() => null);
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method, headers, ca: own ? [...tls.rootCertificates, own] : undefined, timeout: options.timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) request.destroy(new Error(`answer larger than ${options.maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { name: 'TimeoutError' })));
    request.on('error', reject);
    request.end(body);
  });
}
