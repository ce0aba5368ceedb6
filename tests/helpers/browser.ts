/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser). With a namespace
 * (tests/helpers/host-network.ts), the browser runs on that host: a two-line wrapper execs it
 * through `ip netns exec`, which keeps the pipes playwright drives it by.
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(options: { namespace?: string } = {}): Promise<Browser> {
  let executablePath = CHROMIUM;
  if (options.namespace) {
    executablePath = path.join(await mkdtemp(path.join(os.tmpdir(), 'orch-browser-')), 'chromium');
    await writeFile(executablePath, `#!/bin/sh\nexec ip netns exec '${options.namespace}' '${CHROMIUM}' "$@"\n`);
    await chmod(executablePath, 0o755);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function signInWithForm(page: Page, baseUrl: string, name: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click(); // not the OpenID button ("Sign in with …")
}

/**
 * A page in a fresh browser context, signed in through the form and landed on the cluster page.
 * The context goes into CONTEXTS, if given, for the file's afterAll to close.
 */
export async function openSignedIn(
  browser: Browser,
  baseUrl: string,
  options: {
    user?: string;
    password: string;
    viewport?: { width: number; height: number };
    contexts?: Awaited<ReturnType<Browser['newContext']>>[];
  },
): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  options.contexts?.push(context);
  const page = await context.newPage();
  await signInWithForm(page, baseUrl, options.user ?? 'root', options.password);
  await page.waitForURL(/\/cluster/);
  return page;
}
