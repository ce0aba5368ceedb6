/**
 * A real OpenID provider for tests: the npm `oidc-provider` package, run as its own process on a
 * free loopback port (tests/helpers/oidc-provider-server.mjs), with one test client and accounts
 * that carry a groups claim.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findFreePort } from '@/lib/node/ports';
import { pollUntil } from './poll';

const SERVER = path.resolve(import.meta.dirname, 'oidc-provider-server.mjs');

export type TOidcProviderOptions = {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** login -> groups */
  accounts: Record<string, { groups: string[] }>;
};

export class OidcProvider {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => (this.output += String(chunk)));
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  log(): string {
    return this.output;
  }

  static async start(options: TOidcProviderOptions): Promise<OidcProvider> {
    const port = await findFreePort();
    const child = spawn(process.execPath, [SERVER], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test', ORCH_TEST_OIDC: JSON.stringify({ port, ...options }) },
    });
    const provider = new OidcProvider(child, port);
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`oidc-provider exited (${child.exitCode}): ${provider.output}`);
        return (await fetch(`${provider.issuer}/.well-known/openid-configuration`)).ok;
      },
      { timeoutMs: 20_000, what: 'the OpenID provider answering' },
    );
    return provider;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
