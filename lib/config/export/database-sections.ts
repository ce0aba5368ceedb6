/**
 * The sections an import writes to the database in the same transaction as the new version:
 * cluster settings, notification targets (never their secrets), authentication.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { readCluster } from '@/lib/cluster/locked-cluster';
import { SETTINGS_LIMITS } from '@/lib/cluster/settings';
import { updateSettings } from '@/lib/cluster/update-settings';
import { canonicalJson } from '@/lib/config/document';
import { ZEmailTargetCreate, ZWebhookTargetCreate } from '@/lib/notify/schemas';
import { importAuthConfig, readAuthConfig } from '@/lib/auth/directory/auth-config';
import { ROLE_RECHECK_LIMITS, ZLdapSettings, ZOidcSettings } from '@/lib/auth/directory/schemas';

import { compareByName, section, show, type TImportChange } from '@/lib/config/export/section';

const limit = (name: keyof typeof SETTINGS_LIMITS) => z.number().min(SETTINGS_LIMITS[name].min).max(SETTINGS_LIMITS[name].max);
const ZExportedClusterSettings = z
  .object({
    heartbeatIntervalSeconds: limit('heartbeatIntervalSeconds'),
    failoverHeartbeats: limit('failoverHeartbeats').int(),
    activeNodeCount: limit('activeNodeCount').int(),
  })
  .strict();
type TExportedClusterSettings = z.infer<typeof ZExportedClusterSettings>;

export const clusterSettings = section<TExportedClusterSettings>({
  name: 'clusterSettings',
  schema: ZExportedClusterSettings,
  read: async ({ db }) => {
    const cluster = await readCluster(db);
    return {
      heartbeatIntervalSeconds: cluster.intervalMs / 1000,
      failoverHeartbeats: cluster.failoverHeartbeats,
      activeNodeCount: cluster.activeNodeCount,
    };
  },
  compare: (current, incoming) =>
    (Object.keys(incoming) as (keyof TExportedClusterSettings)[])
      .filter((key) => current[key] !== incoming[key])
      .map((key) => ({
        section: 'clusterSettings',
        field: `cluster ${key}`,
        change: 'changed',
        current: show(current[key]),
        incoming: show(incoming[key]),
      })),
  stage: (incoming, plan) => {
    plan.writes.push(async (tx, actor) => {
      const cluster = await readCluster(tx);
      const same =
        cluster.intervalMs === Math.round(incoming.heartbeatIntervalSeconds * 1000) &&
        cluster.failoverHeartbeats === incoming.failoverHeartbeats &&
        cluster.activeNodeCount === incoming.activeNodeCount;
      if (!same) await updateSettings(tx, { ...incoming, version: cluster.settingsVersion }, actor);
    });
  },
});

/** a target without its secret or SMTP password: secrets never leave the cluster, not even encrypted */
const ZExportedTarget = z.discriminatedUnion('kind', [
  ZWebhookTargetCreate.omit({ secret: true }).extend({ enabled: z.boolean(), hasSecret: z.boolean() }).strict(),
  ZEmailTargetCreate.omit({ smtpPassword: true }).extend({ enabled: z.boolean(), hasSecret: z.boolean() }).strict(),
]);
type TExportedTarget = z.infer<typeof ZExportedTarget>;

const describeTarget = ({ hasSecret: _secret, ...target }: TExportedTarget) => canonicalJson(target);

