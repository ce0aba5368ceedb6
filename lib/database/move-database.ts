/**
 * *Move the whole cluster* to new credentials or a new address of the same database (a password
 * rotation, a renamed host). Two phases:
 * 1. every live member tests the new URL itself (the coordinator asks each one with a peer
 *    token, lib/logs/peer-token.ts) and keeps it in its data directory as the URL to take at its
 *    next restart; when any member refuses or does not answer, every member drops it again and
 *    the move is refused naming that member: no node has switched;
 * 2. a rolling reset (lib/config/rollout.ts) restarts the nodes one at a time, an active node
 *    kept throughout, and each takes the new URL as it restarts (lib/node/supervisor.ts). Then no node has a connection
 *    opened with the old credentials.
 */
import type pg from 'pg';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { createDb, type TDb } from '@/lib/db/client';
import { driveRollout } from '@/lib/config/rollout';
import { logError, logInfo, logWarn } from '@/lib/node/log';
import { serverEnv } from '@/lib/env';
import { parseConnectionString, redactConnectionString } from '@/lib/db/connection-string';
import { primaryClient } from '@/lib/database/copy-database';
import { testDatabase } from '@/lib/database/test-database';
import { hidePassword } from '@/lib/database/use-database';
import { planRollout } from '@/lib/config/plan-rollout';
import { isLive, readRolloutFacts } from '@/lib/config/rollout-facts';
import {
  lockConfiguration,
  restoreActiveSlots,
  settleStalledRollouts,
  type TSettledRollouts,
} from '@/lib/config/settle-rollouts';
import { getFromMember } from '@/lib/logs/member-request';
import { issuePeerToken, verifyPeerToken, isPeerToken } from '@/lib/logs/peer-token';
import { removeStagedDatabaseUrl, writeStagedDatabaseUrl } from '@/lib/node/database-choice';
import type { TNodeRuntime } from '@/lib/node/runtime';

export const ZDatabaseMove = z
  .object({ url: z.string().min(1, 'give the new connection string of the cluster database').max(4096) })
  .strict();
export type TDatabaseMove = z.infer<typeof ZDatabaseMove>;

export const ZDatabaseMovePeer = z.object({ action: z.enum(['prepare', 'discard']), url: z.string().min(1).max(4096) }).strict();
export type TDatabaseMovePeer = z.infer<typeof ZDatabaseMovePeer>;

export type TDatabaseMoveStarted = { url: string; rolloutId: number; nodes: string[] };

const PEER_TIMEOUT_MS = 30_000;
const MAX_PEER_ANSWER_BYTES = 64 * 1024;

/**
 * What every member checks: the connection checks pass from this node, and the URL leads to
 * this very cluster's database (a move keeps the data where it is). Read through the new URL
 * only, with the cluster's identity as this node knows it: after a password rotation the old URL
 * opens no new connection, and a check that needed one would fail for that alone.
 */
export async function checkMoveTarget(runtime: TNodeRuntime, url: string): Promise<void> {
  const own = runtime.agent.status().clusterId;
  if (own === null) throw new AppError('CONFLICT', 'this node is not a member of a cluster');
  // members counted where the URL leads (the same database, if it is right): when it cannot be
  // read there, the checks below say why, or that it holds no cluster
  const nodeCount = await membersAt(url).catch(() => 1);
  const result = await testDatabase({ url, nodeCount });
  const failed = result.checks.find((check) => !check.ok);
  if (failed)
    throw new AppError('DATABASE_REFUSED', `${result.url}: ${failed.name} check failed: ${failed.detail}`, { field: 'url' });
  const held = await withClientAt(url, async (client) => {
    const { rows: tables } = await client.query<{ cluster: string | null }>(
      `SELECT to_regclass('public.cluster')::text AS cluster`,
    );
    if (tables[0].cluster === null) return undefined;
    const { rows } = await client.query<{ cluster_id: string }>('SELECT cluster_id::text FROM cluster WHERE id = 1');
    return rows[0]?.cluster_id;
  });
  if (held !== own) {
    throw new AppError(
      'DATABASE_REFUSED',
      `${result.url} does not hold this cluster (${held ? `it holds cluster ${held}` : 'it holds no cluster'}): a move keeps the same database; give the new address or credentials of the database the cluster uses now`,
      { field: 'url' },
    );
  }
}

async function membersAt(url: string): Promise<number> {
  return withClientAt(url, async (client) => {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM cluster_node WHERE removed_at IS NULL');
    return rows[0].n;
  });
}

async function withClientAt<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await primaryClient(url);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The coordinator: every member tests and keeps the URL, then the rolling reset switches them. */
export async function moveCluster(runtime: TNodeRuntime, request: TDatabaseMove, actor: string): Promise<TDatabaseMoveStarted> {
  if (runtime.standalone)
    throw new AppError('CONFLICT', 'this node runs on its built-in database: to choose an external one, use Use this database');
  const shown = redactConnectionString(parseConnectionString(request.url));
  await checkMoveTarget(runtime, request.url);
  // from here on the coordinator reads and writes through the new URL, which every check passed
  // (the same database): after a password rotation its own pool opens no new connection
  const db = createDb(request.url, { max: 3 });
  try {
    const started = await startMove(runtime, db, request, actor, shown);
    void driveOnNewUrl(runtime, db, started.rolloutId);
    return { url: shown, ...started };
  } catch (error) {
    await db.$disconnect().catch(() => {});
    throw error;
  }
}

