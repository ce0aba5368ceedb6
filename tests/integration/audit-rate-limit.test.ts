/**
 * Nobody can fill the audit log without signing in: entries of unauthenticated callers are
 * limited per client address and minute (counted in the database), with one summary entry when
 * an address goes over; signed-in callers are recorded in full.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNAUTHENTICATED_AUDIT_PER_MINUTE } from '@/lib/audit/record-audit';
import { createTestDatabase, withClient } from '../helpers/database';
import { basicAuth, ROOT_PASSWORD, startNode, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { pollUntil } from '../helpers/poll';

let node: NodeProcess;
let databaseUrl: string;

/** A POST from a chosen local address (the node sees it as the client address). */
function postFrom(from: string, path: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${node.url}${path}`,
      { method: 'POST', localAddress: from, agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function inBatches(count: number, send: () => Promise<number>): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += 10)
    statuses.push(...(await Promise.all(Array.from({ length: Math.min(10, count - sent) }, send))));
  return statuses;
}

type TBucket = { minute: string; entries: number; summaries: number };
const bucketsOf = (address: string) =>
  withClient(
    databaseUrl,
    async (c) =>
      (
        await c.query<TBucket>(
          `SELECT date_trunc('minute', at)::text AS minute, count(*)::int AS entries, count(*) FILTER (WHERE error_code = 'AUDIT_RATE_LIMITED')::int AS summaries
           FROM audit_entry WHERE address = $1 GROUP BY 1 ORDER BY 1`,
          [address],
        )
      ).rows,
  );

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  node = await startNode({ databaseUrl });
});
afterAll(stopAllNodes);

describe('audit entries of unauthenticated callers', () => {
  it('are limited per address and minute, with one summary entry when an address goes over', async () => {
    const limit = UNAUTHENTICATED_AUDIT_PER_MINUTE;
    const requests = 100;
    // a public write (a join request) with a body the node refuses: recorded, unauthenticated
    const statuses = await inBatches(requests, () => postFrom('127.0.0.50', '/api/cluster/join-bundle', '{"nonsense":true}'));
    expect(statuses.every((status) => status === 400)).toBe(true);
    // entries are written after the response: wait until the counts settle at the expected shape
    const buckets = await pollUntil(
      async () => {
        const rows = await bucketsOf('127.0.0.50');
        const counted = await withClient(databaseUrl, (c) =>
          c.query<{ n: number }>(`SELECT coalesce(sum(entries), 0)::int AS n FROM audit_throttle WHERE address = '127.0.0.50'`),
        );
        return counted.rows[0].n === requests ? rows : undefined;
      },
      { what: 'every request to be counted' },
    );
    console.log(
      `${requests} unauthenticated writes from one address → ${buckets.reduce((sum, b) => sum + b.entries, 0)} audit rows ${JSON.stringify(buckets)}`,
    );
    for (const bucket of buckets) expect(bucket.entries).toBeLessThanOrEqual(limit + 1);
    // 100 requests in at most two minutes: at least one minute went over, and says so once
    expect(buckets.some((bucket) => bucket.summaries === 1 && bucket.entries === limit + 1)).toBe(true);
    expect(buckets.every((bucket) => bucket.summaries <= 1)).toBe(true);
    // another address is not affected by the first one's flood
    expect(await postFrom('127.0.0.51', '/api/cluster/join-bundle', '{"nonsense":true}')).toBe(400);
    await pollUntil(async () => (await bucketsOf('127.0.0.51')).length === 1, { what: "the other address's entry" });
  });

  it('do not limit signed-in callers from the same address', async () => {
    const created = await fetch(`${node.url}/api/tokens`, {
      method: 'POST',
      headers: { authorization: basicAuth('root', ROOT_PASSWORD), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'auditing' }),
    });
    const { token } = (await created.json()) as { token: string };
    const writes = UNAUTHENTICATED_AUDIT_PER_MINUTE + 10;
    await inBatches(writes, () => postFrom('127.0.0.50', '/api/tokens', '{}', { authorization: `Bearer ${token}` }));
    await pollUntil(
      () =>
        withClient(databaseUrl, async (c) => {
          const rows = await c.query(
            `SELECT 1 FROM audit_entry WHERE address = '127.0.0.50' AND actor = 'root' AND path = '/api/tokens' AND status = 400`,
          );
          return rows.rowCount === writes;
        }),
      { what: `all ${writes} signed-in writes to be recorded` },
    );
  });
});
