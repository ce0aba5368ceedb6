/** Peer tokens name their purpose: one issued for a database move is no system-log token, and the other way round. */
import { describe, expect, it } from 'vitest';
import { issuePeerToken, PEER_TOKEN_TTL_MS, verifyPeerToken } from '@/lib/logs/peer-token';

const SECRET = 'a-shared-secret-of-the-cluster';
const NOW = 1_800_000_000_000;

describe('peer tokens', () => {
  it('are valid for their purpose, their node and their lifetime only', () => {
    const move = issuePeerToken(SECRET, { from: 'a', to: 'b', purpose: 'database-move' }, NOW);
    expect(verifyPeerToken(SECRET, move, 'b', NOW, 'database-move')).toMatchObject({
      purpose: 'database-move',
      from: 'a',
      to: 'b',
    });
    expect(verifyPeerToken(SECRET, move, 'b', NOW)).toBeNull();
    expect(verifyPeerToken(SECRET, move, 'c', NOW, 'database-move')).toBeNull();
    expect(verifyPeerToken(SECRET, move, 'b', NOW + PEER_TOKEN_TTL_MS + 1, 'database-move')).toBeNull();
    expect(verifyPeerToken('another-secret', move, 'b', NOW, 'database-move')).toBeNull();

    const log = issuePeerToken(SECRET, { from: 'a', to: 'b' }, NOW);
    expect(verifyPeerToken(SECRET, log, 'b', NOW)).toMatchObject({ purpose: 'system-log' });
    expect(verifyPeerToken(SECRET, log, 'b', NOW, 'database-move')).toBeNull();
  });
});
