/**
 * `orchctl certificate show|generate|import|keep-own`: node --url's HTTPS certificate. A new
 * certificate is written to the node's data directory and served after its restart.
 */
import { readFile, stat } from 'node:fs/promises';
import type { TCertificateOnDisk, TCertificateView } from '@/lib/tls/certificate-view';
import type { TCertificateDescription } from '@/lib/tls/describe-certificate';
import type { TServedCertificate } from '@/lib/tls/served-certificate';
import { CERTIFICATE_PEM_MAX_CHARS, type TCertificateChange, type TKeepOwnCertificateUpdate } from '@/lib/tls/schemas';
import { callApi, CliError } from './api-client';
import type { TNodeCommandOptions } from './cluster-view';

export type TCertificateShowOptions = TNodeCommandOptions & { json?: boolean };
export type TCertificateImportOptions = TNodeCommandOptions & { cert: string; key: string };

const PATH = '/api/config/certificate';

function describe(certificate: TCertificateDescription): string[] {
  const expiry = certificate.expired
    ? 'EXPIRED'
    : certificate.expiresSoon
      ? `WARNING: expires in ${certificate.daysLeft} days`
      : `${certificate.daysLeft} days left`;
  return [
    `  fingerprint  ${certificate.fingerprint}`,
    `  subject      ${certificate.subject}`,
    `  names        ${certificate.sans.join(', ') || '(none)'}`,
    `  valid        ${certificate.notBefore} to ${certificate.notAfter} (${expiry})`,
  ];
}

function describeServed(served: TServedCertificate): string[] {
  if (served.state === 'https') return ['served now: HTTPS (and plain HTTP from loopback)', ...describe(served.certificate)];
  if (served.state === 'unusable')
    return [`served now: plain HTTP — the certificate files could not be served: ${served.problem}`];
  return ['served now: plain HTTP (no certificate)'];
}

function describeOnDisk(onDisk: TCertificateOnDisk): string[] {
  if (onDisk.state === 'present') return ['on disk (served after a restart):', ...describe(onDisk.certificate)];
  if (onDisk.state === 'unusable') return [`on disk: unusable — ${onDisk.problem}`];
  return ['on disk: no certificate'];
}

function printView(view: TCertificateView): void {
  const lines = [
    ...describeServed(view.served),
    ...describeOnDisk(view.onDisk),
    `keep own certificate on a push: ${view.keepOwnCertificate ? 'on' : 'off'}`,
  ];
  if (view.restartPending) lines.push('the certificate on disk takes effect after the node restarts');
  console.log(lines.join('\n'));
}

export async function showCertificate(options: TCertificateShowOptions): Promise<void> {
  const view = await callApi<TCertificateView>(options.url, PATH, options);
  if (options.json) process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
  else printView(view);
}

export async function generateCertificateOnNode(options: TNodeCommandOptions): Promise<void> {
  const body: TCertificateChange = { action: 'generate' };
  const view = await callApi<TCertificateView>(options.url, PATH, { ...options, method: 'POST', body, timeoutMs: 60_000 });
  if (view.onDisk.state === 'present')
    console.log(
      `generated ${view.onDisk.certificate.fingerprint} for ${view.onDisk.certificate.sans.join(', ')}; the node serves it after a restart`,
    );
}

async function readPem(file: string, what: string): Promise<string> {
  try {
    const { size } = await stat(file);
    if (size > CERTIFICATE_PEM_MAX_CHARS)
      throw new CliError(`${file} is ${size} bytes; a PEM ${what} is at most ${CERTIFICATE_PEM_MAX_CHARS} bytes`);
    return await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export async function importCertificateFiles(options: TCertificateImportOptions): Promise<void> {
  const body: TCertificateChange = {
    action: 'import',
    certificate: await readPem(options.cert, 'certificate'),
    privateKey: await readPem(options.key, 'private key'),
  };
  const view = await callApi<TCertificateView>(options.url, PATH, { ...options, method: 'POST', body });
  if (view.onDisk.state === 'present')
    console.log(
      `imported ${view.onDisk.certificate.fingerprint} (${view.onDisk.certificate.subject}); the node serves it after a restart`,
    );
}

export async function setKeepOwnCertificate(options: TNodeCommandOptions, mode: string): Promise<void> {
  if (mode !== 'on' && mode !== 'off') throw new CliError('keep-own takes on or off');
  const body: TKeepOwnCertificateUpdate = { keepOwnCertificate: mode === 'on' };
  await callApi(options.url, PATH, { ...options, method: 'PUT', body });
  console.log(
    mode === 'on'
      ? 'this node keeps its own certificate when a configuration is pushed'
      : "a configuration push replaces this node's certificate",
  );
}
