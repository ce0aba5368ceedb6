/**
 * The plugin package format (`.orchplugin`, docs/plugins.md): one JSON file holding a manifest
 * and the code of its actions. Pure: parsing reads nothing and runs nothing. The code is only
 * compiled, to refuse a package that could never load; actions run later, in a sandbox.
 */
import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';

export const PLUGIN_FORMAT = 'orch-plugin/1';
export const PLUGIN_FILE_EXTENSION = '.orchplugin';
/** measured in UTF-8 bytes of the package file */
export const PLUGIN_PACKAGE_MAX_BYTES = 1024 * 1024;
export const PLUGIN_INPUT_TYPES = ['string', 'number', 'boolean', 'json'] as const;

/** the name the compiler gives the code in its messages, to find the line of a syntax error */
const CODE_FILENAME = 'plugin-code';
const IDENTIFIER = /^[a-zA-Z][a-zA-Z0-9_]*$/;
const IDENTIFIER_RULE = 'must start with a letter and hold only letters, digits and _';

export const ZPluginName = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
    'must be kebab-case: lowercase letters and digits in words joined by single hyphens, starting with a letter (e.g. my-plugin)',
  );

export const ZPluginVersion = z.string().regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, 'must look like 1.2.3');

const ZIdentifier = z.string().max(64, 'must be at most 64 characters').regex(IDENTIFIER, IDENTIFIER_RULE);
const ZDescription = z.string().max(2_000, 'must be at most 2000 characters').default('');
export const ZPluginValueType = z.enum(PLUGIN_INPUT_TYPES);

export const ZPluginAction = z
  .object({
    name: ZIdentifier,
    description: ZDescription,
    /** input name → type; `{}` for an action without inputs */
    inputs: z.record(ZIdentifier, ZPluginValueType),
    output: ZPluginValueType,
  })
  .strict();
export type TPluginAction = z.infer<typeof ZPluginAction>;

export const ZPluginManifest = z
  .object({
    name: ZPluginName,
    version: ZPluginVersion,
    description: ZDescription,
    actions: z
      .array(ZPluginAction)
      .min(1, 'must declare at least one action')
      .superRefine((actions, ctx) => {
        const seen = new Set<string>();
        actions.forEach((action, index) => {
          if (seen.has(action.name))
            ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `action "${action.name}" is declared twice` });
          seen.add(action.name);
        });
      }),
  })
  .strict();
export type TPluginManifest = z.infer<typeof ZPluginManifest>;

/** The shape of a package. `parsePluginPackage` adds what a schema cannot see: size, JSON, the code. */
export const ZPluginPackage = z
  .object({
    format: z.literal(PLUGIN_FORMAT),
    manifest: ZPluginManifest,
    code: z.string().min(1, 'must not be empty'),
  })
  .strict();
export type TPluginPackage = z.infer<typeof ZPluginPackage>;

/** The package file's text, checked: throws AppError VALIDATION (or PAYLOAD_TOO_LARGE) naming the field. */
export function parsePluginPackage(text: string): TPluginPackage {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > PLUGIN_PACKAGE_MAX_BYTES) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `the package is ${bytes} bytes; a plugin package is at most ${PLUGIN_PACKAGE_MAX_BYTES} bytes (1 MiB)`,
      {
        field: 'package',
      },
    );
  }
  if (text.trim() === '') throw new AppError('VALIDATION', 'the package is empty', { field: 'package' });

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('VALIDATION', `the package is not valid JSON (${oneLine((error as Error).message)})`, {
      field: 'package',
    });
  }

  const parsed = ZPluginPackage.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('VALIDATION', describeIssue(issue), { field: fieldOf(issue.path) });
  }

  checkCode(parsed.data);
  return parsed.data;
}

/** SHA-256 (hex) of the package file exactly as installed: the identity of its content. */
export function packageSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Compiles the code without running it, and checks by its text that it assigns every declared
 * action. The text check is a guard against packaging mistakes, not a proof (a comment can
 * satisfy it): the sandbox that runs actions must still report an action the module lacks.
 */
function checkCode(pkg: TPluginPackage): void {
  try {
    new Script(pkg.code, { filename: CODE_FILENAME });
  } catch (error) {
    const line = new RegExp(`^${CODE_FILENAME}:(\\d+)`).exec((error as Error).stack ?? '')?.[1];
    throw new AppError(
      'VALIDATION',
      `the code does not parse: ${oneLine((error as Error).message)}${line ? ` (line ${line})` : ''}`,
      { field: 'code' },
    );
  }
  for (const action of pkg.manifest.actions) {
    // exports.NAME = … or module.exports.NAME = …, but not otherexports.NAME nor exports.NAME == …
    const assignment = new RegExp(`(?<![\\w$.])(?:module\\.)?exports\\.${action.name}\\s*=(?!=)`);
    if (!assignment.test(pkg.code)) {
      throw new AppError('VALIDATION', `action "${action.name}" is declared but the code never assigns exports.${action.name}`, {
        field: 'code',
      });
    }
  }
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}

function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'package' : path.map(String).join('.');
}

/** One sentence naming the field, from the first zod issue. Custom issues are full sentences already. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const field = fieldOf(issue.path);
  const subject = issue.path.length === 0 ? 'the package' : field;
  switch (issue.code) {
    case 'custom':
      return issue.message;
    case 'invalid_type':
      if (issue.input === undefined) return `${subject} is missing`;
      return `${subject} must be ${describeType(issue.expected)}`;
    case 'invalid_value': {
      const allowed = issue.values.map((value) => JSON.stringify(value)).join(', ');
      const given = typeof issue.input === 'string' && issue.input.length <= 40 ? `, not ${JSON.stringify(issue.input)}` : '';
      if (issue.input === undefined) return `${subject} is missing (it must be ${allowed})`;
      return issue.values.length === 1 ? `${subject} must be ${allowed}${given}` : `${subject} must be one of ${allowed}${given}`;
    }
    case 'unrecognized_keys':
      return `${subject} has ${issue.keys.length === 1 ? 'an unknown field' : 'unknown fields'} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
    case 'invalid_key': {
      const parent = fieldOf(issue.path.slice(0, -1));
      return `${parent} has the name ${JSON.stringify(String(issue.path.at(-1)))}, which ${issue.issues[0]?.message ?? 'is not allowed'}`;
    }
    default:
      return `${subject} ${issue.message}`;
  }
}

function describeType(expected: string): string {
  if (expected === 'record') return 'an object (a map of input name to type)';
  return `${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
}
