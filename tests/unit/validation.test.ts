import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { errorResponse } from '@/lib/api/with-api';
import { hasRole } from '@/lib/auth/roles';
import { redactDatabaseUrl } from '@/lib/db/url';
import { ZUserCreate, ZUserUpdate } from '@/lib/users/schemas';

describe('input schemas', () => {
  it('names the field that is wrong', () => {
    const result = ZUserCreate.safeParse({ name: 'ann', role: 'superuser', password: 'long enough' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].path).toEqual(['role']);
  });

  it('refuses unknown fields and updates that change nothing', () => {
    expect(ZUserCreate.safeParse({ name: 'ann', role: 'viewer', password: 'long enough', admin: true }).success).toBe(false);
    expect(ZUserUpdate.safeParse({ version: 1 }).success).toBe(false);
    expect(ZUserUpdate.safeParse({ version: 1, role: 'admin' }).success).toBe(true);
  });
});

describe('error responses', () => {
  it('maps AppError codes to statuses with the field', async () => {
    const response = errorResponse(new AppError('STALE_VERSION', 'changed by someone else', { field: 'version' }));
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { code: 'STALE_VERSION', message: 'changed by someone else', field: 'version' },
    });
  });

  it('maps validation errors to 400 naming the field path', async () => {
    const parsed = z.object({ settings: z.object({ port: z.number() }) }).safeParse({ settings: { port: 'x' } });
    const response = errorResponse(parsed.error);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error.field).toBe('settings.port');
    expect(body.error.code).toBe('VALIDATION');
  });
});

describe('roles', () => {
  it('orders viewer < operator < admin', () => {
    expect(hasRole({ role: 'admin' }, 'operator')).toBe(true);
    expect(hasRole({ role: 'operator' }, 'operator')).toBe(true);
    expect(hasRole({ role: 'viewer' }, 'operator')).toBe(false);
  });
});

describe('database URLs in messages', () => {
  it('never show the password', () => {
    const shown = redactDatabaseUrl('postgresql://app:s3cr%40t@db.example:5432/orch');
    expect(shown).toBe('postgresql://app:***@db.example:5432/orch');
    expect(shown).not.toContain('s3cr');
  });
});
