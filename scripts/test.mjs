#!/usr/bin/env node
// `npm test`: type check, lint, format check, unit tests, production build, integration tests (real PostgreSQL and
// real node processes), browser tests (real Chromium). Stops after the first phase with a failing step and ends
// with one "N passed, N failed" line over every test run. `node scripts/test.mjs integration` (npm run
// test:integration) runs only the build (when the sources changed) and the integration tests.
//
// Steps of one phase run side by side in lanes (2 cores: the checks are single-threaded, and most of an
// integration file's time is waiting on heartbeats and processes); each line of a lane carries its step's name.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const root = path.resolve(import.meta.dirname, '..');
const reports = mkdtempSync(path.join(os.tmpdir(), 'orch-test-reports-'));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' };
const bin = (name, ...rest) => path.join(root, 'node_modules', name, ...rest);

/** One vitest run of PROJECT, with a JSON report for the closing count. */
const vitest = (name, project) => [
  name,
  process.execPath,
  [
    bin('vitest', 'vitest.mjs'),
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${path.join(reports, `${project}.json`)}`,
  ],
];
const typeCheck = ['type check', process.execPath, [bin('typescript', 'bin', 'tsc'), '--noEmit', '-p', '.']];
const lint = ['lint', process.execPath, [bin('eslint', 'bin', 'eslint.js'), '.']];
// the code's layout is Prettier's (.prettierrc.json); `npm run format` rewrites it
const format = [
  'format check',
  process.execPath,
  [bin('prettier', 'bin', 'prettier.cjs'), '--check', '--log-level', 'warn', '.'],
];
const build = ['production build', process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'ensure-build.ts')]];
// vitest.config.ts: the independent files two at a time; the timing-sensitive ones two at a time among themselves
const integration = vitest('integration tests', 'integration');
const integrationTimed = vitest('timing-sensitive integration tests', 'integration-timed');
const browser = vitest('browser tests', 'e2e');

/** Phases one after the other; in a phase, lanes side by side; in a lane, steps one after the other. */
const phases =
  process.argv[2] === 'integration'
    ? [[[build]], [[integration]], [[integrationTimed]]]
    : [
        [[typeCheck, format], [lint], [vitest('unit tests', 'unit')]],
        [[build]],
        // the independent files two at a time, then the browser files two at a time; then the timing-sensitive ones two
        // at a time among themselves
        [[integration, browser]],
        [[integrationTimed]],
      ];

/** Runs one step; with LABEL, each of its lines is printed with the label in front. */
function run([name, command, args], label) {
  const started = Date.now();
  const say = (line) => process.stdout.write(label ? `[${label}] ${line}\n` : `${line}\n`);
  say(`=== ${name} ===`);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env,
      stdio: ['ignore', label ? 'pipe' : 'inherit', label ? 'pipe' : 'inherit'],
    });
    if (label) for (const stream of [child.stdout, child.stderr]) readline.createInterface({ input: stream }).on('line', say);
    child.on('close', (code) => {
      const ok = code === 0;
      say(`=== ${name}: ${ok ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
      resolve(ok ? undefined : name);
    });
  });
}

console.log(
  `node ${process.version} (supported: ${JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node})`,
);
const failedSteps = [];
for (const lanes of phases) {
  await Promise.all(
    lanes.map(async (lane) => {
      for (const step of lane) {
        const failedStep = await run(step, lanes.length > 1 ? step[0] : undefined);
        if (failedStep) return void failedSteps.push(failedStep);
      }
    }),
  );
  if (failedSteps.length > 0) break;
}

let passed = 0;
let failed = 0;
for (const file of readdirSync(reports)) {
  const report = JSON.parse(readFileSync(path.join(reports, file), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
}
if (failedSteps.length > 0) console.log(`\nfailed: ${failedSteps.join(', ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failedSteps.length > 0 || failed > 0 ? 1 : 0);
