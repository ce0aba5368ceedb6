import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLUSTER_KEY_FILE, ensureClusterKey, readClusterKey, writeClusterKey } from '@/lib/secrets/cluster-key';
import { openSecret, sealSecret } from '@/lib/secrets/secret-box';
import { maskSecrets, openSecrets } from '@/lib/secrets/secrets';
import { evaluateText, withSecrets } from '@/lib/workflow/expression/evaluate';
import { parseExpression, secretsOf } from '@/lib/workflow/expression/parse';

describe('sealing a secret (AES-256-GCM)', () => {
  const key = randomBytes(32);

  it('opens what it sealed, with a fresh IV each time, and never holds the value in clear', () => {
    const a = sealSecret(key, 'token', 'hunter2');
    const b = sealSecret(key, 'token', 'hunter2');
    expect(a).not.toBe(b);
    expect(a.includes('hunter2')).toBe(false);
    expect(openSecret(key, 'token', a)).toBe('hunter2');
  });

  it('refuses another key, another name, or a changed ciphertext', () => {
    const sealed = sealSecret(key, 'token', 'hunter2');
    expect(() => openSecret(randomBytes(32), 'token', sealed)).toThrow();
    expect(() => openSecret(key, 'other', sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x').toString('base64');
    expect(() => openSecret(key, 'token', parts.join('.'))).toThrow();
  });
});

describe('the cluster key in the data directory', () => {
  it('is made once, 0600, and a received one replaces it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'orch-key-'));
    try {
      expect(await readClusterKey(dataDir)).toBeNull();
      const made = await ensureClusterKey(dataDir);
      expect((await ensureClusterKey(dataDir)).id).toBe(made.id);
      expect((await stat(path.join(dataDir, CLUSTER_KEY_FILE))).mode & 0o777).toBe(0o600);
      const received = randomBytes(32).toString('base64');
      await writeClusterKey(dataDir, received);
      expect((await readClusterKey(dataDir))?.key.toString('base64')).toBe(received);
      // a secret sealed with another key names both keys, not a value
      const rows = [{ name: 'token', sealed: sealSecret(made.key, 'token', 'v'), keyId: made.id }];
      await expect(openSecrets(rows, ['token'], dataDir)).rejects.toThrow(
        `sealed with cluster key ${made.id}, which this node does not hold`,
      );
      await expect(openSecrets(rows, ['missing'], dataDir)).rejects.toThrow('no secret is named "missing"');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('secret("name") in expressions', () => {
  it('parses as a call with a string name, and reads only from a scope given the secrets', () => {
    expect([...secretsOf(parseExpression('"Bearer " + secret("api") + secret(\'other\')'))]).toEqual(['api', 'other']);
    expect(() => parseExpression('secret(name)')).toThrow("takes the secret's name as a string");
    expect(() => parseExpression('upper("x")')).toThrow('"upper" is not a function');
    expect(evaluateText('"Bearer " + secret("api")', withSecrets({}, new Map([['api', 'v1']])))).toBe('Bearer v1');
    expect(() => evaluateText('secret("api")', {})).toThrow('can be read only by an http element');
    expect(() => evaluateText('secret("nope")', withSecrets({}, new Map()))).toThrow('no secret is named "nope"');
    // the scope's secrets are under a symbol: JSON never writes them
    expect(JSON.stringify(withSecrets({ a: 1 }, new Map([['api', 'v1']])))).toBe('{"a":1}');
  });

  it('masks every occurrence of a value', () => {
    expect(maskSecrets('token=abc; again abc', ['abc', ''])).toBe('token=***; again ***');
  });
});
