/**
 * Certificates without a node: a generated certificate covers the names and addresses asked for
 * (RSA 2048, ~825 days, CN = cluster name), its description is what the page and the
 * configuration document show, and an import is refused — naming the field, writing nothing —
 * for garbage, a key that is not the certificate's, an encrypted key and an expired certificate.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/api/app-error';
import { certificateFiles, readCertificateFiles, tlsDir } from '@/lib/tls/certificate-files';
import { readCertificateOnDisk } from '@/lib/tls/certificate-view';
import { describeCertificate, subjectAltNames } from '@/lib/tls/describe-certificate';
import { generateCertificate, type TCertificatePair } from '@/lib/tls/generate-certificate';
import { checkCertificatePair, importCertificate } from '@/lib/tls/import-certificate';
import { localOptionsFile, readKeepOwnCertificate, writeKeepOwnCertificate } from '@/lib/tls/keep-own-certificate';
import { certificateHosts, urlHost } from '@/lib/tls/member-hosts';
import { ZCertificateChange } from '@/lib/tls/schemas';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOSTS = ['localhost', 'node-1.example.com', 'n2', '127.0.0.1', '10.0.0.7', '::1', 'fd00::7'];

let pair: TCertificatePair;
let other: TCertificatePair;
let expired: TCertificatePair;

beforeAll(async () => {
  [pair, other, expired] = await Promise.all([
    generateCertificate({ commonName: 'demo', hosts: HOSTS }),
    generateCertificate({ commonName: 'other', hosts: ['localhost'] }),
    generateCertificate({ commonName: 'old', hosts: ['localhost'], now: new Date(Date.now() - 900 * DAY_MS) }),
  ]);
}, 60_000);

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'orch-tls-'));

function refusal(input: TCertificatePair): AppError {
  try {
    checkCertificatePair(input);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the pair was accepted');
}

describe('generateCertificate', () => {
  it('is self-signed for the cluster name, RSA 2048, about 825 days, and covers every host given', () => {
    const certificate = new X509Certificate(pair.certificate);
    expect(certificate.subject).toBe('CN=demo');
    expect(certificate.issuer).toBe('CN=demo');
    expect(certificate.publicKey.asymmetricKeyType).toBe('rsa');
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(certificate.checkPrivateKey(createPrivateKey(pair.privateKey))).toBe(true);
    expect(certificate.ca).toBe(false);
    const days = (new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime()) / DAY_MS;
    expect(Math.round(days)).toBe(825);
    for (const host of ['localhost', 'node-1.example.com', 'n2']) expect(certificate.checkHost(host)).toBe(host);
    for (const ip of ['127.0.0.1', '10.0.0.7', '::1', 'fd00::7']) expect(certificate.checkIP(ip)).toBe(ip);
    expect(certificate.checkHost('elsewhere.example.com')).toBeUndefined();
    expect(pair.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});

describe('describeCertificate', () => {
  it('gives the fingerprint, subject, SANs and validity', () => {
    const description = describeCertificate(pair.certificate);
    expect(description.fingerprint).toBe(new X509Certificate(pair.certificate).fingerprint256);
    expect(description.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(description.subject).toBe('CN=demo');
    expect(description.sans).toEqual(['localhost', 'node-1.example.com', 'n2', '127.0.0.1', '10.0.0.7', '::1', 'fd00::7']);
    expect(description.daysLeft).toBe(824);
    expect(description).toMatchObject({ expiresSoon: false, expired: false });
    expect(new Date(description.notBefore).getTime()).toBeLessThan(Date.now());
    expect(JSON.stringify(description)).not.toContain('PRIVATE KEY');
  });

  it('warns 30 days ahead, and says when it has expired', () => {
    const notAfter = new Date(describeCertificate(pair.certificate).notAfter).getTime();
    expect(describeCertificate(pair.certificate, new Date(notAfter - 31 * DAY_MS))).toMatchObject({
      daysLeft: 31,
      expiresSoon: false,
      expired: false,
    });
    expect(describeCertificate(pair.certificate, new Date(notAfter - 29.5 * DAY_MS))).toMatchObject({
      daysLeft: 29,
      expiresSoon: true,
      expired: false,
    });
    expect(describeCertificate(pair.certificate, new Date(notAfter + DAY_MS))).toMatchObject({
      daysLeft: -1,
      expiresSoon: true,
      expired: true,
    });
    expect(describeCertificate(expired.certificate)).toMatchObject({ expiresSoon: true, expired: true });
  });

  it('reads quoted subjectAltName values and leaves out other kinds', () => {
    expect(
      subjectAltNames('DNS:a.example, DNS:"odd,name", IP Address:0:0:0:0:0:0:0:1, email:x@example.com, URI:https://x'),
    ).toEqual(['a.example', 'odd,name', '::1']);
    expect(subjectAltNames(undefined)).toEqual([]);
  });
});

describe('checkCertificatePair and importCertificate', () => {
  it('accepts a matching pair, in a normal form, and describes it', () => {
    const { pair: normal, description } = checkCertificatePair({
      certificate: `\n  ${pair.certificate}\n\n`,
      privateKey: `junk before\n${pair.privateKey}`,
    });
    expect(normal.certificate.startsWith('-----BEGIN CERTIFICATE-----')).toBe(true);
    expect(normal.certificate.endsWith('-----END CERTIFICATE-----\n')).toBe(true);
    expect(normal.privateKey.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(description.fingerprint).toBe(describeCertificate(pair.certificate).fingerprint);
  });

  it('refuses a key that belongs to another certificate, naming privateKey', () => {
    const error = refusal({ certificate: pair.certificate, privateKey: other.privateKey });
    expect(error).toMatchObject({ code: 'VALIDATION', status: 400, field: 'privateKey' });
    expect(error.message).toMatch(/does not belong to the certificate/);
  });

  it('refuses garbage, naming the field', () => {
    expect(refusal({ certificate: 'not a certificate', privateKey: pair.privateKey })).toMatchObject({ field: 'certificate' });
    const broken = pair.certificate.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(refusal({ certificate: broken, privateKey: pair.privateKey })).toMatchObject({ field: 'certificate' });
    expect(refusal({ certificate: pair.certificate, privateKey: 'garbage' })).toMatchObject({ field: 'privateKey' });
    const truncatedKey = `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n`;
    expect(refusal({ certificate: pair.certificate, privateKey: truncatedKey })).toMatchObject({ field: 'privateKey' });
    expect(refusal({ certificate: pair.privateKey, privateKey: pair.certificate })).toMatchObject({ field: 'certificate' });
  });

  it('refuses an encrypted key', () => {
    const encrypted = createPrivateKey(pair.privateKey).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    }) as string;
    expect(refusal({ certificate: pair.certificate, privateKey: encrypted })).toMatchObject({
      field: 'privateKey',
      message: expect.stringMatching(/encrypted/),
    });
  });

  it('refuses an expired certificate, naming certificate (a node that has one still serves it)', () => {
    const error = refusal(expired);
    expect(error).toMatchObject({ code: 'VALIDATION', field: 'certificate' });
    expect(error.message).toMatch(/^certificate expired on /);
    expect(checkCertificatePair(expired, { allowExpired: true }).description.expired).toBe(true);
  });

  it('writes nothing when refused, and the key with mode 0600 when accepted', async () => {
    const dataDir = await tempDir();
    await expect(
      importCertificate(dataDir, { certificate: pair.certificate, privateKey: other.privateKey }),
    ).rejects.toMatchObject({ field: 'privateKey' });
    expect(existsSync(tlsDir(dataDir))).toBe(false);
    expect(await readCertificateOnDisk(dataDir)).toEqual({ state: 'none' });

    const description = await importCertificate(dataDir, pair);
    const files = certificateFiles(dataDir);
    expect((await stat(files.privateKey)).mode & 0o777).toBe(0o600);
    expect((await stat(tlsDir(dataDir))).mode & 0o777).toBe(0o700);
    expect(await readCertificateFiles(dataDir)).toEqual(pair);
    expect(await readCertificateOnDisk(dataDir)).toEqual({ state: 'present', certificate: description });

    // a refused import over an existing pair leaves it as it was
    await expect(importCertificate(dataDir, expired)).rejects.toMatchObject({ field: 'certificate' });
    expect(await readCertificateFiles(dataDir)).toEqual(pair);
  });

  it('reports a torn or mismatched pair on disk as unusable', async () => {
    const dataDir = await tempDir();
    await mkdir(tlsDir(dataDir), { recursive: true });
    await writeFile(certificateFiles(dataDir).certificate, pair.certificate);
    expect(await readCertificateOnDisk(dataDir)).toMatchObject({
      state: 'unusable',
      problem: expect.stringMatching(/private-key\.pem is missing/),
    });
    await writeFile(certificateFiles(dataDir).privateKey, other.privateKey);
    expect(await readCertificateOnDisk(dataDir)).toMatchObject({
      state: 'unusable',
      problem: expect.stringMatching(/does not belong/),
    });
  });
});

describe('the request body', () => {
  it('is generate, or import with both PEM texts', () => {
    expect(ZCertificateChange.parse({ action: 'generate' })).toEqual({ action: 'generate' });
    expect(ZCertificateChange.safeParse({ action: 'import', certificate: 'x' }).error?.issues[0]).toMatchObject({
      path: ['privateKey'],
    });
    expect(ZCertificateChange.safeParse({ action: 'renew' }).error?.issues[0].message).toBe(
      'action must be "generate" or "import"',
    );
    expect(ZCertificateChange.safeParse({ action: 'generate', certificate: 'x' }).success).toBe(false);
  });
});

describe('keep-own-certificate', () => {
  it('is off by default, survives a write and keeps other local options', async () => {
    const dataDir = await tempDir();
    expect(await readKeepOwnCertificate(dataDir)).toBe(false);
    await writeKeepOwnCertificate(dataDir, true);
    expect(await readKeepOwnCertificate(dataDir)).toBe(true);
    await writeFile(localOptionsFile(dataDir), JSON.stringify({ keepOwnCertificate: true, somethingElse: 3 }));
    await writeKeepOwnCertificate(dataDir, false);
    expect(JSON.parse(await readFile(localOptionsFile(dataDir), 'utf8'))).toEqual({
      keepOwnCertificate: false,
      somethingElse: 3,
    });
  });

  it('refuses to guess from a damaged file', async () => {
    const dataDir = await tempDir();
    await mkdir(path.dirname(localOptionsFile(dataDir)), { recursive: true });
    await writeFile(localOptionsFile(dataDir), '{ "keepOwnCertificate": "yes" ');
    await expect(readKeepOwnCertificate(dataDir)).rejects.toMatchObject({ code: 'DATA_DIR_UNUSABLE' });
  });
});

describe('member hosts', () => {
  it('takes URL hosts and names a certificate can carry, each once', () => {
    expect(urlHost('http://[fd00::7]:3000')).toBe('fd00::7');
    expect(urlHost('https://Node-1.Example.com:3000/x')).toBe('node-1.example.com');
    expect(urlHost('not a url')).toBeUndefined();
    expect(certificateHosts(['node-1', 'NODE-1', 'node 2', '10.0.0.1', undefined, '', '-bad', 'localhost', '::1'])).toEqual([
      'node-1',
      '10.0.0.1',
      'localhost',
      '::1',
    ]);
  });
});
