/**
 * A member's facts as every reader takes them from the database (status page and API, operator
 * actions, rolling reset): one SQL text for the columns and the lease the member holds now, and
 * one mapping from that row to the facts deriveMemberState (node-state.ts) decides on. Ages and
 * leases are read on the database clock, in the reader's one statement.
 */
import { deriveMemberState, type TMemberFacts, type TMemberState } from '@/lib/cluster/node-state';
import type { TLivenessWindow } from '@/lib/cluster/settings';

/** The member's row is `n`; the lease it holds now (none: nulls) is `lease`, with `slot` and `epoch`. */
export const MEMBER_FACTS_FROM = `cluster_node n
  LEFT JOIN LATERAL (
    SELECT s.slot, s.epoch FROM active_slot s WHERE s.node_id = n.id AND s.lease_until > now() ORDER BY s.slot LIMIT 1
  ) lease ON true`;

/** The columns of TMemberFactsRow, for the select list of a query FROM MEMBER_FACTS_FROM. */
export const MEMBER_FACTS_COLUMNS = `n.id, n.name, n.maintenance, n.removed_at IS NOT NULL AS removed,
  (extract(epoch FROM now() - n.last_heartbeat_at) * 1000)::float8 AS age_ms,
  lease.slot IS NOT NULL AS holds_lease`;

export type TMemberFactsRow = {
  id: string;
  name: string;
  maintenance: boolean;
  removed: boolean;
  /** database time since the member's last heartbeat */
  age_ms: number;
  holds_lease: boolean;
};

function toMemberFacts(row: TMemberFactsRow): TMemberFacts {
  return {
    removed: row.removed,
    maintenance: row.maintenance,
    heartbeatAgeMs: row.age_ms,
    holdsValidLease: row.holds_lease,
  };
}

export function memberStateOf(row: TMemberFactsRow, window: TLivenessWindow): TMemberState {
  return deriveMemberState(toMemberFacts(row), window);
}
