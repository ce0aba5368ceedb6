/** The export envelope: a round trip, and every kind of tampering refused with the same answer. */
import { describe, expect, it } from 'vitest';
import { openContent, sealContent } from '@/lib/config/export/sealed-file';

const PASSWORD = 'correct horse battery staple';

describe('sealed export file', () => {
  it('opens with its password to the same text', async () => {
    const sealed = await sealContent('{"hello":"world"}', PASSWORD);
    expect(sealed).not.toContain('hello');
    expect(await openContent(sealed, PASSWORD)).toBe('{"hello":"world"}');
  });

  it('refuses a wrong password, a changed byte, a changed header field and a shortened tag', async () => {
    const sealed = await sealContent('{"a":1}', PASSWORD);
    const envelope = JSON.parse(sealed) as Record<string, unknown> & { content: string; tag: string; kdf: { salt: string } };
    const flipped = Buffer.from(envelope.content, 'base64');
    flipped[0] ^= 1;
    const variants = [
      [sealed, 'not the password'],
      [JSON.stringify({ ...envelope, content: flipped.toString('base64') }), PASSWORD],
      [JSON.stringify({ ...envelope, iv: Buffer.alloc(12).toString('base64') }), PASSWORD],
      [JSON.stringify({ ...envelope, kdf: { ...envelope.kdf, salt: Buffer.alloc(16).toString('base64') } }), PASSWORD],
      [JSON.stringify({ ...envelope, tag: Buffer.from(envelope.tag, 'base64').subarray(0, 4).toString('base64') }), PASSWORD],
    ] as const;
    for (const [text, password] of variants) {
      await expect(openContent(text, password)).rejects.toThrow(/wrong password, or the file was modified/);
    }
  });

  it('refuses what is not an export, naming why, and a file asking for other scrypt costs', async () => {
    await expect(openContent('not json', PASSWORD)).rejects.toThrow(/not a configuration export \(not JSON\)/);
    await expect(openContent('{"format":"something else"}', PASSWORD)).rejects.toThrow(/not a configuration export/);
    const envelope = JSON.parse(await sealContent('{}', PASSWORD)) as { kdf: Record<string, unknown> };
    await expect(openContent(JSON.stringify({ ...envelope, kdf: { ...envelope.kdf, N: 2 ** 24 } }), PASSWORD)).rejects.toThrow(
      /kdf\.N/,
    );
  });
});
