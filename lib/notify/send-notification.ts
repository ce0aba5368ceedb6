/** Sends one claimed delivery to its target, by the target's kind. */
import type { TClaimedDelivery } from '@/lib/notify/outbox';
import type { TNotificationMessage } from '@/lib/notify/message';
import { SEND_TIMEOUT_MS } from '@/lib/notify/dispatcher';
import { sendEmail } from '@/lib/notify/send-email';
import { sendWebhook } from '@/lib/notify/send-webhook';

export async function sendNotification(delivery: TClaimedDelivery, message: TNotificationMessage): Promise<string> {
  const { target } = delivery;
  if (target.kind === 'WEBHOOK' && target.url)
    return sendWebhook({ url: target.url, secret: target.secret }, message, SEND_TIMEOUT_MS);
  if (target.kind === 'EMAIL' && target.smtp) return sendEmail(target.smtp, target.smtpPassword, message, SEND_TIMEOUT_MS);
  throw new Error(`target "${target.name}" is incomplete (${target.kind})`);
}
