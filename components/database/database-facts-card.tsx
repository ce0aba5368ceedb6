'use client';

import type { TDatabaseFacts } from '@/lib/database/show-database';
import { formatBytes } from '@/lib/database/format-bytes';
import { useDatabase } from '@/lib/swr/use-database';
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { Fact } from '@/components/ui/fact';
import { ReplicationTable } from '@/components/database/replication-table';

function Latency({ heartbeat }: { heartbeat: TDatabaseFacts['heartbeat'] }) {
  if (heartbeat.samples === 0) return <>no heartbeats measured yet</>;
  return (
    <span title={`estimated from the ${heartbeat.source} over ${heartbeat.samples} heartbeats`}>
      p50 {heartbeat.p50Ms} ms · p99 {heartbeat.p99Ms} ms
    </span>
  );
}

/** Where the database is (never its password), what it runs, how full it is, and its replication. */
export function DatabaseFactsCard() {
  const { data: facts, error } = useDatabase();
  return (
    <Card title="Database in use" description={facts ? <code className="break-all">{facts.url}</code> : undefined}>
      {error && <Alert title="The database facts could not be read">{error.message}</Alert>}
      {!facts ? (
        !error && <p className="min-h-24 text-sm text-gray-500">Loading…</p>
      ) : (
        <div className="space-y-4">
          {!facts.reachable && <Alert title="This node cannot reach its database">{facts.error}</Alert>}
          <dl aria-label="Database facts" className="grid grid-cols-2 gap-4 md:grid-cols-4">
            <Fact label="Kind">{facts.kind}</Fact>
            <Fact label="Hosts">{facts.hosts.join(', ')}</Fact>
            <Fact label="Database">{facts.database}</Fact>
            <Fact label="User">{facts.user}</Fact>
            {facts.reachable && (
              <>
                <Fact label="Connected to">{facts.connectedHost}</Fact>
                <Fact label="Role">
                  <Badge tone={facts.role === 'primary' ? 'green' : 'amber'}>{facts.role}</Badge>
                </Fact>
                <Fact label="Version">PostgreSQL {facts.serverVersion}</Fact>
                <Fact label="Size">{formatBytes(facts.sizeBytes)}</Fact>
                <Fact label="Connections">
                  {facts.connections.inUse} in use of {facts.connections.max}
                </Fact>
                <Fact label="Identity">
                  timeline {facts.identity.timeline}
                  {facts.identity.failoversSeen !== null && ` · ${facts.identity.failoversSeen} failover(s) seen`}
                  <span className="block text-xs text-gray-500">system {facts.identity.systemId}</span>
                </Fact>
              </>
            )}
            <Fact label="Heartbeat latency">
              <Latency heartbeat={facts.heartbeat} />
            </Fact>
            <Fact label="Session attributes">
              target_session_attrs={facts.targetSessionAttrs} · sslmode={facts.sslMode}
            </Fact>
          </dl>
          {facts.reachable && <ReplicationTable replication={facts.replication} />}
        </div>
      )}
    </Card>
  );
}
