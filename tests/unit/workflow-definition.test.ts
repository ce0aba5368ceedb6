import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '@/lib/api/app-error';
import { CLUSTER_TEST_WORKFLOW } from '@/lib/workflow/cluster-test-workflow';
import { timelineOf } from '@/lib/workflow/get-run';
import { parseDefinition } from '@/lib/workflow/parse-definition';
import { resolveInputs } from '@/lib/workflow/start-run';
import type { TRunEventView } from '@/lib/workflow/views';

function refusal(raw: unknown): { message: string; field?: string } {
  try {
    parseDefinition(raw);
  } catch (error) {
    if (isAppError(error, 'VALIDATION')) return { message: error.message, field: error.field };
    throw error;
  }
  throw new Error('the definition was accepted');
}

const valid = {
  name: 'Example',
  inputs: [{ name: 'who', type: 'string', default: 'world' }],
  elements: [
    { id: 'greet', type: 'log', target: 'server', message: "'hello ' + who" },
    { id: 'pause', type: 'sleep', seconds: 'delay * 2' },
    { id: 'ask', type: 'decision', condition: "who == 'world'", then: 'call', else: 'done' },
    { id: 'call', type: 'action', plugin: 'greeting', action: 'greet', inputs: { name: 'who' }, output: 'greeting' },
    { id: 'take', type: 'lock', resource: 'printer' },
    { id: 'give', type: 'unlock', resource: 'printer' },
    { id: 'done', type: 'end' },
  ],
};

describe('workflow definitions', () => {
  it('accepts every element type and fills defaults', () => {
    const definition = parseDefinition(valid);
    expect(definition.elements).toHaveLength(7);
    expect(definition.elements[0]).toMatchObject({ level: 'info' });
    expect(definition.description).toBe('');
  });

  it('names the element and the field of a refusal', () => {
    const withElement = (element: Record<string, unknown>) => ({ ...valid, elements: [valid.elements[0], element] });
    expect(refusal(withElement({ id: 'pause', type: 'sleep' }))).toEqual({
      message: 'element "pause" (elements.1), field "seconds": must be a number (0 or more) or an expression',
      field: 'elements.1.seconds',
    });
    expect(refusal(withElement({ id: 'x', type: 'teleport' }))).toMatchObject({
      field: 'elements.1.type',
      message: expect.stringContaining('element "x" (elements.1), field "type": must be one of log, sleep'),
    });
    expect(refusal(withElement({ id: 'x', type: 'set', variable: 'v', expression: '1 +' }))).toMatchObject({
      field: 'elements.1.expression',
      message: 'element "x" (elements.1), field "expression": is not a valid expression: the expression ends too early',
    });
    expect(refusal(withElement({ id: 'x', type: 'log', target: 'server', message: '1', colour: 'red' }))).toMatchObject({
      field: 'elements.1.colour',
    });
    expect(refusal(withElement({ id: 'x', type: 'decision', condition: 'true', then: 'greet', else: 'nowhere' }))).toMatchObject({
      field: 'elements.1.else',
      message: expect.stringContaining('names the element "nowhere", which does not exist'),
    });
    expect(refusal(withElement({ id: 'greet', type: 'end' }))).toMatchObject({ field: 'elements.1.id' });
    expect(refusal(withElement({ id: 'x', type: 'action', plugin: 'p', action: 'a', inputs: { n: '((' } }))).toMatchObject({
      field: 'elements.1.inputs.n',
    });
    expect(refusal(withElement({ id: 'x', type: 'set', variable: 'true', expression: '1' }))).toMatchObject({
      field: 'elements.1.variable',
    });
  });

  it('refuses bad inputs and names outside the elements', () => {
    expect(refusal({ ...valid, name: '' })).toMatchObject({ field: 'name' });
    expect(refusal({ ...valid, elements: [] })).toMatchObject({ field: 'elements' });
    expect(refusal({ ...valid, inputs: [{ name: 'n', type: 'number', default: 'ten' }] })).toMatchObject({
      field: 'inputs.0.default',
    });
    expect(
      refusal({
        ...valid,
        inputs: [
          { name: 'who', type: 'string' },
          { name: 'who', type: 'number' },
        ],
      }),
    ).toMatchObject({ field: 'inputs.1.name' });
  });

  it('converts and checks run inputs against the declared types', () => {
    const definition = parseDefinition({
      name: 'I',
      inputs: [
        { name: 'count', type: 'number', default: 60 },
        { name: 'loud', type: 'boolean' },
      ],
      elements: [{ id: 'e', type: 'end' }],
    });
    expect(resolveInputs(definition, { count: '8', loud: 'true' })).toEqual({ count: 8, loud: true });
    expect(resolveInputs(definition, { loud: false })).toEqual({ count: 60, loud: false });
    expect(() => resolveInputs(definition, {})).toThrow('inputs.loud is required');
    expect(() => resolveInputs(definition, { loud: true, count: 'many' })).toThrow('inputs.count must be a number');
    expect(() => resolveInputs(definition, { loud: true, colour: 'red' })).toThrow('no input "colour"');
  });

  it('ships the Cluster Test workflow, equal to its sample file', () => {
    expect(parseDefinition(CLUSTER_TEST_WORKFLOW)).toEqual(CLUSTER_TEST_WORKFLOW);
    const sample = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, '..', '..', 'samples', 'workflows', 'cluster-test.json'), 'utf8'),
    );
    expect(sample).toEqual(CLUSTER_TEST_WORKFLOW);
    expect(CLUSTER_TEST_WORKFLOW.inputs).toEqual([expect.objectContaining({ name: 'count', type: 'number', default: 60 })]);
  });
});

describe('a run timeline', () => {
  const event = (id: number, kind: string, elementId: string | null, extra: Partial<TRunEventView> = {}): TRunEventView => ({
    id,
    at: `2026-01-01T00:00:0${id}.000Z`,
    kind,
    elementId,
    attempt: 1,
    nodeId: 'a',
    nodeName: 'n1',
    epoch: 3,
    message: null,
    details: {},
    ...extra,
  });

  it('has one entry per element execution, ended by the next event that moves the run', () => {
    const timeline = timelineOf(
      [
        event(1, 'STARTED', null),
        event(2, 'ELEMENT', 'one'),
        event(3, 'ELEMENT', 'two'),
        event(4, 'RESUMED', 'two', { nodeName: 'n2', epoch: 4 }),
        event(5, 'ELEMENT', 'two', { attempt: 2, nodeName: 'n2', epoch: 4 }),
        event(6, 'COMPLETED', 'two'),
      ],
      null,
    );
    expect(
      timeline.map((entry) => [entry.elementId, entry.attempt, entry.nodeName, entry.epoch, entry.endedAt?.slice(17, 19)]),
    ).toEqual([
      ['one', 1, 'n1', 3, '03'],
      ['two', 1, 'n1', 3, '04'],
      ['two', 2, 'n2', 4, '06'],
    ]);
  });
});
