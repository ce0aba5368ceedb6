/**
 * A real node's process log: JSON lines through pino with level, node and scope, no database
 * password; the logLevel server setting changes it at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database';
import { holdsFor, pollUntil } from '../helpers/poll';
import { startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { ROOT } from '../helpers/cluster';

let node: NodeProcess;
let databaseUrl: string;

type TLine = { level: string; node: string; scope: string; msg: string; time: string };
const jsonLines = () =>
  node
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as TLine);
const setLevel = async (logLevel: string) => {
  const response = await fetch(`${node.url}/api/config/settings`, {
    method: 'PUT',
    headers: { authorization: ROOT, 'content-type': 'application/json' },
    body: JSON.stringify({ logLevel }),
  });
  expect(response.status).toBe(200);
};

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  node = await startNode({ databaseUrl, name: 'logger' });
});
afterAll(stopAllNodes);

describe('process log', () => {
  it('is JSON lines with level, node and scope, and never the database password', async () => {
    await pollUntil(() => jsonLines().some((line) => line.scope === 'server' && line.msg.includes('serving')), {
      what: 'the server start line',
    });
    const lines = jsonLines();
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(line.node).toBe('logger');
      expect(typeof line.scope).toBe('string');
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
    }
    const password = decodeURIComponent(new URL(databaseUrl).password);
    if (password) expect(node.output()).not.toContain(password);
  });

  it('follows the logLevel server setting at once', async () => {
    const debugLines = () => jsonLines().filter((line) => line.level === 'debug' && line.scope === 'api').length;
    expect(debugLines()).toBe(0);
    await setLevel('debug');
    await fetch(`${node.url}/api/health`);
    const seen = await pollUntil(
      () => jsonLines().find((line) => line.level === 'debug' && line.msg.startsWith('GET /api/health 200')),
      {
        timeoutMs: 5_000,
        what: 'a debug line for the request',
      },
    );
    expect(seen.scope).toBe('api');
    await setLevel('info');
    const after = debugLines();
    for (let index = 0; index < 5; index += 1) await fetch(`${node.url}/api/health`);
    await holdsFor(() => debugLines() === after, 1_000, 'no more debug lines at level info');
  });
});
