/**
 * The export file's envelope: JSON text holding the content encrypted with AES-256-GCM under a
 * key derived from a password with scrypt (both node:crypto). Everything in the envelope besides
 * the ciphertext and its tag is authenticated as additional data, so a wrong password, a changed
 * byte of the content or a changed header field all fail the same check and nothing is read.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { canonicalJson } from '@/lib/config/document';

export const SEALED_FORMAT = 'orchestrator-configuration-export/1';
/** N = 2^15, r = 8: about 32 MiB and a tenth of a second per try; fixed, so a file cannot ask an importer for more */
const KDF = { name: 'scrypt', N: 32_768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const TAG_BYTES = 16;
export const EXPORT_PASSWORD_MIN = 12;

export const ZExportPassword = z
  .string()
  .min(EXPORT_PASSWORD_MIN, `password must be at least ${EXPORT_PASSWORD_MIN} characters`)
  .max(1024, 'password must be at most 1024 characters');

const ZBase64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const ZEnvelope = z
  .object({
    format: z.literal(SEALED_FORMAT, { error: `is not a configuration export (format ${SEALED_FORMAT})` }),
    kdf: z
      .object({ name: z.literal(KDF.name), N: z.literal(KDF.N), r: z.literal(KDF.r), p: z.literal(KDF.p), salt: ZBase64(64) })
      .strict(),
    cipher: z.literal('aes-256-gcm'),
    iv: ZBase64(32),
    tag: ZBase64(32),
    content: ZBase64(64 * 1024 * 1024),
  })
  .strict();
type TEnvelope = z.infer<typeof ZEnvelope>;

function deriveKey(password: string, salt: Buffer): Promise<Buffer> {
  const options: ScryptOptions = { N: KDF.N, r: KDF.r, p: KDF.p, maxmem: 64 * 1024 * 1024 };
  // the asynchronous form runs in libuv's pool: a node's heartbeat never waits for it
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** the header fields, in one canonical text, bound to the ciphertext */
function additionalData(envelope: Omit<TEnvelope, 'tag' | 'content'>): Buffer {
  return Buffer.from(
    canonicalJson({ format: envelope.format, kdf: envelope.kdf, cipher: envelope.cipher, iv: envelope.iv }),
    'utf8',
  );
}

export async function sealContent(plaintext: string, password: string): Promise<string> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header: Omit<TEnvelope, 'tag' | 'content'> = {
    format: SEALED_FORMAT,
    kdf: { ...KDF, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
  };
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(password, salt), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(header));
  const content = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${JSON.stringify({ ...header, tag: cipher.getAuthTag().toString('base64'), content: content.toString('base64') }, null, 2)}\n`;
}

/** The plaintext, or an AppError: not an export, or a wrong password / a modified file (GCM cannot tell these apart). */
export async function openContent(sealed: string, password: string): Promise<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(sealed);
  } catch {
    throw new AppError('VALIDATION', 'the file is not a configuration export (not JSON)', { field: 'file' });
  }
  const envelope = ZEnvelope.safeParse(parsed);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw new AppError(
      'VALIDATION',
      `the file is not a configuration export (${issue.path.join('.') || 'file'} ${issue.message})`,
      { field: 'file' },
    );
  }
  const { kdf, iv, tag, content } = envelope.data;
  try {
    // the tag's length is fixed: a truncated tag would be easier to forge
    const decipher = createDecipheriv(
      'aes-256-gcm',
      await deriveKey(password, Buffer.from(kdf.salt, 'base64')),
      Buffer.from(iv, 'base64'),
      {
        authTagLength: TAG_BYTES,
      },
    );
    decipher.setAAD(additionalData(envelope.data));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(content, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError('VALIDATION', 'the file cannot be opened: wrong password, or the file was modified', {
      field: 'password',
    });
  }
}
