import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openRefreshToken, sealRefreshToken } from '@/lib/auth/directory/oidc-refresh';
import { ZOidcSettings } from '@/lib/auth/directory/schemas';

const SESSION_SECRET = 'a-session-secret-of-at-least-32-characters';
const TOKEN = 'refresh-token-value-0f3c9a51e2';

describe('the sealed OpenID refresh token', () => {
  it('opens with the session secret and the user it was sealed for, and does not show the token', () => {
    const userId = randomUUID();
    const sealed = sealRefreshToken(SESSION_SECRET, userId, TOKEN);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(TOKEN);
    expect(sealed).not.toContain(Buffer.from(TOKEN).toString('base64'));
    expect(openRefreshToken(SESSION_SECRET, userId, sealed)).toBe(TOKEN);
    // a fresh IV each time: the same token never seals to the same text
    expect(sealRefreshToken(SESSION_SECRET, userId, TOKEN)).not.toBe(sealed);
  });

  it('does not open under another session secret, nor copied to another user', () => {
    const userId = randomUUID();
    const sealed = sealRefreshToken(SESSION_SECRET, userId, TOKEN);
    expect(() => openRefreshToken(`${SESSION_SECRET}-replaced`, userId, sealed)).toThrow();
    expect(() => openRefreshToken(SESSION_SECRET, randomUUID(), sealed)).toThrow();
  });
});

describe('the OpenID scopes', () => {
  it('ask for offline_access by default, so that the provider issues a refresh token', () => {
    const settings = ZOidcSettings.parse({ issuer: 'https://idp.example.test', clientId: 'orchestrator', roles: [] });
    expect(settings.scopes.split(' ')).toContain('offline_access');
  });
});
