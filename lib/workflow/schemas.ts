/**
 * Workflow definitions (the JSON that is imported and exported) and the inputs of the workflow
 * API. A definition is a list of elements; execution starts at the first and goes to the next in
 * the list unless the element names another (`next`, a decision's `then`/`else`), and ends at an
 * `end` element or after the last one. Expressions are texts of the expression language
 * (lib/workflow/expression); checks a schema cannot make live in parse-definition.ts.
 */
import { z } from 'zod';

export const ELEMENT_TYPES = ['log', 'sleep', 'set', 'decision', 'lock', 'unlock', 'action', 'http', 'end'] as const;
export const INPUT_TYPES = ['string', 'number', 'boolean'] as const;
export const RUN_STATUSES = ['PENDING', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
export type TRunStatus = (typeof RUN_STATUSES)[number];
export const FINISHED_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const satisfies readonly TRunStatus[];

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['true', 'false']);

const ZIdentifier = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(IDENTIFIER, 'must start with a letter or _ and hold only letters, digits and _')
  .refine((name) => !RESERVED.has(name), 'true and false are reserved');

export const ZWorkflowName = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/,
    'must start with a letter or digit and hold only letters, digits, spaces, ".", "_" and "-"',
  );

const ZElementId = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'must hold only letters, digits, "_" and "-"');
const ZExpressionText = z.string().min(1, 'must not be empty').max(2_000, 'must be at most 2000 characters');
/** A number, or an expression that evaluates to one (e.g. "delay * 2"). */
const ZNumberOrExpression = z.union([z.number().finite().nonnegative(), ZExpressionText], {
  error: 'must be a number (0 or more) or an expression',
});

const base = {
  id: ZElementId,
  name: z.string().max(200, 'must be at most 200 characters').optional(),
  next: ZElementId.optional(),
};

export const ZLogElement = z
  .object({
    ...base,
    type: z.literal('log'),
    /** the server log (in the database, shown for the run on every node) or this node's system log file */
    target: z.enum(['server', 'system']),
    level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    message: ZExpressionText,
  })
  .strict();

export const ZSleepElement = z.object({ ...base, type: z.literal('sleep'), seconds: ZNumberOrExpression }).strict();

export const ZSetElement = z
  .object({ ...base, type: z.literal('set'), variable: ZIdentifier, expression: ZExpressionText })
  .strict();

export const ZDecisionElement = z
  .object({
    id: ZElementId,
    name: base.name,
    type: z.literal('decision'),
    condition: ZExpressionText,
    then: ZElementId,
    else: ZElementId,
  })
  .strict();

const ZResource = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
export const ZLockElement = z.object({ ...base, type: z.literal('lock'), resource: ZResource }).strict();
export const ZUnlockElement = z.object({ ...base, type: z.literal('unlock'), resource: ZResource }).strict();

export const ZActionElement = z
  .object({
    ...base,
    type: z.literal('action'),
    plugin: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
    action: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
    /** action input name → expression */
    inputs: z.record(ZIdentifier, ZExpressionText).default({}),
    /** the variable that receives the action's result */
    output: ZIdentifier.optional(),
  })
  .strict();

/**
 * A call to an HTTP(S) endpoint (lib/workflow/http-action.ts): URL, header values and body are
 * expressions; the answer's status must be one of `expectStatus` (default: any 2xx); `output`
 * receives { status, contentType, body } (body parsed when it is JSON).
 */
export const ZHttpElement = z
  .object({
    ...base,
    type: z.literal('http'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    url: ZExpressionText,
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'must be a header name'), ZExpressionText)
      .default({}),
    body: ZExpressionText.optional(),
    timeoutSeconds: z.number().positive('must be more than 0').max(300, 'must be at most 300').default(30),
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).max(50).optional(),
    output: ZIdentifier.optional(),
  })
  .strict();

export const ZEndElement = z.object({ id: ZElementId, name: base.name, type: z.literal('end') }).strict();

export const ZElement = z.discriminatedUnion('type', [
  ZLogElement,
  ZSleepElement,
  ZSetElement,
  ZDecisionElement,
  ZLockElement,
  ZUnlockElement,
  ZActionElement,
  ZHttpElement,
  ZEndElement,
]);
export type TElement = z.infer<typeof ZElement>;
export type TElementOf<K extends TElement['type']> = Extract<TElement, { type: K }>;

export const ZWorkflowInput = z.discriminatedUnion('type', [
  z
    .object({
      name: ZIdentifier,
      type: z.literal('string'),
      default: z.string().optional(),
      description: z.string().max(500).optional(),
    })
    .strict(),
  z
    .object({
      name: ZIdentifier,
      type: z.literal('number'),
      default: z.number().finite().optional(),
      description: z.string().max(500).optional(),
    })
    .strict(),
  z
    .object({
      name: ZIdentifier,
      type: z.literal('boolean'),
      default: z.boolean().optional(),
      description: z.string().max(500).optional(),
    })
    .strict(),
]);
export type TWorkflowInput = z.infer<typeof ZWorkflowInput>;

export const ZWorkflowDefinition = z
  .object({
    name: ZWorkflowName,
    description: z.string().max(2_000, 'must be at most 2000 characters').default(''),
    inputs: z.array(ZWorkflowInput).max(50, 'at most 50 inputs').default([]),
    elements: z.array(ZElement).min(1, 'must hold at least one element').max(500, 'at most 500 elements'),
    /** on a failure the run ends (default), or waits for an operator to edit its variables and resume it at the failed element */
    onFailure: z.enum(['end', 'wait']).optional(),
  })
  .strict();
export type TWorkflowDefinition = z.infer<typeof ZWorkflowDefinition>;

/** POST /api/workflows/[name]/runs: input values by name; strings are converted to the input's type (the CLI sends k=v). */
export const ZRunStart = z
  .object({
    inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** overrides the definition's onFailure for this run */
    onFailure: z.enum(['end', 'wait']).optional(),
  })
  .strict();
export type TRunStart = z.infer<typeof ZRunStart>;

export const ZRunQuery = z
  .object({
    status: z.enum(RUN_STATUSES).optional(),
    workflow: ZWorkflowName.optional(),
    node: z.string().uuid('node must be a node id').optional(),
    schedule: z.string().uuid('schedule must be a schedule id').optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** the last run of the previous page: the next page starts after it */
    before: z.string().uuid('before must be a run id').optional(),
  })
  .strict();
export type TRunQuery = z.infer<typeof ZRunQuery>;

export const ZRunId = z.object({ id: z.string().uuid('must be a run id') });
/** POST /api/runs/[id]/resume: variables to set (by name) before the run goes on at its failed element. */
export const ZRunResume = z.object({ variables: z.record(ZIdentifier, z.unknown()).default({}) }).strict();
export type TRunResume = z.infer<typeof ZRunResume>;
/** A workflow name in a route: percent-decoded here whether or not the framework already did (names hold no "%"). */
export const ZWorkflowNameParam = z.object({
  name: z
    .string()
    .transform((name) => decodeURIComponent(name))
    .pipe(ZWorkflowName),
});
/** POST /api/workflows takes any JSON: parseDefinition checks it and names the element and field. */
export const ZWorkflowImport = z.unknown();

export const ZSystemLogQuery = z.object({ lines: z.coerce.number().int().min(1).max(5_000).default(200) }).strict();
export type TSystemLogQuery = z.infer<typeof ZSystemLogQuery>;
