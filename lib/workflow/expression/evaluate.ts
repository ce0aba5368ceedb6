/**
 * Evaluation of a parsed expression against a run's variables. Types are strict, so that a
 * definition's mistake shows as an error naming the operator, not as a silent JavaScript
 * coercion: + adds numbers or, when either side is a string, concatenates; arithmetic and
 * ordering need numbers (ordering also strings with strings); && || ! need booleans.
 */
import { ExpressionError } from '@/lib/workflow/expression/tokenize';
import { parseExpression, type TExpression } from '@/lib/workflow/expression/parse';
import { byteLength, describeBytes, MAX_STRING_BYTES } from '@/lib/workflow/limits';

export type TScalar = number | string | boolean;
/** A run's variables: scalars, plus whatever JSON a plugin action returned. */
export type TVariables = Record<string, unknown>;

/**
 * Where an HTTP element's evaluation finds the secrets it reads: a symbol key, which JSON never
 * writes, so a scope holding secrets cannot reach a checkpoint by mistake.
 */
export const SECRET_VALUES = Symbol('secret values');

/** The variables plus the secrets, for one evaluation. */
export function withSecrets(variables: TVariables, secrets: ReadonlyMap<string, string>): TVariables {
  return Object.assign({ [SECRET_VALUES]: secrets }, variables);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function text(value: TScalar): string {
  return typeof value === 'number' ? String(value) : String(value);
}

/**
 * `+` on strings, refused before a string over the cap is built: a UTF-16 code unit is at least
 * one UTF-8 byte, so lengths over the cap are refused without joining; otherwise the join is at
 * most three times the cap and is measured.
 */
function concatenate(left: string, right: string): string {
  const refuse = (size: string) =>
    new ExpressionError(
      `"+" would make a string of ${size}; a string value is at most ${describeBytes(MAX_STRING_BYTES)} (${MAX_STRING_BYTES} bytes)`,
    );
  if (left.length + right.length > MAX_STRING_BYTES) throw refuse(`${left.length + right.length} characters or more`);
  const joined = left + right;
  const bytes = byteLength(joined);
  if (bytes > MAX_STRING_BYTES) throw refuse(`${bytes} bytes`);
  return joined;
}

function scalar(value: unknown, name: string): TScalar {
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  throw new ExpressionError(`variable "${name}" holds a ${typeName(value)}, which expressions cannot use`);
}

function number(value: TScalar, operator: string): number {
  if (typeof value !== 'number') throw new ExpressionError(`"${operator}" needs numbers, not a ${typeof value}`);
  return value;
}

function boolean(value: TScalar, operator: string): boolean {
  if (typeof value !== 'boolean') throw new ExpressionError(`"${operator}" needs booleans, not a ${typeof value}`);
  return value;
}

function finite(value: number, operator: string): number {
  if (!Number.isFinite(value)) throw new ExpressionError(`"${operator}" gives no finite number (division by zero?)`);
  return value;
}

export function evaluate(expression: TExpression, variables: TVariables): TScalar {
  switch (expression.kind) {
    case 'literal':
      return expression.value;
    case 'secret': {
      const secrets = (variables as { [SECRET_VALUES]?: ReadonlyMap<string, string> })[SECRET_VALUES];
      if (!secrets)
        throw new ExpressionError(`secret("${expression.name}") can be read only by an http element (url, headers, body)`);
      const value = secrets.get(expression.name);
      if (value === undefined) throw new ExpressionError(`no secret is named "${expression.name}"`);
      return value;
    }
    case 'variable':
      if (!Object.hasOwn(variables, expression.name)) throw new ExpressionError(`unknown variable "${expression.name}"`);
      return scalar(variables[expression.name], expression.name);
    case 'unary': {
      const operand = evaluate(expression.operand, variables);
      return expression.operator === '!' ? !boolean(operand, '!') : -number(operand, '-');
    }
    case 'binary': {
      const { operator } = expression;
      // && and || short-circuit: the right side is only evaluated when it decides
      if (operator === '&&')
        return boolean(evaluate(expression.left, variables), '&&') && boolean(evaluate(expression.right, variables), '&&');
      if (operator === '||')
        return boolean(evaluate(expression.left, variables), '||') || boolean(evaluate(expression.right, variables), '||');
      const left = evaluate(expression.left, variables);
      const right = evaluate(expression.right, variables);
      switch (operator) {
        case '+':
          if (typeof left === 'string' || typeof right === 'string') return concatenate(text(left), text(right));
          return finite(number(left, '+') + number(right, '+'), '+');
        case '-':
          return finite(number(left, '-') - number(right, '-'), '-');
        case '*':
          return finite(number(left, '*') * number(right, '*'), '*');
        case '/':
          return finite(number(left, '/') / number(right, '/'), '/');
        case '%':
          return finite(number(left, '%') % number(right, '%'), '%');
        case '==':
          return left === right;
        case '!=':
          return left !== right;
        case '<':
        case '<=':
        case '>':
        case '>=':
          return compare(left, right, operator);
      }
    }
  }
}

function compare(left: TScalar, right: TScalar, operator: '<' | '<=' | '>' | '>='): boolean {
  const bothNumbers = typeof left === 'number' && typeof right === 'number';
  const bothStrings = typeof left === 'string' && typeof right === 'string';
  if (!bothNumbers && !bothStrings)
    throw new ExpressionError(`"${operator}" compares two numbers or two strings, not a ${typeof left} and a ${typeof right}`);
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

const cache = new Map<string, TExpression>();
const CACHE_LIMIT = 5_000;

/** Parses (once per distinct text) and evaluates: what the runner calls for every element. */
export function evaluateText(source: string, variables: TVariables): TScalar {
  let parsed = cache.get(source);
  if (!parsed) {
    parsed = parseExpression(source);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, parsed);
  }
  return evaluate(parsed, variables);
}
