#!/usr/bin/env node
// `npm test`: type check, lint, format check, unit tests, production build, integration tests (real PostgreSQL and
// real node processes), browser tests (real Chromium). Stops at the first failing step and ends
// with one "N passed, N failed" line over every test run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const reports = mkdtempSync(path.join(os.tmpdir(), 'orch-test-reports-'));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' };
const bin = (name, ...rest) => path.join(root, 'node_modules', name, ...rest);

/** One vitest run over PROJECTS (in their sequence.groupOrder), its JSON report named after the first. */
const vitest = (...projects) => [
  process.execPath,
  [
    bin('vitest', 'vitest.mjs'),
    'run',
    ...projects.flatMap((project) => ['--project', project]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${path.join(reports, `${projects[0]}.json`)}`,
  ],
];
const steps = [
  ['type check', process.execPath, [bin('typescript', 'bin', 'tsc'), '--noEmit', '-p', '.']],
  ['lint', process.execPath, [bin('eslint', 'bin', 'eslint.js'), '.']],
  // the code's layout is Prettier's (.prettierrc.json); `npm run format` rewrites it
  ['format check', process.execPath, [bin('prettier', 'bin', 'prettier.cjs'), '--check', '--log-level', 'warn', '.']],
  ['unit tests', ...vitest('unit')],
  ['production build', process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'ensure-build.ts')]],
  // the independent files three at a time, then the timing-sensitive ones alone (vitest.config.ts)
  ['integration tests', ...vitest('integration', 'integration-serial')],
  ['browser tests', ...vitest('e2e')],
];

console.log(
  `node ${process.version} (supported: ${JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node})`,
);
let failedStep;
for (const [name, command, args] of steps) {
  const started = Date.now();
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  console.log(`=== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
  if (result.status !== 0) {
    failedStep = name;
    break;
  }
}

let passed = 0;
let failed = 0;
for (const project of ['unit', 'integration', 'e2e']) {
  const file = path.join(reports, `${project}.json`);
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
if (failedStep) console.log(`\nfailed step: ${failedStep}`);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failedStep || failed > 0 ? 1 : 0);
