import { z } from 'zod';

export const ZTokenCreate = z
  .object({
    name: z.string().trim().min(1, 'name is required').max(100, 'name is at most 100 characters'),
    /** days until the token stops working; left out (or null), it works until revoked */
    expiresInDays: z
      .number({ error: 'expiresInDays must be a whole number of days' })
      .int('expiresInDays must be a whole number of days')
      .min(1, 'expiresInDays must be at least 1')
      .max(3650, 'expiresInDays is at most 3650 (ten years)')
      .nullish(),
  })
  .strict();
export type TTokenCreate = z.infer<typeof ZTokenCreate>;

export type TTokenView = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** null: never expires */
  expiresAt: string | null;
  /** past its expiry (decided by the server, which refuses it) */
  expired: boolean;
};
/** Returned once, when the token is created: the only time its value is shown. */
export type TCreatedToken = TTokenView & { token: string };
