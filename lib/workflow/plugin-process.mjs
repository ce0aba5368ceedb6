/**
 * One plugin action, in a node process of its own, started by lib/workflow/plugin-sandbox.ts.
 * Plain JavaScript, run by node directly (never compiled or bundled), so that it works the same
 * under the production server, tsx and vitest.
 *
 * The conversation is JSON text only: this process writes "R" when it is ready, reads one job
 * { code, filename, action, input } from stdin (input is the inputs as JSON text), writes one
 * answer { ok: "<the result as JSON text>" } or { error: "<why>" } to stdout and exits.
 *
 * The process is the boundary for time and memory (the host kills it; its heap is capped), and
 * node's permission model denies it the file system, child processes and workers. Inside, the
 * plugin's code runs in a node:vm context with no require, no process, no timers, no code
 * generation from strings, and no ArrayBuffer or typed arrays (their memory is outside the heap
 * limit).
 */
import { createContext, Script } from 'node:vm';

const MAX_OUTPUT_BYTES = Number(process.argv[2]);
const MAX_ERROR_CHARACTERS = 2_000;

const PRELUDE = new Script(`
  var module = { exports: {} };
  var exports = module.exports;
  for (const name of ['ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Atomics', 'WebAssembly', 'Int8Array', 'Uint8Array',
    'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float16Array', 'Float32Array',
    'Float64Array', 'BigInt64Array', 'BigUint64Array']) delete globalThis[name];
`);

// Runs in the plugin's realm: the result is turned into JSON text there, so that only strings
// leave it. A getter or toJSON that never ends keeps this process busy until the host kills it.
const CALL = new Script(`
  (function (action, input) {
    return Promise.resolve().then(function () {
      const fn = module.exports[action] ?? exports[action];
      if (typeof fn !== 'function') return { error: 'the plugin does not export the action ' + action };
      return Promise.resolve(fn(JSON.parse(input))).then(
        function (value) { return { ok: JSON.stringify(value === undefined ? null : value) }; },
        function (error) { return { error: String(error && error.message ? error.message : error) }; },
      );
    });
  })
`);

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

async function run(job) {
  const context = createContext(Object.create(null), {
    codeGeneration: { strings: false, wasm: false },
    name: `plugin ${job.filename}`,
  });
  PRELUDE.runInContext(context);
  new Script(job.code, { filename: job.filename }).runInContext(context);
  const answer = await CALL.runInContext(context)(job.action, job.input);
  const ok = answer?.ok;
  const error = answer?.error;
  if (typeof error === 'string') return { error: error.slice(0, MAX_ERROR_CHARACTERS) };
  if (typeof ok !== 'string') return { error: 'the result cannot be written as JSON' };
  const bytes = Buffer.byteLength(ok, 'utf8');
  if (bytes > MAX_OUTPUT_BYTES)
    return { error: `the result is ${bytes} bytes as JSON; an action's result is at most ${MAX_OUTPUT_BYTES} bytes` };
  return { ok };
}

function answer(reply) {
  process.stdout.write(JSON.stringify(reply), () => process.exit(0));
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  let job;
  try {
    job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    answer({ error: `the job is not JSON (${describe(error)})` });
    return;
  }
  run(job).then(answer, (error) => answer({ error: describe(error).slice(0, MAX_ERROR_CHARACTERS) }));
});
process.stdout.write('R');
