/** An email delivery through SMTP (nodemailer): STARTTLS required unless the target says otherwise. */
import type { TNotificationMessage } from '@/lib/notify/message';
import type { TSmtpSettings } from '@/lib/notify/schemas';

export async function sendEmail(
  smtp: TSmtpSettings,
  password: string | null,
  message: TNotificationMessage,
  timeoutMs: number,
): Promise<string> {
  // loaded at the first email, not at every node start
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'TLS',
    requireTLS: smtp.security === 'STARTTLS',
    ignoreTLS: smtp.security === 'NONE',
    auth: smtp.user ? { user: smtp.user, pass: password ?? '' } : undefined,
    tls: smtp.ca ? { ca: smtp.ca } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to: smtp.to,
      subject: `[${message.cluster || 'orchestrator'}] ${message.kind}: ${message.summary}`,
      // the delivery id also makes the Message-ID, so a mail system can drop a repeat
      messageId: `<${message.id}@orchestrator-control-center>`,
      headers: { 'X-Orch-Delivery': message.id, 'X-Orch-Event': message.kind },
      text: [
        message.summary,
        '',
        `Event:       ${message.kind}`,
        `Node:        ${message.node ?? '-'}`,
        `Cluster:     ${message.cluster}`,
        `At:          ${message.at}`,
        `Delivery id: ${message.id} (attempt ${message.attempt}, sent by ${message.sentBy})`,
        '',
        JSON.stringify(message.details, null, 2),
      ].join('\n'),
    });
    return `accepted: ${String(info.response ?? 'ok').slice(0, 200)}`;
  } finally {
    transport.close();
  }
}
