/** Debian's promtool (package `prometheus`), run by tests; a missing promtool fails the test and says why. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

export function requirePromtool(): void {
  if (!existsSync(PROMTOOL))
    throw new Error(
      `promtool is missing at ${PROMTOOL}: install Debian's "prometheus" package (.ci/run does) or set PROMTOOL_PATH`,
    );
}

export function runPromtool(args: string[], stdin?: string): Promise<{ code: number | null; output: string }> {
  requirePromtool();
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
    child.stdin.end(stdin ?? '');
  });
}
