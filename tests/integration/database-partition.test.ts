/**
 * A primary cut off rather than crashed: the agent's store on a multi-host URL whose first host
 * goes through a TCP proxy that drops every byte (connections hang, new ones connect and get
 * nothing, as on a network partition), while the standby is promoted. Every heartbeat settles
 * (answers or fails) instead of hanging on the dead link, the store moves to the new primary by
 * itself, and the heartbeat that reaches it sees the failover.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgClusterStore } from '@/lib/cluster/pg-store';
import type { THeartbeatResult } from '@/lib/cluster/store';
import { applyMigrations } from '@/lib/db/migrate';
import { seedCluster } from '../helpers/cluster';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replication';
import { pollUntil } from '../helpers/poll';
import { TcpProxy } from '../helpers/tcp-proxy';

describe('a partitioned primary (PostgreSQL 15 primary behind a proxy that cuts the link, standby promoted)', () => {
  let pair: ReplicaPair;
  let proxy: TcpProxy;
  let store: PgClusterStore;

  beforeAll(async () => {
    pair = await startReplicaPair({ synchronous: false });
    await pair.query(pair.primary, 'CREATE DATABASE orch');
    await applyMigrations(pair.url([pair.primary], 'orch'));
    await seedCluster(pair.singleUrl(pair.primary, 'orch'), { intervalMs: 1_000, failoverHeartbeats: 3 });
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: pair.primary.port });
    const url = `postgresql://postgres:${pair.password}@127.0.0.1:${proxy.port},127.0.0.1:${pair.standby.port}/orch?target_session_attrs=read-write&sslmode=disable`;
    store = new PgClusterStore(url, () => 1_000);
  }, 180_000);

  afterAll(async () => {
    await store?.close().catch(() => {});
    await proxy?.close();
    await pair?.stop();
  });

  it('settles every heartbeat while the link is cut, and follows the promoted standby', async () => {
    const id = randomUUID();
    await store.register({ id, name: 'partitioned', url: 'http://partitioned.invalid', version: 'test' });
    const beat = () => store.heartbeat({ nodeId: id, lease: null, skewMs: null, configuration: null });
    const first = await beat();
    expect(first.database).toMatchObject({ timeline: 1, failovers: 0 });
    // what the standby must hold when promoted: the registration and the remembered identity
    await pollUntil(
      async () => (await pair.query(pair.standby, `SELECT database_timeline AS t FROM cluster`, 'orch'))[0]?.t === 1,
      {
        what: 'the identity to replicate',
      },
    );

    proxy.cut();
    await pair.promote();

    // one heartbeat after another, as the agent sends them: each settles, none hangs on the cut link
    const failures: string[] = [];
    const moved = await pollUntil(
      async () => {
        const answer = await beat().then(
          (result): THeartbeatResult | undefined => result,
          (error: Error) => {
            failures.push(error.message);
            return undefined;
          },
        );
        return answer?.database.timeline === 2 ? answer : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'a heartbeat on the promoted standby' },
    );
    expect(moved.database).toMatchObject({ timeline: 2, failovers: 1 });
    expect(failures.every((message) => !message.includes(pair.password))).toBe(true);
    const events = await pair.query(pair.standby, `SELECT details FROM cluster_event WHERE kind = 'DATABASE_FAILOVER'`, 'orch');
    expect(events).toHaveLength(1);
    expect(events[0].details).toMatchObject({
      from: { timeline: 1 },
      to: { timeline: 2 },
      server: `127.0.0.1:${pair.standby.port}`,
    });
  });
});
