/**
 * `orchctl workflow run|show|list|import|resume`: start a run and print its id, show a run with
 * its status and events, list the workflows, import a definition file, resume a run that waits
 * for an operator after a failure.
 */
import { readFile } from 'node:fs/promises';
import type { TImportResult, TRunDetail, TRunSummary, TWorkflowSummary } from '@/lib/workflow/views';
import { callApi, CliError } from './api-client';
import { formatTable, type TNodeCommandOptions } from './cluster-view';

export type TWorkflowRunOptions = TNodeCommandOptions & { input?: string[]; json?: boolean; waitOnFailure?: boolean };
export type TWorkflowShowOptions = TNodeCommandOptions & { json?: boolean };

/** `--input k=v`, repeatable; the node converts v to the input's declared type. */
export function collectInput(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) throw new CliError(`--input takes name=value, not "${value}"`);
  return [...previous, value];
}

export async function startWorkflowRun(options: TWorkflowRunOptions, name: string): Promise<void> {
  const inputs = Object.fromEntries(
    (options.input ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  const run = await callApi<TRunSummary>(options.url, `/api/workflows/${encodeURIComponent(name)}/runs`, {
    user: options.user,
    password: options.password,
    method: 'POST',
    body: { inputs, ...(options.waitOnFailure ? { onFailure: 'wait' } : {}) },
  });
  if (options.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  else console.log(run.id);
}

/** `--set name=value`, repeatable. */
export function collectSet(value: string, previous: string[] = []): string[] {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(value)) throw new CliError(`--set takes name=value, not "${value}"`);
  return [...previous, value];
}

export type TWorkflowResumeOptions = TNodeCommandOptions & { set?: string[] };

/** `--set name=value`: the value is read as JSON when it is JSON (42, true, "x", {…}), else as text. */
function valueOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function resumeWorkflowRun(options: TWorkflowResumeOptions, id: string): Promise<void> {
  const variables = Object.fromEntries(
    (options.set ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), valueOf(pair.slice(pair.indexOf('=') + 1))]),
  );
  const run = await callApi<TRunDetail>(options.url, `/api/runs/${encodeURIComponent(id)}/resume`, {
    user: options.user,
    password: options.password,
    method: 'POST',
    body: { variables },
  });
  console.log(`run ${run.id} resumed at element ${run.elementId}; it is ${run.status}`);
}

export async function showWorkflowRun(options: TWorkflowShowOptions, id: string): Promise<void> {
  const run = await callApi<TRunDetail>(options.url, `/api/runs/${encodeURIComponent(id)}`, options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return;
  }
  console.log(`run ${run.id}: ${run.workflowName} v${run.workflowVersion}  ${run.status}`);
  console.log(
    `at element ${run.elementId} (attempt ${run.attempt})${run.ownerNodeName ? ` on ${run.ownerNodeName}, epoch ${run.ownerEpoch}` : ''}`,
  );
  if (run.error) console.log(`error: ${run.error}`);
  console.log(`variables: ${JSON.stringify(run.variables)}`);
  const rows = run.events.map((event) => [
    event.at.replace('T', ' ').replace(/Z$/, ''),
    event.kind,
    event.elementId ?? '-',
    event.attempt === null ? '-' : String(event.attempt),
    event.nodeName ?? '-',
    event.epoch === null ? '-' : String(event.epoch),
    event.message ?? '',
  ]);
  console.log(formatTable(['TIME (UTC)', 'EVENT', 'ELEMENT', 'ATTEMPT', 'NODE', 'EPOCH', 'MESSAGE'], rows));
}

export async function printWorkflows(options: TWorkflowShowOptions): Promise<void> {
  const workflows = await callApi<TWorkflowSummary[]>(options.url, '/api/workflows', options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(workflows, null, 2)}\n`);
    return;
  }
  if (workflows.length === 0) {
    console.log('no workflows');
    return;
  }
  const rows = workflows.map((workflow) => [
    workflow.name,
    String(workflow.version),
    workflow.inputs
      .map((input) => `${input.name}:${input.type}${input.default === undefined ? '' : `=${String(input.default)}`}`)
      .join(', ') || '-',
    String(workflow.elementCount),
  ]);
  console.log(formatTable(['NAME', 'VERSION', 'INPUTS', 'ELEMENTS'], rows));
}

export async function importWorkflowFile(options: TNodeCommandOptions, file: string): Promise<void> {
  let definition: unknown;
  try {
    definition = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) throw new CliError(`${file} is not valid JSON (${error.message})`);
    throw new CliError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const result = await callApi<TImportResult>(options.url, '/api/workflows', {
    user: options.user,
    password: options.password,
    method: 'POST',
    body: definition,
  });
  console.log(
    result.created
      ? `imported ${result.name} version ${result.version}`
      : `${result.name} version ${result.version} is the same; nothing changed`,
  );
}
