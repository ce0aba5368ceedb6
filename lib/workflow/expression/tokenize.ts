/**
 * The tokenizer of the workflow expression language (set variable, decision, log messages,
 * sleep durations, plugin inputs). The language is small on purpose and never evaluated by
 * JavaScript: numbers, strings, booleans, variables, + - * / %, comparisons, && || !, parentheses.
 */
import { AppError } from '@/lib/api/app-error';

export type TToken =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'boolean'; value: boolean; at: number }
  | { kind: 'name'; value: string; at: number }
  | { kind: 'operator'; value: TOperator; at: number }
  | { kind: 'end'; at: number };

export const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')'] as const;
export type TOperator = (typeof OPERATORS)[number];

/** Long enough for any real condition; bounds the work of parsing a hostile definition. */
export const MAX_EXPRESSION_LENGTH = 2_000;

const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

export class ExpressionError extends AppError {
  constructor(message: string) {
    super('VALIDATION', message);
  }
}

export function tokenize(source: string): TToken[] {
  if (source.length > MAX_EXPRESSION_LENGTH)
    throw new ExpressionError(`an expression is at most ${MAX_EXPRESSION_LENGTH} characters`);
  const tokens: TToken[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      i += 1;
    } else if (DIGIT.test(char) || (char === '.' && DIGIT.test(source[i + 1] ?? ''))) {
      const start = i;
      while (i < source.length && DIGIT.test(source[i])) i += 1;
      if (source[i] === '.') {
        i += 1;
        while (i < source.length && DIGIT.test(source[i])) i += 1;
      }
      if (i < source.length && NAME_PART.test(source[i]))
        throw new ExpressionError(`unexpected "${source[i]}" after a number at position ${i + 1}`);
      tokens.push({ kind: 'number', value: Number(source.slice(start, i)), at: start });
    } else if (char === "'" || char === '"') {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= source.length) throw new ExpressionError(`a string that starts at position ${start + 1} is never closed`);
        const c = source[i];
        if (c === char) break;
        if (c === '\\') {
          const escaped = ESCAPES[source[i + 1] ?? ''];
          if (escaped === undefined) throw new ExpressionError(`unknown escape "\\${source[i + 1] ?? ''}" at position ${i + 1}`);
          value += escaped;
          i += 2;
        } else {
          value += c;
          i += 1;
        }
      }
      i += 1;
      tokens.push({ kind: 'string', value, at: start });
    } else if (NAME_START.test(char)) {
      const start = i;
      while (i < source.length && NAME_PART.test(source[i])) i += 1;
      const name = source.slice(start, i);
      if (name === 'true' || name === 'false') tokens.push({ kind: 'boolean', value: name === 'true', at: start });
      else tokens.push({ kind: 'name', value: name, at: start });
    } else {
      const operator = OPERATORS.find((op) => source.startsWith(op, i));
      if (!operator) throw new ExpressionError(`unexpected "${char}" at position ${i + 1}`);
      tokens.push({ kind: 'operator', value: operator, at: i });
      i += operator.length;
    }
  }
  tokens.push({ kind: 'end', at: source.length });
  return tokens;
}
