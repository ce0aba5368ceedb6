/** What the support bundle's redaction removes, and what it leaves readable. */
import { describe, expect, it } from 'vitest';
import { REDACTED, redactText } from '@/lib/support/redact';

describe('redactText', () => {
  it('removes known secret values wherever they appear', () => {
    expect(redactText('connected with s3cret-value to db; again s3cret-value', ['s3cret-value'])).toBe(
      `connected with ${REDACTED} to db; again ${REDACTED}`,
    );
  });

  it('removes private key blocks, URL passwords, bearer tokens and secret-like JSON fields', () => {
    const text = [
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
      'postgresql://orch:hunter2hunter2@db.example:5432/orch',
      'authorization: Bearer abcdefghijklmnop',
      JSON.stringify({ secret: 'x1', smtpPassword: 'x2', password: 'x3', name: 'kept' }),
    ].join('\n');
    const out = redactText(text, []);
    for (const gone of ['MIIEvQ', 'hunter2', 'abcdefghijklmnop', '"x1"', '"x2"', '"x3"', 'PRIVATE KEY'])
      expect(out).not.toContain(gone);
    expect(out).toContain('postgresql://orch:[redacted]@db.example:5432/orch');
    expect(out).toContain('"name":"kept"');
  });

  it('leaves certificates (public) and ordinary text alone', () => {
    const text = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nheartbeat p99 3 ms';
    expect(redactText(text, ['abc'])).toBe(text);
  });
});
