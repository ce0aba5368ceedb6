/**
 * A recursive-descent parser for the expression language. Precedence, lowest first:
 *   ||   &&   == !=   < <= > >=   + -   * / %   unary ! -   literals, variables, ( … )
 */
import { ExpressionError, tokenize, type TOperator, type TToken } from '@/lib/workflow/expression/tokenize';

export type TBinaryOperator = Exclude<TOperator, '!' | '(' | ')'>;

export type TExpression =
  | { kind: 'literal'; value: number | string | boolean }
  | { kind: 'variable'; name: string }
  | { kind: 'unary'; operator: '!' | '-'; operand: TExpression }
  | { kind: 'binary'; operator: TBinaryOperator; left: TExpression; right: TExpression }
  /** `secret("name")`: a cluster secret's value, known only while an HTTP element runs */
  | { kind: 'secret'; name: string };

/** Deep enough for any sensible expression, shallow enough never to overflow the stack. */
const MAX_DEPTH = 64;

const LEVELS: TBinaryOperator[][] = [['||'], ['&&'], ['==', '!='], ['<', '<=', '>', '>='], ['+', '-'], ['*', '/', '%']];

export function parseExpression(source: string): TExpression {
  const tokens = tokenize(source);
  let position = 0;
  let depth = 0;

  const peek = (): TToken => tokens[position];
  const isOperator = (token: TToken, ...values: TOperator[]) => token.kind === 'operator' && values.includes(token.value);
  const describe = (token: TToken) =>
    token.kind === 'end' ? 'the end' : `"${'value' in token ? String(token.value) : ''}" at position ${token.at + 1}`;

  function deeper<T>(parse: () => T): T {
    depth += 1;
    if (depth > MAX_DEPTH) throw new ExpressionError(`the expression is nested more than ${MAX_DEPTH} levels deep`);
    try {
      return parse();
    } finally {
      depth -= 1;
    }
  }

  function binary(level: number): TExpression {
    if (level === LEVELS.length) return unary();
    let left = binary(level + 1);
    while (isOperator(peek(), ...LEVELS[level])) {
      const operator = (tokens[position++] as { value: TBinaryOperator }).value;
      const right = binary(level + 1);
      left = { kind: 'binary', operator, left, right };
    }
    return left;
  }

  function unary(): TExpression {
    const token = peek();
    if (isOperator(token, '!', '-')) {
      position += 1;
      return deeper(() => ({ kind: 'unary', operator: (token as { value: '!' | '-' }).value, operand: unary() }));
    }
    return primary();
  }

  function primary(): TExpression {
    const token = tokens[position++];
    switch (token.kind) {
      case 'number':
      case 'string':
      case 'boolean':
        return { kind: 'literal', value: token.value };
      case 'name': {
        if (!isOperator(peek(), '(')) return { kind: 'variable', name: token.value };
        if (token.value !== 'secret')
          throw new ExpressionError(`"${token.value}" is not a function (the one function is secret("name"))`);
        position += 1;
        const name = tokens[position++];
        if (name.kind !== 'string')
          throw new ExpressionError(`secret( takes the secret's name as a string, not ${describe(name)}`);
        const close = tokens[position++];
        if (!isOperator(close, ')')) throw new ExpressionError(`expected ")" but found ${describe(close)}`);
        return { kind: 'secret', name: name.value };
      }
      case 'operator':
        if (token.value === '(') {
          const inner = deeper(() => binary(0));
          const close = tokens[position++];
          if (!isOperator(close, ')')) throw new ExpressionError(`expected ")" but found ${describe(close)}`);
          return inner;
        }
        throw new ExpressionError(`unexpected ${describe(token)}`);
      case 'end':
        throw new ExpressionError(token.at === 0 ? 'the expression is empty' : 'the expression ends too early');
    }
  }

  const expression = binary(0);
  if (peek().kind !== 'end') throw new ExpressionError(`unexpected ${describe(peek())}`);
  return expression;
}

/** The secrets an expression reads (`secret("name")`). */
export function secretsOf(expression: TExpression, into = new Set<string>()): Set<string> {
  if (expression.kind === 'secret') into.add(expression.name);
  if (expression.kind === 'unary') secretsOf(expression.operand, into);
  if (expression.kind === 'binary') {
    secretsOf(expression.left, into);
    secretsOf(expression.right, into);
  }
  return into;
}

/** The variables an expression reads, e.g. to check a definition. */
export function variablesOf(expression: TExpression, into = new Set<string>()): Set<string> {
  if (expression.kind === 'variable') into.add(expression.name);
  if (expression.kind === 'unary') variablesOf(expression.operand, into);
  if (expression.kind === 'binary') {
    variablesOf(expression.left, into);
    variablesOf(expression.right, into);
  }
  return into;
}
