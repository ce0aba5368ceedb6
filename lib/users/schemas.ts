/** Shapes of user input, shared by the API routes, the SWR hooks and the forms. */
import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';

export const ZUserName = z
  .string()
  .trim()
  .min(1, 'name is required')
  .max(64, 'name is at most 64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'name may hold letters, digits and . _ @ - only');
export const ZPassword = z.string().min(8, 'password needs at least 8 characters').max(256, 'password is at most 256 characters');
export const ZRole = z.enum(ROLES);

export const ZUserCreate = z.object({ name: ZUserName, role: ZRole, password: ZPassword }).strict();
export type TUserCreate = z.infer<typeof ZUserCreate>;

/**
 * Change a role or set a new password; `version` is the user's version as read (409 when stale).
 * A new password ends the user's sessions; `revokeTokens` also revokes their API tokens.
 */
export const ZUserUpdate = z
  .object({
    role: ZRole.optional(),
    password: ZPassword.optional(),
    revokeTokens: z.boolean().optional(),
    version: z.number().int().positive(),
  })
  .strict()
  .refine((value) => value.role !== undefined || value.password !== undefined, {
    message: 'give a role or a password to change',
    path: ['role'],
  })
  .refine((value) => !value.revokeTokens || value.password !== undefined, {
    message: 'revokeTokens goes with a new password',
    path: ['revokeTokens'],
  });
export type TUserUpdate = z.infer<typeof ZUserUpdate>;

export const ZPasswordChange = z
  .object({ currentPassword: z.string().min(1, 'current password is required'), newPassword: ZPassword })
  .strict();
export type TPasswordChange = z.infer<typeof ZPasswordChange>;

export type TUserView = { id: string; name: string; role: z.infer<typeof ZRole>; version: number; createdAt: string };
