/**
 * Short-lived tokens one member presents to another to read its system log on a user's behalf:
 * `peer.<payload>.<signature>`, HMAC-SHA256 under a key derived from the cluster's shared secret
 * (every member has it; no database is needed to check one). A token names its purpose and the
 * one node it is for, and lives 30 s.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const PREFIX = 'peer.';
export const PEER_TOKEN_TTL_MS = 30_000;

/** what a token may be used for: reading a member's system log, preparing a database move */
export type TPeerPurpose = 'system-log' | 'database-move';
const ZPayload = z
  .object({ purpose: z.enum(['system-log', 'database-move']), from: z.string(), to: z.string(), exp: z.number() })
  .strict();
type TPayload = z.infer<typeof ZPayload>;

// a key of its own, so a peer token is never a valid session signature and the other way round
const keyOf = (sharedSecret: string) => createHmac('sha256', sharedSecret).update('orch peer token v1').digest();
const sign = (sharedSecret: string, payload: string) =>
  createHmac('sha256', keyOf(sharedSecret)).update(payload).digest('base64url');

export function issuePeerToken(
  sharedSecret: string,
  claims: { from: string; to: string; purpose?: TPeerPurpose },
  nowMs = Date.now(),
): string {
  const payload = Buffer.from(
    JSON.stringify({
      purpose: claims.purpose ?? 'system-log',
      from: claims.from,
      to: claims.to,
      exp: nowMs + PEER_TOKEN_TTL_MS,
    } satisfies TPayload),
  ).toString('base64url');
  return `${PREFIX}${payload}.${sign(sharedSecret, payload)}`;
}

export const isPeerToken = (token: string) => token.startsWith(PREFIX);

/** The claims, when the token is genuine, for this node and not expired; null otherwise. */
export function verifyPeerToken(
  sharedSecret: string,
  token: string,
  selfId: string,
  nowMs = Date.now(),
  purpose: TPeerPurpose = 'system-log',
): TPayload | null {
  if (!isPeerToken(token)) return null;
  const [payload, signature] = token.slice(PREFIX.length).split('.');
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(sharedSecret, payload));
  const presented = Buffer.from(signature);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return null;
  try {
    const claims = ZPayload.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    // expired, or issued further ahead than a token lives (a clock far off): refused
    if (claims.purpose !== purpose || claims.to !== selfId || claims.exp < nowMs || claims.exp > nowMs + 2 * PEER_TOKEN_TTL_MS)
      return null;
    return claims;
  } catch {
    return null;
  }
}
