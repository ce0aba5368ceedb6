import { describe, expect, it } from 'vitest';
import { evaluate, evaluateText } from '@/lib/workflow/expression/evaluate';
import { parseExpression, variablesOf } from '@/lib/workflow/expression/parse';

const run = (source: string, variables: Record<string, unknown> = {}) => evaluateText(source, variables);

describe('the workflow expression language', () => {
  it('computes with numbers, precedence and parentheses', () => {
    expect(run('1 + 2 * 3')).toBe(7);
    expect(run('(1 + 2) * 3')).toBe(9);
    expect(run('10 - 4 - 3')).toBe(3);
    expect(run('7 % 3 + 8 / 4')).toBe(3);
    expect(run('-n + 1', { n: 5 })).toBe(-4);
    expect(run('.5 + 1.25')).toBe(1.75);
  });

  it('concatenates when either side of + is a string', () => {
    expect(run("'count ' + n", { n: 3 })).toBe('count 3');
    expect(run('"a" + true')).toBe('atrue');
    expect(run("'it\\'s ' + \"x\"")).toBe("it's x");
  });

  it('compares and combines booleans, short-circuiting && and ||', () => {
    expect(run('n <= count && !done', { n: 3, count: 3, done: false })).toBe(true);
    expect(run("'b' > 'a'")).toBe(true);
    expect(run('1 == 1 && 2 != 3')).toBe(true);
    expect(run("1 == '1'")).toBe(false);
    expect(run('false && missing')).toBe(false);
    expect(run('true || missing')).toBe(true);
  });

  it('refuses what it does not know instead of coercing', () => {
    expect(() => run('x + 1')).toThrow('unknown variable "x"');
    expect(() => run("1 - 'a'")).toThrow('"-" needs numbers');
    expect(() => run('1 && true')).toThrow('"&&" needs booleans');
    expect(() => run("1 < 'a'")).toThrow('compares two numbers or two strings');
    expect(() => run('1 / 0')).toThrow('no finite number');
    expect(() => run('o + 1', { o: { a: 1 } })).toThrow('holds a object');
  });

  it('reports syntax errors with their position', () => {
    expect(() => parseExpression('1 +')).toThrow('ends too early');
    expect(() => parseExpression('(1 + 2')).toThrow('expected ")"');
    expect(() => parseExpression('1 2')).toThrow('unexpected "2" at position 3');
    expect(() => parseExpression("'open")).toThrow('never closed');
    expect(() => parseExpression('a ; b')).toThrow('unexpected ";" at position 3');
    expect(() => parseExpression('')).toThrow('empty');
    expect(() => parseExpression('1abc')).toThrow('after a number');
  });

  it('is no door to JavaScript: no calls, members or globals', () => {
    expect(() => parseExpression('constructor.constructor("return process")()')).toThrow();
    expect(() => parseExpression('process.exit(1)')).toThrow('unexpected "."');
    expect(() => run('constructor', {})).toThrow('unknown variable "constructor"');
    expect(() => run('__proto__', {})).toThrow('unknown variable');
  });

  it('bounds nesting and length', () => {
    expect(() => parseExpression(`${'('.repeat(100)}1${')'.repeat(100)}`)).toThrow('nested more than');
    expect(() => parseExpression('!'.repeat(100) + 'true')).toThrow('nested more than');
    expect(() => parseExpression('1+'.repeat(1_100) + '1')).toThrow('at most 2000 characters');
  });

  it('lists the variables an expression reads', () => {
    expect([...variablesOf(parseExpression("a + b * (c - 'd') > e && !f"))].sort()).toEqual(['a', 'b', 'c', 'e', 'f']);
    expect(evaluate(parseExpression('a'), { a: true })).toBe(true);
  });
});