export const notificationTargets = section<TExportedTarget[]>({
  name: 'notificationTargets',
  schema: z.array(ZExportedTarget).max(200, 'at most 200 targets'),
  read: async ({ db }) => {
    const rows = await db.notificationTarget.findMany({ orderBy: { name: 'asc' } });
    return rows.map((row) =>
      ZExportedTarget.parse(
        row.kind === 'WEBHOOK'
          ? {
              kind: 'WEBHOOK',
              name: row.name,
              url: row.url,
              events: row.events,
              enabled: row.enabled,
              hasSecret: row.secret !== null,
            }
          : {
              kind: 'EMAIL',
              name: row.name,
              smtp: row.smtp,
              events: row.events,
              enabled: row.enabled,
              hasSecret: row.smtpPassword !== null,
            },
      ),
    );
  },
  compare: (current, incoming) => {
    const changes = compareByName('notificationTargets', 'notification target', current, incoming, describeTarget);
    const kept = new Map(current.map((target) => [target.name, target]));
    for (const change of changes) {
      const target = incoming.find((item) => `notification target ${item.name}` === change.field);
      const keeps = target && kept.get(target.name)?.kind === target.kind && kept.get(target.name)?.hasSecret;
      if (target?.hasSecret && !keeps) change.note = 'its secret is not in the file: set it again after the import';
    }
    return changes;
  },
  stage: (incoming, plan) => {
    plan.writes.push(async (tx, actor) => {
      await tx.notificationTarget.deleteMany({ where: { name: { notIn: incoming.map((target) => target.name) } } });
      for (const { hasSecret: _secret, enabled, ...target } of incoming) {
        const existing = await tx.notificationTarget.findUnique({ where: { name: target.name } });
        // a target of the same name and kind keeps its secret (and delivery log); one of another kind is replaced
        if (existing && existing.kind !== target.kind) await tx.notificationTarget.delete({ where: { id: existing.id } });
        const fields =
          target.kind === 'WEBHOOK'
            ? { url: target.url, events: target.events, enabled }
            : { smtp: target.smtp, events: target.events, enabled };
        if (existing?.kind === target.kind) await tx.notificationTarget.update({ where: { id: existing.id }, data: fields });
        else
          await tx.notificationTarget.create({
            data: { id: randomUUID(), name: target.name, kind: target.kind, createdBy: actor, ...fields },
          });
      }
    });
  },
});

/**
 * How users sign in (lib/auth/directory). The bind password and the client secret are not in the
 * file: a configuration whose secret this cluster does not hold yet is left as it is, and the
 * preview says to set the secret first.
 */
const ZExportedAuthentication = z
  .object({
    localAccountsEnabled: z.boolean(),
    roleRecheckSeconds: z.number().int().min(ROLE_RECHECK_LIMITS.min).max(ROLE_RECHECK_LIMITS.max),
    ldap: ZLdapSettings.nullable(),
    oidc: ZOidcSettings.nullable(),
    /** read from this cluster for the preview; never taken from a file */
    hasLdapBindPassword: z.boolean().optional(),
    hasOidcClientSecret: z.boolean().optional(),
  })
  .strict();
type TExportedAuthentication = z.infer<typeof ZExportedAuthentication>;

export const authentication = section<TExportedAuthentication>({
  name: 'authentication',
  schema: ZExportedAuthentication,
  read: async ({ db }) => {
    const config = await readAuthConfig(db);
    return {
      localAccountsEnabled: config.localAccountsEnabled,
      roleRecheckSeconds: config.roleRecheckSeconds,
      ldap: config.ldap,
      oidc: config.oidc,
      hasLdapBindPassword: config.ldapBindPassword !== null,
      hasOidcClientSecret: config.oidcClientSecret !== null,
    };
  },
  compare: (current, incoming) => {
    const changes: TImportChange[] = [];
    for (const key of ['localAccountsEnabled', 'roleRecheckSeconds'] as const) {
      if (current[key] !== incoming[key])
        changes.push({
          section: 'authentication',
          field: key,
          change: 'changed',
          current: show(current[key]),
          incoming: show(incoming[key]),
        });
    }
    const parts = [
      ['ldap', 'LDAP', current.hasLdapBindPassword, 'orchctl auth ldap --bind-password-file'],
      ['oidc', 'OpenID Connect', current.hasOidcClientSecret, 'orchctl auth oidc --client-secret-file'],
    ] as const;
    for (const [key, label, secretHeld, how] of parts) {
      const [a, b] = [show(current[key]), show(incoming[key])];
      if (a === b) continue;
      const change: TImportChange = {
        section: 'authentication',
        field: label,
        change: !a ? 'added' : !b ? 'removed' : 'changed',
        current: a,
        incoming: b,
      };
      if (b && !secretHeld)
        change.note = `not imported: its secret is not in the file and none is stored here; set one first (${how})`;
      changes.push(change);
    }
    return changes;
  },
  stage: (incoming, plan) => {
    plan.writes.push((tx, actor) => importAuthConfig(tx, incoming, actor));
  },
});
