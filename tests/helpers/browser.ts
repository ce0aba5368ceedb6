/** Debian's Chromium driven by playwright-core (never a downloaded browser). */
import { chromium, type Browser, type Page } from 'playwright-core';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export async function signInWithForm(page: Page, baseUrl: string, name: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * A page in a fresh browser context, signed in through the form and landed on the cluster page.
 * The context goes into CONTEXTS, if given, for the file's afterAll to close.
 */
export async function openSignedIn(
  browser: Browser,
  baseUrl: string,
  options: { user?: string; password: string; viewport?: { width: number; height: number }; contexts?: Awaited<ReturnType<Browser['newContext']>>[] },
): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  options.contexts?.push(context);
  const page = await context.newPage();
  await signInWithForm(page, baseUrl, options.user ?? 'root', options.password);
  await page.waitForURL(/\/cluster/);
  return page;
}
