/**
 * The way back in at the node's machine: `orchctl node reset-password --data-dir DIR` sets a new
 * root password in the node's own database (found from the data directory), even while sign-in
 * limits refuse root from everywhere an attacker guessed, and ends root's old sessions.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, ROOT_PASSWORD, runOrchctl, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { signIn } from '../helpers/session';

let node: NodeProcess;
const me = (auth: string) => fetch(`${node.url}/api/me`, { headers: { authorization: auth } }).then((r) => r.status);

beforeAll(async () => {
  // standalone: the node runs on the built-in database in its data directory
  node = await startNode();
});
afterAll(stopAllNodes);

describe('orchctl node reset-password', () => {
  it('lets root back in when guesses have locked it out, and ends its old sessions', async () => {
    const { cookie: oldSession } = await signIn(node.url, 'root', ROOT_PASSWORD);
    expect(oldSession).not.toBe('');
    for (let attempt = 0; attempt < 5; attempt += 1) expect(await me(basicAuth('root', `guess-${attempt}`))).toBe(401);
    expect(await me(basicAuth('root', ROOT_PASSWORD))).toBe(429);

    const reset = await runOrchctl(['node', 'reset-password', '--data-dir', node.dataDir], {
      ORCH_NEW_PASSWORD: 'back-in-again-1',
    });
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/New password set for root/);
    expect(reset.stdout + reset.stderr).not.toContain('back-in-again-1');

    expect(await me(basicAuth('root', 'back-in-again-1'))).toBe(200);
    const stale = await fetch(`${node.url}/api/me`, { headers: { cookie: oldSession } });
    expect(stale.status).toBe(401);
    // recorded in the audit log, without the password
    const audit = await fetch(`${node.url}/api/audit`, { headers: { authorization: basicAuth('root', 'back-in-again-1') } });
    const text = await audit.text();
    expect(text).toContain('orchctl node reset-password');
    expect(text).not.toContain('back-in-again-1');
  });

  it('reads the password from a file, and refuses bad input with a reason, changing nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-reset-'));
    const short = path.join(dir, 'short');
    await writeFile(short, 'short\n', { mode: 0o600 });
    const tooShort = await runOrchctl(['node', 'reset-password', '--data-dir', node.dataDir, '--password-file', short]);
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toMatch(/new password: password needs at least 8 characters/);

    const notANode = await runOrchctl(['node', 'reset-password', '--data-dir', dir], { ORCH_NEW_PASSWORD: 'whatever-password' });
    expect(notANode.code).toBe(1);
    expect(notANode.stderr).toMatch(/is not a node's data directory/);

    const noUser = await runOrchctl(['node', 'reset-password', '--data-dir', node.dataDir, '--user', 'nobody'], {
      ORCH_NEW_PASSWORD: 'whatever-password',
    });
    expect(noUser.code).toBe(1);
    expect(noUser.stderr).toMatch(/no user named "nobody"/);

    const noPassword = await runOrchctl(['node', 'reset-password', '--data-dir', node.dataDir]);
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(/ORCH_NEW_PASSWORD/);

    // nothing changed: the password set before still works
    expect(await me(basicAuth('root', 'back-in-again-1'))).toBe(200);

    const good = path.join(dir, 'good');
    await writeFile(good, 'from-a-file-pw-2\n', { mode: 0o600 });
    expect((await runOrchctl(['node', 'reset-password', '--data-dir', node.dataDir, '--password-file', good])).code).toBe(0);
    expect(await me(basicAuth('root', 'from-a-file-pw-2'))).toBe(200);
  });

  it('works on a stopped node, starting its built-in database for the moment', async () => {
    await node.stop();
    const reset = await runOrchctl(['node', 'reset-password', '--data-dir', node.dataDir], {
      ORCH_NEW_PASSWORD: 'while-stopped-3',
    });
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    node = await startNode({ dataDir: node.dataDir, port: node.port });
    expect(await me(basicAuth('root', 'while-stopped-3'))).toBe(200);
  });
});
