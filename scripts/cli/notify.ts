/** `orchctl notify …`: notification targets (webhook, email), their test and delivery log. */
import { readFile } from 'node:fs/promises';
import { parseEventKinds } from '@/lib/notify/event-kinds';
import type { TDeliveryView, TTargetView } from '@/lib/notify/schemas';
import { callApi, CliError, type TCredentialOptions } from './api-client';
import { formatTable } from './cluster-view';

type TBase = TCredentialOptions & { url: string };
export type TNotifyWebhookOptions = TBase & { target: string; secretFile?: string; events: string; name?: string };
export type TNotifyEmailOptions = TBase & {
  smtpHost: string;
  smtpPort: number;
  security: 'STARTTLS' | 'TLS' | 'NONE';
  smtpUser?: string;
  smtpPasswordFile?: string;
  caFile?: string;
  from: string;
  to: string;
  events: string;
  name?: string;
};

function events(value: string): string[] {
  try {
    return parseEventKinds(value);
  } catch (error) {
    throw new CliError(`--events: ${(error as Error).message}`);
  }
}

/** A secret comes from a file, never from the command line (where other users could read it). */
async function readSecretFile(option: string, file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    const value = (await readFile(file, 'utf8')).trim();
    if (!value) throw new CliError(`${option}: ${file} is empty`);
    return value;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${option}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

export async function addWebhookTarget(options: TNotifyWebhookOptions): Promise<void> {
  const body = {
    kind: 'WEBHOOK',
    name: options.name ?? new URL(options.target).host,
    url: options.target,
    secret: await readSecretFile('--secret-file', options.secretFile),
    events: events(options.events),
  };
  const target = await callApi<TTargetView>(options.url, '/api/notifications/targets', { ...options, method: 'POST', body });
  console.log(`webhook target "${target.name}" (${target.id}) added: ${target.events.join(', ')}`);
}

export async function addEmailTarget(options: TNotifyEmailOptions): Promise<void> {
  const body = {
    kind: 'EMAIL',
    name: options.name ?? `${options.smtpHost}:${options.smtpPort}`,
    events: events(options.events),
    smtp: {
      host: options.smtpHost,
      port: options.smtpPort,
      security: options.security,
      user: options.smtpUser,
      from: options.from,
      to: options.to
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
      ca: await readSecretFile('--ca-file', options.caFile),
    },
    smtpPassword: await readSecretFile('--smtp-password-file', options.smtpPasswordFile),
  };
  const target = await callApi<TTargetView>(options.url, '/api/notifications/targets', { ...options, method: 'POST', body });
  console.log(`email target "${target.name}" (${target.id}) added: ${target.events.join(', ')}`);
}

export async function printTargets(options: TBase & { json?: boolean }): Promise<void> {
  const targets = await callApi<TTargetView[]>(options.url, '/api/notifications/targets', options);
  if (options.json) return void process.stdout.write(`${JSON.stringify(targets, null, 2)}\n`);
  if (targets.length === 0) return void console.log('no notification targets');
  console.log(
    formatTable(
      ['ID', 'NAME', 'KIND', 'TO', 'EVENTS'],
      targets.map((target) => [
        target.id,
        target.name,
        target.kind,
        target.url ?? target.smtp?.to.join(', ') ?? '-',
        target.events.join(','),
      ]),
    ),
  );
}

async function findTarget(options: TBase, nameOrId: string): Promise<TTargetView> {
  const targets = await callApi<TTargetView[]>(options.url, '/api/notifications/targets', options);
  const target = targets.find((candidate) => candidate.id === nameOrId || candidate.name === nameOrId);
  if (!target) throw new CliError(`no notification target "${nameOrId}" (see orchctl notify list)`);
  return target;
}

export async function sendTest(options: TBase & { target: string }): Promise<void> {
  const target = await findTarget(options, options.target);
  const { deliveryId } = await callApi<{ deliveryId: string }>(options.url, `/api/notifications/targets/${target.id}/test`, {
    ...options,
    method: 'POST',
  });
  console.log(`test delivery ${deliveryId} queued for "${target.name}"; see orchctl notify log`);
}

export async function removeTarget(options: TBase & { target: string }): Promise<void> {
  const target = await findTarget(options, options.target);
  await callApi(options.url, `/api/notifications/targets/${target.id}`, { ...options, method: 'DELETE' });
  console.log(`notification target "${target.name}" removed`);
}

export async function printDeliveryLog(options: TBase & { target?: string; limit?: number; json?: boolean }): Promise<void> {
  const query = new URLSearchParams();
  if (options.target) query.set('target', (await findTarget(options, options.target)).id);
  if (options.limit) query.set('limit', String(options.limit));
  const deliveries = await callApi<TDeliveryView[]>(options.url, `/api/notifications/deliveries?${query}`, options);
  if (options.json) return void process.stdout.write(`${JSON.stringify(deliveries, null, 2)}\n`);
  if (deliveries.length === 0) return void console.log('no deliveries');
  console.log(
    formatTable(
      ['CREATED (UTC)', 'DELIVERY', 'TARGET', 'KIND', 'NODE', 'STATUS', 'TRIES', 'LAST RESULT'],
      deliveries.map((delivery) => [
        delivery.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
        delivery.id,
        delivery.targetName,
        delivery.kind,
        delivery.nodeName ?? '-',
        delivery.status,
        String(delivery.attempts.length),
        delivery.attempts[0]?.result ?? '-',
      ]),
    ),
  );
}
