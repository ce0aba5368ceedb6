/**
 * Notifications from real nodes to real receivers started here: a loopback webhook server and an
 * SMTP server (npm smtp-server, STARTTLS). A kill -9 of the active node is told exactly once
 * (NOT_RESPONDING, BECAME_ACTIVE) within window + 2 intervals; a receiver that fails three times
 * gets the message on a retry under the same delivery id; a receiver that hangs slows neither the
 * heartbeat nor other deliveries; all nodes in maintenance raise "no active node", delivered by a
 * node that is not active; secrets are never shown again.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificate } from '@/lib/tls/generate-certificate';
import type { TDeliveryView, TTargetView } from '@/lib/notify/schemas';
import { createTestDatabase, withClient } from '../helpers/database';
import { holdsFor, pollUntil } from '../helpers/poll';
import { ROOT_PASSWORD, runOrchctl, stopAllNodes, type NodeProcess } from '../helpers/node-process';
import { activeNodes, health, seedCluster, startNodes } from '../helpers/cluster';
import { api } from '../helpers/http';
import { startSmtpReceiver, startWebhookReceiver } from '../helpers/receivers';

const INTERVAL_MS = 500;
const FAILOVER_HEARTBEATS = 4;
const WINDOW_MS = INTERVAL_MS * FAILOVER_HEARTBEATS;
const WEBHOOK_SECRET = 'webhook-secret-0123456789-abcdef';
const SMTP_PASSWORD = 'smtp-password-for-tests-42';

let databaseUrl: string;
let nodes: NodeProcess[];
let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
let smtp: Awaited<ReturnType<typeof startSmtpReceiver>> | undefined;
let smtpCa: string;
let tmp: string;

const live = () => nodes.filter((node) => node.child.exitCode === null && node.child.signalCode === null);
const targetNamed = async (name: string) =>
  (await api<TTargetView[]>(live()[0], '/api/notifications/targets')).body.find((target) => target.name === name)!;
const deliveriesOf = async (targetId: string) =>
  (await api<TDeliveryView[]>(live()[0], `/api/notifications/deliveries?target=${targetId}`)).body;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'orch-notify-'));
  webhook = await startWebhookReceiver(WEBHOOK_SECRET);
  const pair = await generateCertificate({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'] });
  smtpCa = pair.certificate;
  smtp = await startSmtpReceiver({ key: pair.privateKey, cert: pair.certificate, user: 'orch', password: SMTP_PASSWORD });
  databaseUrl = await createTestDatabase();
  await seedCluster(databaseUrl, { intervalMs: INTERVAL_MS, failoverHeartbeats: FAILOVER_HEARTBEATS });
  nodes = await startNodes(databaseUrl, 3);
  await pollUntil(async () => (await health(nodes[0]))?.state === 'ACTIVE', { what: 'n1 active' });
});

afterAll(async () => {
  await stopAllNodes();
  await webhook?.close();
  await smtp?.close();
});

describe('notifications', () => {
  it('adds a webhook target with orchctl notify webhook; its secret is never shown again', async () => {
    const secretFile = path.join(tmp, 'secret');
    await writeFile(secretFile, `${WEBHOOK_SECRET}\n`, { mode: 0o600 });
    const env = { ORCH_USER: 'root', ORCH_PASSWORD: ROOT_PASSWORD };
    const added = await runOrchctl(
      [
        'notify',
        'webhook',
        '--url',
        nodes[1].url,
        '--target',
        `${webhook.url}/ok`,
        '--secret-file',
        secretFile,
        '--events',
        'NOT_RESPONDING,BECAME_ACTIVE',
        '--name',
        'pager',
      ],
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('webhook target "pager"');
    const bad = await runOrchctl(
      ['notify', 'webhook', '--url', nodes[1].url, '--target', `${webhook.url}/ok`, '--events', 'BECAME_ACTIVE,NOPE'],
      env,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown event kind NOPE');

    const listed = await api<TTargetView[]>(nodes[0], '/api/notifications/targets');
    expect(listed.status).toBe(200);
    expect(listed.body.map((target) => target.name)).toEqual(['pager']);
    expect(listed.body[0].hasSecret).toBe(true);
    expect(listed.text).not.toContain(WEBHOOK_SECRET);
    // bad input names the field and changes nothing
    const refused = await api<{ error: { field: string } }>(nodes[0], '/api/notifications/targets', {
      method: 'POST',
      body: { kind: 'WEBHOOK', name: 'x', url: 'ftp://example', events: ['BECAME_ACTIVE'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('url');
    expect((await api<TTargetView[]>(nodes[0], '/api/notifications/targets')).body.length).toBe(1);
  });

  it('tells a kill -9 of the active node exactly once: NOT_RESPONDING and BECAME_ACTIVE within window + 2 intervals', async () => {
    const before = webhook.received.length;
    const killedAt = Date.now();
    nodes[0].killGroup('SIGKILL');
    const deadline = WINDOW_MS + 2 * INTERVAL_MS;
    const hooks = () => webhook.received.slice(before).filter((hook) => hook.path === '/ok');
    const notResponding = await pollUntil(
      () => hooks().find((hook) => hook.body.kind === 'NOT_RESPONDING' && hook.body.node === 'n1'),
      {
        timeoutMs: 15_000,
        what: 'NOT_RESPONDING for n1',
      },
    );
    const becameActive = await pollUntil(() => hooks().find((hook) => hook.body.kind === 'BECAME_ACTIVE'), {
      timeoutMs: 15_000,
      what: 'BECAME_ACTIVE',
    });
    const latencies = { notResponding: notResponding.at - killedAt, becameActive: becameActive.at - killedAt };
    console.log(
      `kill -9 → webhook: NOT_RESPONDING after ${latencies.notResponding} ms, BECAME_ACTIVE (${becameActive.body.node}) after ${latencies.becameActive} ms; bound ${deadline} ms`,
    );
    expect(latencies.notResponding).toBeLessThanOrEqual(deadline);
    expect(latencies.becameActive).toBeLessThanOrEqual(deadline);
    expect(['n2', 'n3']).toContain(becameActive.body.node);
    // three nodes deliver from one outbox: still once each, and signed
    await holdsFor(() => hooks().length === 2, 3 * WINDOW_MS, 'exactly two webhook calls after the kill');
    expect(new Set(hooks().map((hook) => hook.body.id)).size).toBe(2);
    expect(hooks().every((hook) => hook.signatureValid === true && hook.headers['x-orch-delivery'] === hook.body.id)).toBe(true);
  });

  it('delivers to a receiver that fails three times on a retry, under the same delivery id', async () => {
    const created = await api<TTargetView>(live()[0], '/api/notifications/targets', {
      method: 'POST',
      body: { kind: 'WEBHOOK', name: 'flaky', url: `${webhook.url}/flaky`, secret: WEBHOOK_SECRET, events: ['CONFIG_PUSHED'] },
    });
    expect(created.status).toBe(201);
    const sent = await api<{ deliveryId: string }>(live()[1], `/api/notifications/targets/${created.body.id}/test`, {
      method: 'POST',
    });
    expect(sent.status).toBe(202);
    const delivered = await pollUntil(
      async () => (await deliveriesOf(created.body.id)).find((delivery) => delivery.status === 'DELIVERED'),
      {
        timeoutMs: 30_000,
        what: 'the flaky receiver to get the test',
      },
    );
    const calls = webhook.received.filter((hook) => hook.path === '/flaky');
    expect(calls.length).toBe(4);
    expect(new Set(calls.map((hook) => hook.body.id))).toEqual(new Set([sent.body.deliveryId]));
    expect(calls.map((hook) => hook.body.attempt)).toEqual([1, 2, 3, 4]);
    expect(delivered.attempts.map((attempt) => attempt.result)).toEqual(['HTTP 204', 'HTTP 500', 'HTTP 500', 'HTTP 500']);
    // back-off: 1 s, 2 s, 4 s between the attempts
    const gaps = calls.slice(1).map((hook, index) => hook.at - calls[index].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[2]).toBeGreaterThanOrEqual(3_500);
  });

  it('keeps heartbeats and other deliveries going while a receiver hangs', async () => {
    const hang = await api<TTargetView>(live()[0], '/api/notifications/targets', {
      method: 'POST',
      body: { kind: 'WEBHOOK', name: 'hang', url: `${webhook.url}/hang`, events: ['CONFIG_PUSHED'] },
    });
    const pager = await targetNamed('pager');
    const heartbeats = () =>
      withClient(
        databaseUrl,
        async (client) =>
          (
            await client.query(
              `SELECT name, heartbeat_count::int AS count FROM cluster_node WHERE name IN ('n2', 'n3') ORDER BY name`,
            )
          ).rows as { name: string; count: number }[],
      );
    const countsBefore = await heartbeats();
    const startedAt = Date.now();
    // several hanging deliveries at once, then one to a healthy receiver
    for (let index = 0; index < 4; index += 1)
      await api(live()[index % 2], `/api/notifications/targets/${hang.body.id}/test`, { method: 'POST' });
    await pollUntil(() => webhook.received.filter((hook) => hook.path === '/hang').length >= 4, {
      what: 'the hanging receiver to hold four requests',
    });
    const okBefore = webhook.received.filter((hook) => hook.path === '/ok').length;
    const quick = await api<{ deliveryId: string }>(live()[0], `/api/notifications/targets/${pager.id}/test`, { method: 'POST' });
    const sentAt = Date.now();
    const arrived = await pollUntil(
      () =>
        webhook.received
          .slice(0)
          .filter((hook) => hook.path === '/ok')
          .slice(okBefore)
          .find((hook) => hook.body.id === quick.body.deliveryId),
      {
        timeoutMs: 10_000,
        what: 'the healthy receiver to get its test while the other hangs',
      },
    );
    expect(arrived.at - sentAt).toBeLessThan(2_000);
    // each hanging attempt ends at the 5 s timeout and is logged as such
    const timedOut = await pollUntil(
      async () => {
        const deliveries = await deliveriesOf(hang.body.id);
        return deliveries.length === 4 &&
          deliveries.every((delivery) => delivery.attempts.some((attempt) => attempt.result === 'timed out after 5 s'))
          ? deliveries
          : undefined;
      },
      { timeoutMs: 20_000, what: 'the hanging deliveries to time out' },
    );
    expect(timedOut.every((delivery) => delivery.status === 'PENDING')).toBe(true);
    const elapsed = Date.now() - startedAt;
    const countsAfter = await heartbeats();
    for (const [index, after] of countsAfter.entries()) {
      const beats = after.count - countsBefore[index].count;
      // every interval a heartbeat; allow a quarter for scheduling on a busy machine
      expect(beats, `${after.name}: ${beats} heartbeats in ${elapsed} ms`).toBeGreaterThanOrEqual(
        Math.floor((elapsed / INTERVAL_MS) * 0.75),
      );
    }
    await api(live()[0], `/api/notifications/targets/${hang.body.id}`, { method: 'DELETE' });
  });

  it('sends email through SMTP with STARTTLS and a password that is never shown again', async () => {
    const created = await api<TTargetView>(live()[0], '/api/notifications/targets', {
      method: 'POST',
      body: {
        kind: 'EMAIL',
        name: 'ops-mail',
        events: ['ALARM_RAISED', 'ALARM_CLEARED'],
        smtp: {
          host: '127.0.0.1',
          port: smtp!.port,
          security: 'STARTTLS',
          user: 'orch',
          from: 'orchestrator@example.test',
          to: ['ops@example.test'],
          ca: smtpCa,
        },
        smtpPassword: SMTP_PASSWORD,
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.text).not.toContain(SMTP_PASSWORD);
    const listed = await api<TTargetView[]>(live()[0], '/api/notifications/targets');
    expect(listed.text).not.toContain(SMTP_PASSWORD);
    expect(listed.body.find((target) => target.name === 'ops-mail')?.hasSecret).toBe(true);
    const sent = await api<{ deliveryId: string }>(live()[0], `/api/notifications/targets/${created.body.id}/test`, {
      method: 'POST',
    });
    const mail = await pollUntil(() => smtp!.received.find((message) => message.raw.includes(sent.body.deliveryId)), {
      timeoutMs: 15_000,
      what: 'the test email',
    });
    expect(mail.secure).toBe(true);
    expect(mail.user).toBe('orch');
    expect(mail.to).toEqual(['ops@example.test']);
    expect(mail.raw).toMatch(/^Subject: \[test\] TEST: /m);
    expect(mail.raw).toContain(`X-Orch-Delivery: ${sent.body.deliveryId}`);
    const [delivery] = await deliveriesOf(created.body.id);
    expect(delivery.status).toBe('DELIVERED');
    expect(delivery.attempts[0].result).toMatch(/^accepted: 250/);
  });

  it('raises "no active node" when every node is in maintenance, delivered by a node that is not active, and clears it once', async () => {
    const mailsBefore = smtp!.received.length;
    const members = (
      await api<{ nodes: { id: string; name: string; state: string }[] }>(live()[0], '/api/cluster')
    ).body.nodes.filter((node) => node.name !== 'n1');
    for (const member of members) {
      const result = await api(live()[0], `/api/cluster/nodes/${member.id}/maintenance`, {
        method: 'PUT',
        body: { enabled: true },
      });
      expect(result.status).toBe(200);
    }
    await pollUntil(async () => (await activeNodes(live())).length === 0, { what: 'no active node' });
    const raised = await pollUntil(
      () => smtp!.received.slice(mailsBefore).find((mail) => /Subject: .*ALARM_RAISED.*No node is active/s.test(mail.raw)),
      {
        timeoutMs: 20_000,
        what: 'the NO_ACTIVE alarm email',
      },
    );
    expect(raised.raw).toMatch(/sent by n[23]\)/);
    for (const member of members)
      await api(live()[0], `/api/cluster/nodes/${member.id}/maintenance`, { method: 'PUT', body: { enabled: false } });
    await pollUntil(() => smtp!.received.slice(mailsBefore).find((mail) => /Subject: .*ALARM_CLEARED/s.test(mail.raw)), {
      timeoutMs: 20_000,
      what: 'the clear email',
    });
    await holdsFor(
      () => smtp!.received.slice(mailsBefore).filter((mail) => /ALARM_RAISED.*No node is active/s.test(mail.raw)).length === 1,
      2_000,
      'one NO_ACTIVE raise email',
    );
    // the events timeline shows the alarm like any other event
    const events = await runOrchctl(['events', '--url', live()[0].url, '--kind', 'ALARM_RAISED'], {
      ORCH_USER: 'root',
      ORCH_PASSWORD: ROOT_PASSWORD,
    });
    expect(events.stdout).toContain('ALARM_RAISED');
  });

  it('never writes a secret to a node log', () => {
    for (const node of nodes) {
      expect(node.output()).not.toContain(WEBHOOK_SECRET);
      expect(node.output()).not.toContain(SMTP_PASSWORD);
    }
  });
});
