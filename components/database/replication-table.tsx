import type { TDatabaseFacts } from '@/lib/database/show-database';
import { Table, Td, Th, WideRow } from '@/components/ui/table';

type TReplication = Extract<TDatabaseFacts, { reachable: true }>['replication'];

/** The standbys streaming from this primary (pg_stat_replication), or where a standby receives from. */
export function ReplicationTable({ replication }: { replication: TReplication }) {
  if (replication.receivingFrom)
    return (
      <p className="text-sm text-gray-700">Replication: this server is a standby receiving from {replication.receivingFrom}.</p>
    );
  if (!replication.visible)
    return (
      <p className="text-sm text-gray-700">Replication is not visible to this database user (it needs pg_read_all_stats).</p>
    );
  return (
    <Table caption="Standbys">
      <thead>
        <tr>
          <Th>Standby</Th>
          <Th>Address</Th>
          <Th>State</Th>
          <Th>Sync</Th>
          <Th>Replay lag</Th>
        </tr>
      </thead>
      <tbody>
        {replication.standbys.length === 0 ? (
          <WideRow columns={5}>No standby is connected.</WideRow>
        ) : (
          replication.standbys.map((standby) => (
            <tr key={`${standby.name}-${standby.address}`}>
              <Td>{standby.name}</Td>
              <Td>{standby.address ?? 'local'}</Td>
              <Td>{standby.state}</Td>
              <Td>{standby.syncState}</Td>
              <Td>
                {standby.replayLagBytes === null ? '—' : `${standby.replayLagBytes} bytes`}
                {standby.replayLagSeconds !== null && ` · ${standby.replayLagSeconds.toFixed(3)} s`}
              </Td>
            </tr>
          ))
        )}
      </tbody>
    </Table>
  );
}
