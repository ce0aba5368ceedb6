/**
 * GET /api/logs/system?lines=&node=: the end of a member's system log. Without `node` (or with
 * this node's id) it is this node's file. For another member this node asks that member through
 * its advertised address, with a peer token (lib/logs/peer-token.ts), and says so when it does
 * not answer. A member answers a peer token without its database.
 */
import { statfs } from 'node:fs/promises';
import type { NextRequest } from 'next/server';
import { z } from 'zod';
import { AppError } from '@/lib/api/app-error';
import { authenticateRequest } from '@/lib/auth/authenticate-request';
import { hasRole } from '@/lib/auth/roles';
import { db } from '@/lib/db/client';
import { serverEnv } from '@/lib/env';
import { issuePeerToken, isPeerToken, verifyPeerToken } from '@/lib/logs/peer-token';
import { getFromMember } from '@/lib/logs/member-request';
import { nodeRuntime } from '@/lib/node/runtime';
import { readSystemLog, type TSystemLogView } from '@/lib/workflow/read-system-log';

export const ZMemberSystemLogQuery = z
  .object({
    lines: z.coerce.number().int().min(1).max(5_000).default(200),
    node: z.string().uuid('node must be a node id').optional(),
  })
  .strict();
export type TMemberSystemLogQuery = z.infer<typeof ZMemberSystemLogQuery>;

/** the free space of the member's data directory comes with its log: validation reads it from every member */
export type TMemberDisk = { dataDir: string; freeBytes: number };
export type TMemberSystemLog = TSystemLogView & { node: { id: string; name: string }; disk?: TMemberDisk };

export async function dataDirDisk(dataDir: string): Promise<TMemberDisk> {
  const stats = await statfs(dataDir);
  return { dataDir, freeBytes: Number(stats.bavail) * Number(stats.bsize) };
}

const PEER_TIMEOUT_MS = 4_000;
const MAX_PEER_RESPONSE_BYTES = 8 * 1024 * 1024;

export async function serveSystemLog(req: NextRequest, query: TMemberSystemLogQuery): Promise<TMemberSystemLog> {
  const runtime = nodeRuntime();
  const self = { id: runtime.identity.id, name: runtime.identity.name };
  const bearer = /^bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '')?.[1]?.trim();
  if (bearer && isPeerToken(bearer)) {
    if (!verifyPeerToken(serverEnv().NEXTAUTH_SECRET, bearer, self.id))
      throw new AppError('UNAUTHENTICATED', 'the peer token is not valid here or has expired');
    return {
      ...(await readSystemLog(runtime.dataDir, { lines: query.lines })),
      node: self,
      disk: await dataDirDisk(runtime.dataDir),
    };
  }
  const user = await authenticateRequest(req);
  if (!user) throw new AppError('UNAUTHENTICATED', 'sign in or send an API token');
  if (!hasRole(user, 'viewer')) throw new AppError('FORBIDDEN', 'this needs the viewer role');
  if (!query.node || query.node === self.id)
    return { ...(await readSystemLog(runtime.dataDir, { lines: query.lines })), node: self };
  return readMemberLog(self.id, query.node, query.lines);
}

export async function readMemberLog(selfId: string, nodeId: string, lines: number): Promise<TMemberSystemLog> {
  const member = await db().clusterNode.findUnique({
    where: { id: nodeId },
    select: { id: true, name: true, url: true, removedAt: true },
  });
  if (!member || member.removedAt) throw new AppError('NOT_FOUND', 'no such member in this cluster', { field: 'node' });
  const token = issuePeerToken(serverEnv().NEXTAUTH_SECRET, { from: selfId, to: member.id });
  let answer: { status: number; text: string };
  try {
    answer = await getFromMember(
      new URL(`/api/logs/system?lines=${lines}`, member.url),
      { authorization: `Bearer ${token}` },
      {
        dataDir: nodeRuntime().dataDir,
        timeoutMs: PEER_TIMEOUT_MS,
        maxBytes: MAX_PEER_RESPONSE_BYTES,
      },
    );
  } catch (error) {
    const cause =
      (error as { cause?: { code?: string } }).cause?.code ??
      (error as { code?: string }).code ??
      ((error as Error).name === 'TimeoutError' ? `no answer within ${PEER_TIMEOUT_MS / 1000} s` : (error as Error).message);
    throw new AppError('MEMBER_UNREACHABLE', `${member.name} did not answer at ${member.url} (${cause}): it may be down`);
  }
  if (answer.status !== 200)
    throw new AppError('MEMBER_UNREACHABLE', `${member.name} refused to give its log (HTTP ${answer.status})`);
  // what another member sends is checked like any other input
  const parsed = ZPeerAnswer.safeParse(parseJson(answer.text));
  if (!parsed.success)
    throw new AppError('MEMBER_UNREACHABLE', `${member.name} answered with something that is not a system log`);
  const body = parsed.data;
  return {
    file: body.file,
    lines: body.lines,
    node: { id: member.id, name: member.name },
    ...(body.disk ? { disk: body.disk } : {}),
  };
}

const ZPeerAnswer = z.object({
  file: z.string().max(200),
  lines: z
    .array(z.object({ time: z.string(), level: z.string(), runId: z.string().nullable(), message: z.string() }).passthrough())
    .max(5_000),
  disk: z
    .object({ dataDir: z.string().max(4_096), freeBytes: z.number().nonnegative() })
    .strict()
    .optional(),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