async function startMove(
  runtime: TNodeRuntime,
  db: TDb,
  request: TDatabaseMove,
  actor: string,
  shown: string,
): Promise<{ rolloutId: number; nodes: string[] }> {
  const self = runtime.identity.id;
  const { members } = await readRolloutFacts(db);
  const others = members.filter((member) => isLive(member) && member.id !== self);
  const addresses = new Map(
    (
      await db.clusterNode.findMany({ where: { id: { in: others.map((member) => member.id) } }, select: { id: true, url: true } })
    ).map((row) => [row.id, row.url]),
  );

  const ask = (member: { id: string; name: string }, action: TDatabaseMovePeer['action']) =>
    askMember(runtime, { id: member.id, name: member.name, url: addresses.get(member.id) ?? '' }, { action, url: request.url });
  const answers = await Promise.all(
    others.map((member) =>
      ask(member, 'prepare').then(
        () => null,
        (error: unknown) => ({ member, error }),
      ),
    ),
  );
  const refusal = answers.find((answer) => answer !== null);
  if (refusal) {
    await Promise.all(others.map((member) => ask(member, 'discard').catch(() => undefined)));
    const reason = hidePassword(refusal.error instanceof Error ? refusal.error.message : String(refusal.error), request.url);
    throw new AppError('DATABASE_REFUSED', `${refusal.member.name} cannot use ${shown}: ${reason}; no node has switched`, {
      field: 'url',
    });
  }
  await writeStagedDatabaseUrl(runtime.dataDir, request.url);

  let restores: TSettledRollouts['restores'] = [];
  let started: { rolloutId: number; nodes: string[] };
  try {
    started = await db.$transaction(async (tx) => {
      await lockConfiguration(tx);
      const settled = await settleStalledRollouts(tx);
      restores = settled.restores;
      if (settled.alive[0] !== undefined)
        throw new AppError('CONFLICT', `rolling reset #${settled.alive[0]} is still running; wait for it to finish`);
      const reference = await tx.configVersion.findFirst({ orderBy: { version: 'desc' }, select: { version: true } });
      if (!reference)
        throw new AppError('CONFLICT', 'the cluster has no configuration version yet; push the configuration once first');
      const steps = (await planRollout(tx, self)).map((step) => ({ ...step, restartAlways: true }));
      const rollout = await tx.configRollout.create({
        data: {
          version: reference.version,
          startedBy: `${actor} (database move)`,
          coordinatorNode: self,
          status: 'RUNNING',
          steps,
        },
      });
      await tx.clusterEvent.create({
        data: {
          kind: 'ROLLOUT_STARTED',
          nodeId: self,
          actor,
          details: {
            version: reference.version,
            rollout: rollout.id,
            nodes: steps.length,
            purpose: 'database move',
            database: shown,
          },
        },
      });
      return { rolloutId: rollout.id, nodes: steps.map((step) => step.name) };
    });
  } catch (error) {
    await removeStagedDatabaseUrl(runtime.dataDir);
    await Promise.all(others.map((member) => ask(member, 'discard').catch(() => undefined)));
    throw error;
  }
  await restoreActiveSlots(db, restores);
  return started;
}

/**
 * The coordinator drives the rolling reset through the new URL (MOVED, which it then closes).
 * After its own restart, its configuration sync carries the reset on, on the new URL by then.
 */
async function driveOnNewUrl(runtime: TNodeRuntime, moved: TDb, rolloutId: number): Promise<void> {
  try {
    await driveRollout(
      {
        db: moved,
        nodeId: runtime.identity.id,
        requestRestart: runtime.requestRestart,
        log: (level, message) => LOG[level]('database', message),
      },
      rolloutId,
    );
  } catch (error) {
    logError('database', `database move: rolling reset #${rolloutId} interrupted`, error);
  } finally {
    await moved.$disconnect().catch(() => {});
  }
}

const LOG = { info: logInfo, warn: logWarn, error: (scope: string, message: string) => logError(scope, message) };

async function askMember(
  runtime: TNodeRuntime,
  member: { id: string; name: string; url: string },
  body: TDatabaseMovePeer,
): Promise<void> {
  const token = issuePeerToken(sharedSecret(), { from: runtime.identity.id, to: member.id, purpose: 'database-move' });
  let answer: { status: number; text: string };
  try {
    answer = await getFromMember(
      new URL('/api/database/move/peer', member.url),
      { authorization: `Bearer ${token}` },
      {
        dataDir: runtime.dataDir,
        timeoutMs: PEER_TIMEOUT_MS,
        maxBytes: MAX_PEER_ANSWER_BYTES,
        body,
      },
    );
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`it did not answer at ${member.url} (${cause})`);
  }
  if (answer.status === 200) return;
  const message = (parseJson(answer.text) as { error?: { message?: unknown } } | undefined)?.error?.message;
  throw new Error(typeof message === 'string' ? message.slice(0, 500) : `it answered HTTP ${answer.status}`);
}

/** A member's half, asked by the coordinator with a peer token: test and keep the URL, or drop it. */
export async function answerMovePeer(
  runtime: TNodeRuntime,
  authorization: string | null,
  body: TDatabaseMovePeer,
): Promise<{ ok: true }> {
  const bearer = /^bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  if (
    !bearer ||
    !isPeerToken(bearer) ||
    !verifyPeerToken(sharedSecret(), bearer, runtime.identity.id, Date.now(), 'database-move')
  ) {
    throw new AppError('UNAUTHENTICATED', 'a database move is asked by another member with a valid peer token');
  }
  if (body.action === 'discard') {
    await removeStagedDatabaseUrl(runtime.dataDir);
    return { ok: true };
  }
  await checkMoveTarget(runtime, body.url);
  await writeStagedDatabaseUrl(runtime.dataDir, body.url);
  return { ok: true };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// the cluster's shared secret, which every member has
const sharedSecret = () => serverEnv().NEXTAUTH_SECRET;
