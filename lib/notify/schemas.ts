/** What the API, the CLI and the notification page exchange about targets and deliveries. */
import { z } from 'zod';
import { NOTIFY_EVENT_KINDS } from '@/lib/notify/event-kinds';

const ZName = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(80, 'name is at most 80 characters')
  .regex(/^[\w .:-]+$/, 'name may hold letters, digits, spaces and . _ : -');
const ZEvents = z.array(z.enum(NOTIFY_EVENT_KINDS)).min(1, 'choose at least one event kind').max(NOTIFY_EVENT_KINDS.length);
function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}
const ZHttpUrl = z
  .string()
  .max(2000, 'url is at most 2000 characters')
  .refine((value) => /^https?:$/.test(parseUrl(value)?.protocol ?? ''), 'url must be an http:// or https:// URL')
  .refine((value) => !parseUrl(value)?.username && !parseUrl(value)?.password, 'url must not hold credentials (use the secret)');

export const ZWebhookTargetCreate = z
  .object({
    kind: z.literal('WEBHOOK'),
    name: ZName,
    url: ZHttpUrl,
    /** the HMAC-SHA256 key; write-only */
    secret: z.string().min(16, 'secret must be at least 16 characters').max(512).optional(),
    events: ZEvents,
  })
  .strict();

const ZEmailAddress = z.string().trim().email('not an email address').max(320);

export const ZEmailTargetCreate = z
  .object({
    kind: z.literal('EMAIL'),
    name: ZName,
    events: ZEvents,
    smtp: z
      .object({
        host: z.string().trim().min(1, 'smtp.host is required').max(255),
        port: z.number().int().min(1).max(65535),
        /** STARTTLS (required upgrade), TLS (implicit, usually port 465), or NONE (only for a relay on the same host) */
        security: z.enum(['STARTTLS', 'TLS', 'NONE']).default('STARTTLS'),
        user: z.string().max(255).optional(),
        from: ZEmailAddress,
        to: z.array(ZEmailAddress).min(1, 'smtp.to needs at least one address').max(20),
        /** a PEM CA certificate to trust for this server, instead of the system's */
        ca: z.string().max(20_000).optional(),
      })
      .strict(),
    /** write-only */
    smtpPassword: z.string().max(512).optional(),
  })
  .strict();

export const ZTargetCreate = z.discriminatedUnion('kind', [ZWebhookTargetCreate, ZEmailTargetCreate]);
export type TTargetCreate = z.infer<typeof ZTargetCreate>;
export type TSmtpSettings = z.infer<typeof ZEmailTargetCreate>['smtp'];

export type TTargetView = {
  id: string;
  name: string;
  kind: 'WEBHOOK' | 'EMAIL';
  url: string | null;
  smtp: (Omit<TSmtpSettings, 'ca'> & { hasCa: boolean }) | null;
  events: string[];
  enabled: boolean;
  /** a secret (or SMTP password) is stored; its value is never shown again */
  hasSecret: boolean;
  createdAt: string;
  createdBy: string | null;
};

export const ZDeliveryQuery = z
  .object({
    target: z.string().uuid('target must be a target id').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export type TDeliveryQuery = z.infer<typeof ZDeliveryQuery>;

export type TDeliveryView = {
  id: string;
  targetId: string;
  targetName: string;
  kind: string;
  nodeName: string | null;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  createdAt: string;
  deliveredAt: string | null;
  attempts: { at: string; ok: boolean; result: string; durationMs: number; nodeName: string | null }[];
};
