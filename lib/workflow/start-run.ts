/**
 * Starts a run of a workflow's latest version: the inputs are checked against the declared ones
 * (strings are converted to the input's type, as the CLI sends k=v), defaults fill the rest, and
 * the run waits as PENDING until an active node claims it.
 */
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import type { TScalar } from '@/lib/workflow/expression/evaluate';
import { byteLength, describeBytes, MAX_STRING_BYTES, MAX_VARIABLES_BYTES } from '@/lib/workflow/limits';
import type { TRunStart, TWorkflowDefinition, TWorkflowInput } from '@/lib/workflow/schemas';
import { toRunSummary, type TRunSummary } from '@/lib/workflow/views';

function convert(input: TWorkflowInput, value: string | number | boolean): string | number | boolean {
  const field = `inputs.${input.name}`;
  if (input.type === 'string') {
    const text = String(value);
    const bytes = byteLength(text);
    if (bytes > MAX_STRING_BYTES)
      throw new AppError(
        'VALIDATION',
        `${field} is ${bytes} bytes; a string value is at most ${describeBytes(MAX_STRING_BYTES)} (${MAX_STRING_BYTES} bytes)`,
        { field },
      );
    // PostgreSQL cannot store it in the run's variables
    if (text.includes('\u0000')) throw new AppError('VALIDATION', `${field} must not contain the character U+0000`, { field });
    return text;
  }
  if (input.type === 'number') {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number))
      throw new AppError('VALIDATION', `${field} must be a number, not ${JSON.stringify(value)}`, { field });
    return number;
  }
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new AppError('VALIDATION', `${field} must be true or false, not ${JSON.stringify(value)}`, { field });
}

export function resolveInputs(definition: TWorkflowDefinition, given: TRunStart['inputs']): Record<string, TScalar> {
  const declared = new Map(definition.inputs.map((input) => [input.name, input]));
  for (const name of Object.keys(given)) {
    if (!declared.has(name))
      throw new AppError('VALIDATION', `inputs.${name}: the workflow has no input "${name}"`, { field: `inputs.${name}` });
  }
  const values: Record<string, TScalar> = {};
  for (const input of definition.inputs) {
    const value = given[input.name] ?? input.default;
    if (value === undefined)
      throw new AppError('VALIDATION', `inputs.${input.name} is required`, { field: `inputs.${input.name}` });
    values[input.name] = convert(input, value);
  }
  const bytes = byteLength(JSON.stringify(values));
  if (bytes > MAX_VARIABLES_BYTES) {
    throw new AppError(
      'VALIDATION',
      `inputs are ${bytes} bytes as JSON; a run's variables are at most ${describeBytes(MAX_VARIABLES_BYTES)} (${MAX_VARIABLES_BYTES} bytes)`,
      { field: 'inputs' },
    );
  }
  return values;
}

export async function startRun(db: TDb, name: string, body: TRunStart, actor: string): Promise<TRunSummary> {
  const latest = await db.workflowDefinition.findFirst({ where: { name }, orderBy: { version: 'desc' } });
  if (!latest) throw new AppError('NOT_FOUND', `no workflow is named "${name}"`);
  const definition = latest.definition as TWorkflowDefinition;
  const inputs = resolveInputs(definition, body.inputs);
  const run = await db.workflowRun.create({
    data: {
      workflowName: name,
      workflowVersion: latest.version,
      status: 'PENDING',
      inputs,
      variables: inputs,
      elementId: definition.elements[0].id,
      startedBy: actor,
      waitOnFailure: (body.onFailure ?? definition.onFailure) === 'wait',
      events: { create: { kind: 'CREATED', message: `started by ${actor}`, details: { inputs } } },
    },
  });
  return toRunSummary(run, new Map());
}
