/**
 * Checks an imported definition: its shape (zod), then what a schema cannot see — unique element
 * ids, jumps to elements that exist, expressions that parse. A refusal is one AppError VALIDATION
 * naming the element and the field, e.g. `element "wait" (elements.3), field "seconds": must not
 * be empty` with field `elements.3.seconds`.
 */
import type { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { parseExpression, secretsOf } from '@/lib/workflow/expression/parse';
import { ELEMENT_TYPES, ZWorkflowDefinition, type TElement, type TWorkflowDefinition } from '@/lib/workflow/schemas';

type TPath = (string | number)[];

function elementLabel(raw: unknown, index: number): string {
  const id = (raw as { elements?: { id?: unknown }[] })?.elements?.[index]?.id;
  return typeof id === 'string' && id !== '' ? `element "${id}" (elements.${index})` : `element ${index + 1} (elements.${index})`;
}

function refuse(raw: unknown, path: TPath, message: string): never {
  const field = path.join('.') || '(root)';
  if (path[0] === 'elements' && typeof path[1] === 'number') {
    const rest = path.slice(2).join('.');
    throw new AppError('VALIDATION', `${elementLabel(raw, path[1])}${rest ? `, field "${rest}"` : ''}: ${message}`, { field });
  }
  throw new AppError('VALIDATION', `field "${field}": ${message}`, { field });
}

function describeIssue(issue: z.core.$ZodIssue): { path: TPath; message: string } {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  if (issue.code === 'unrecognized_keys') return { path: [...path, issue.keys[0]], message: 'is not a known field' };
  return { path, message: issue.message };
}

/** The definition, checked; throws AppError VALIDATION naming the element and field. */
export function parseDefinition(raw: unknown): TWorkflowDefinition {
  const parsed = ZWorkflowDefinition.safeParse(raw);
  if (!parsed.success) {
    const { path, message } = describeIssue(parsed.error.issues[0]);
    // an element whose type is missing or unknown: say which types there are
    if (
      path[0] === 'elements' &&
      path.length <= 3 &&
      parsed.error.issues[0].code === 'invalid_union' &&
      (path.length === 2 || path[2] === 'type')
    ) {
      refuse(raw, [path[0], path[1], 'type'], `must be one of ${ELEMENT_TYPES.join(', ')}`);
    }
    refuse(raw, path, message);
  }
  const definition = parsed.data;

  const inputNames = new Set<string>();
  definition.inputs.forEach((input, index) => {
    if (inputNames.has(input.name)) refuse(raw, ['inputs', index, 'name'], `"${input.name}" is declared twice`);
    inputNames.add(input.name);
  });

  const ids = new Map<string, number>();
  definition.elements.forEach((element, index) => {
    if (ids.has(element.id))
      refuse(raw, ['elements', index, 'id'], `"${element.id}" is used by elements.${ids.get(element.id)} already`);
    ids.set(element.id, index);
  });

  definition.elements.forEach((element, index) => {
    for (const [field, target] of jumpsOf(element)) {
      if (!ids.has(target)) refuse(raw, ['elements', index, field], `names the element "${target}", which does not exist`);
    }
    for (const [field, text] of expressionsOf(element)) {
      let parsed;
      try {
        parsed = parseExpression(text);
      } catch (error) {
        refuse(raw, ['elements', index, ...field], `is not a valid expression: ${(error as Error).message}`);
      }
      // a secret's value must not reach variables, logs or events: only an HTTP call reads one
      if (element.type !== 'http' && secretsOf(parsed).size > 0) {
        refuse(
          raw,
          ['elements', index, ...field],
          'reads a secret: secret("name") can be used only in an http element\'s url, headers and body',
        );
      }
    }
  });
  return definition;
}

function jumpsOf(element: TElement): [string, string][] {
  if (element.type === 'decision')
    return [
      ['then', element.then],
      ['else', element.else],
    ];
  if (element.type === 'end') return [];
  return element.next ? [['next', element.next]] : [];
}

/** Every expression text of an element, with its field path inside the element. */
export function expressionsOf(element: TElement): [TPath, string][] {
  switch (element.type) {
    case 'log':
      return [[['message'], element.message]];
    case 'sleep':
      return typeof element.seconds === 'string' ? [[['seconds'], element.seconds]] : [];
    case 'set':
      return [[['expression'], element.expression]];
    case 'decision':
      return [[['condition'], element.condition]];
    case 'action':
      return Object.entries(element.inputs).map(([name, text]) => [['inputs', name], text]);
    case 'http':
      return [
        [['url'], element.url],
        ...Object.entries(element.headers).map(([name, text]): [TPath, string] => [['headers', name], text]),
        ...(element.body === undefined ? [] : [[['body'], element.body] as [TPath, string]]),
      ];
    default:
      return [];
  }
}
