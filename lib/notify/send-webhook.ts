/**
 * A webhook delivery: an HTTP POST of the JSON message, signed with HMAC-SHA256 of the exact
 * body under the target's secret (`X-Orch-Signature: sha256=<hex>`), cut off after a timeout so
 * a receiver that hangs costs one slot of the dispatcher, never the heartbeat.
 */
import { createHmac } from 'node:crypto';
import type { TNotificationMessage } from '@/lib/notify/message';

export const SIGNATURE_HEADER = 'x-orch-signature';
export const DELIVERY_HEADER = 'x-orch-delivery';

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function sendWebhook(
  target: { url: string; secret: string | null },
  message: TNotificationMessage,
  timeoutMs: number,
): Promise<string> {
  const body = JSON.stringify(message);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'orchestrator-control-center',
    [DELIVERY_HEADER]: message.id,
    'x-orch-event': message.kind,
  };
  if (target.secret) headers[SIGNATURE_HEADER] = signBody(target.secret, body);
  const response = await fetch(target.url, {
    method: 'POST',
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  });
  // the body is not ours to keep; reading a little frees the connection
  await response.body?.cancel().catch(() => {});
  if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
  return `HTTP ${response.status}`;
}
