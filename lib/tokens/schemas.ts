import { z } from 'zod';

export const ZTokenCreate = z.object({ name: z.string().trim().min(1, 'name is required').max(100, 'name is at most 100 characters') }).strict();
export type TTokenCreate = z.infer<typeof ZTokenCreate>;

export type TTokenView = { id: string; name: string; prefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };
/** Returned once, when the token is created: the only time its value is shown. */
export type TCreatedToken = TTokenView & { token: string };
