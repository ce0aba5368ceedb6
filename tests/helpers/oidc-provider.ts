/**
 * A real OpenID provider for tests: the npm `oidc-provider` package, run as its own process on a
 * free loopback port (tests/helpers/oidc-provider-server.mjs), with one test client and accounts
 * that carry a groups claim. `setAccounts` changes the accounts while it runs; `pause` freezes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '@/lib/node/ports';
import { pollUntil } from './poll';

const SERVER = path.resolve(import.meta.dirname, 'oidc-provider-server.mjs');

export type TOidcProviderOptions = {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** login -> groups */
  accounts: TOidcAccounts;
};

export type TOidcAccounts = Record<string, { groups: string[] }>;

export class OidcProvider {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly accountsFile: string,
  ) {
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => (this.output += String(chunk)));
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  log(): string {
    return this.output;
  }

  /** The accounts from now on: the provider reads them at every sign-in and every refresh. */
  setAccounts(accounts: TOidcAccounts): void {
    writeFileSync(this.accountsFile, JSON.stringify(accounts));
  }

  static async start(options: TOidcProviderOptions): Promise<OidcProvider> {
    const port = await findFreePort();
    const { accounts, ...rest } = options;
    const accountsFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'orch-oidc-provider-')), 'accounts.json');
    writeFileSync(accountsFile, JSON.stringify(accounts));
    const child = spawn(process.execPath, [SERVER], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test', ORCH_TEST_OIDC: JSON.stringify({ port, accountsFile, ...rest }) },
    });
    const provider = new OidcProvider(child, port, accountsFile);
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`oidc-provider exited (${child.exitCode}): ${provider.output}`);
        return (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).ok;
      },
      { timeoutMs: 20_000, what: 'the OpenID provider answering' },
    );
    return provider;
  }

  /** Freezes the provider's process (SIGSTOP): it accepts connections but never answers, like a hung server. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    await exited;
  }
}
