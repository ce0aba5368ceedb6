/**
 * What a configuration export carries, as named sections. Each section says how it is read from
 * this cluster, what a file may hold (zod: the file is untrusted until it passes), how it differs
 * from what this cluster has (the import preview), and how an import applies it: into the new
 * pushed configuration version (document and files) or as a database write in the same
 * transaction. A new section is one definition and one line in EXPORT_SECTIONS.
 */
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { TDb, TTx } from '@/lib/db/client';
import { AppError } from '@/lib/api/app-error';
import { readCluster } from '@/lib/cluster/locked-cluster';
import { SETTINGS_LIMITS } from '@/lib/cluster/settings';
import { updateSettings } from '@/lib/cluster/update-settings';
import { sha256Hex, type TConfigFile } from '@/lib/config/config-files';
import { PEM_FILE_MAX_BYTES, type TConfigVersion } from '@/lib/config/config-version';
import { canonicalJson, ZServerSettings, type TConfigDocument, type TServerSettings } from '@/lib/config/document';
import { ZEmailTargetCreate, ZWebhookTargetCreate } from '@/lib/notify/schemas';
import { PLUGIN_PACKAGE_MAX_BYTES, parsePluginPackage, ZPluginName, ZPluginVersion } from '@/lib/plugins/package';
import { describeCertificate } from '@/lib/tls/describe-certificate';
import { describeTrustedCa, ZTrustedCas, type TTrustedCa } from '@/lib/config/trusted-cas';
import { importAuthConfig, readAuthConfig } from '@/lib/auth/directory/auth-config';
import { ROLE_RECHECK_LIMITS, ZLdapSettings, ZOidcSettings } from '@/lib/auth/directory/schemas';

export type TExportSource = {
  db: TDb;
  /** the cluster's reference version, with its files' contents */
  reference: TConfigVersion | null;
  content(file: TConfigFile): string;
};

/** One line of the import preview: what the import would change, field by field. */
export type TImportChange = {
  section: string;
  field: string;
  change: 'added' | 'removed' | 'changed';
  current: string | null;
  incoming: string | null;
  note?: string;
};

/** What an import writes: the parts of the new configuration version, and database writes in the same transaction. */
export type TImportPlan = {
  document: Partial<TConfigDocument>;
  files: { file: TConfigFile; content: string }[];
  writes: ((tx: TTx, actor: string) => Promise<void>)[];
};

type TSection<T> = {
  name: string;
  schema: z.ZodType<T>;
  read(source: TExportSource): Promise<T>;
  compare(current: T, incoming: T): TImportChange[];
  stage(incoming: T, plan: TImportPlan): void;
};

/** erases T so sections of different shapes share one list; each checks its own data with its schema first */
function section<T>(definition: TSection<T>): TSection<unknown> {
  return definition as TSection<unknown>;
}

const show = (value: unknown) =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value);

function compareByName<T extends { name: string }>(
  sectionName: string,
  label: string,
  current: T[],
  incoming: T[],
  describe: (item: T) => string,
): TImportChange[] {
  const changes: TImportChange[] = [];
  const before = new Map(current.map((item) => [item.name, item]));
  const after = new Map(incoming.map((item) => [item.name, item]));
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [a, b] = [before.get(name), after.get(name)];
    const field = `${label} ${name}`;
    if (!a && b) changes.push({ section: sectionName, field, change: 'added', current: null, incoming: describe(b) });
    else if (a && !b) changes.push({ section: sectionName, field, change: 'removed', current: describe(a), incoming: null });
    else if (a && b && describe(a) !== describe(b))
      changes.push({ section: sectionName, field, change: 'changed', current: describe(a), incoming: describe(b) });
  }
  return changes;
}

const DEFAULT_SERVER_SETTINGS = ZServerSettings.parse({});

const serverSettings = section<TServerSettings>({
  name: 'serverSettings',
  schema: ZServerSettings,
  read: async ({ reference }) => reference?.document.settings ?? DEFAULT_SERVER_SETTINGS,
  compare: (current, incoming) =>
    (Object.keys(incoming) as (keyof TServerSettings)[])
      .filter((key) => current[key] !== incoming[key])
      .map((key) => ({
        section: 'serverSettings',
        field: `setting ${key}`,
        change: 'changed',
        current: show(current[key]),
        incoming: show(incoming[key]),
      })),
  stage: (incoming, plan) => {
    plan.document.settings = incoming;
  },
});

const ZExportedPlugin = z
  .object({
    name: ZPluginName,
    version: ZPluginVersion,
    disabled: z.boolean().optional(),
    content: z.string().max(PLUGIN_PACKAGE_MAX_BYTES, 'plugin package is too large'),
  })
  .strict()
  .superRefine((plugin, ctx) => {
    try {
      const { manifest } = parsePluginPackage(plugin.content);
      if (manifest.name !== plugin.name || manifest.version !== plugin.version)
        ctx.addIssue({ code: 'custom', message: `holds ${manifest.name} ${manifest.version}` });
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid plugin package (${error instanceof Error ? error.message : String(error)})`,
      });
    }
  });
type TExportedPlugin = z.infer<typeof ZExportedPlugin>;

const plugins = section<TExportedPlugin[]>({
  name: 'plugins',
  schema: z.array(ZExportedPlugin).max(500, 'at most 500 plugins'),
  read: async ({ reference, content }) =>
    (reference?.document.plugins ?? []).map((plugin) => ({
      name: plugin.name,
      version: plugin.version,
      ...(plugin.disabled ? { disabled: true } : {}),
      content: content({ kind: 'plugin', name: plugin.name, sha256: plugin.sha256 }),
    })),
  compare: (current, incoming) =>
    compareByName(
      'plugins',
      'plugin',
      current,
      incoming,
      (plugin) => `${plugin.version} (${sha256Hex(plugin.content).slice(0, 12)})${plugin.disabled ? ' disabled' : ''}`,
    ),
  stage: (incoming, plan) => {
    const sorted = [...incoming].sort((a, b) => (a.name < b.name ? -1 : 1));
    plan.document.plugins = sorted.map((plugin) => ({
      name: plugin.name,
      version: plugin.version,
      sha256: sha256Hex(plugin.content),
      ...(plugin.disabled ? { disabled: true as const } : {}),
    }));
    for (const plugin of sorted)
      plan.files.push({
        file: { kind: 'plugin', name: plugin.name, sha256: sha256Hex(plugin.content) },
        content: plugin.content,
      });
  },
});

const ZPem = z.string().max(PEM_FILE_MAX_BYTES, `must be at most ${PEM_FILE_MAX_BYTES} bytes`);
/** the private key travels in the export on purpose (a cluster's certificate is useless without it): the file is encrypted */
const ZExportedCertificate = z
  .object({ certificate: ZPem, privateKey: ZPem })
  .strict()
  .nullable()
  .superRefine((pair, ctx) => {
    if (!pair) return;
    try {
      const certificate = new X509Certificate(pair.certificate);
      const key = createPrivateKey(pair.privateKey);
      if (!certificate.checkPrivateKey(key))
        ctx.addIssue({ code: 'custom', message: 'the private key does not belong to the certificate' });
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a PEM certificate and key (${error instanceof Error ? error.message : String(error)})`,
      });
    }
  });
type TExportedCertificate = z.infer<typeof ZExportedCertificate>;

const certificateFingerprint = (pair: TExportedCertificate) =>
  pair ? new X509Certificate(pair.certificate).fingerprint256 : null;

const certificate = section<TExportedCertificate>({
  name: 'certificate',
  schema: ZExportedCertificate,
  read: async ({ reference, content }) => {
    const files = reference?.files ?? [];
    const certificateFile = files.find((file) => file.kind === 'certificate');
    const keyFile = files.find((file) => file.kind === 'private-key');
    return certificateFile && keyFile ? { certificate: content(certificateFile), privateKey: content(keyFile) } : null;
  },
  compare: (current, incoming) => {
    const [a, b] = [certificateFingerprint(current), certificateFingerprint(incoming)];
    if (a === b) return [];
    return [
      {
        section: 'certificate',
        field: 'certificate',
        change: !a ? 'added' : !b ? 'removed' : 'changed',
        current: a,
        incoming: b,
      },
    ];
  },
  stage: (incoming, plan) => {
    if (!incoming) {
      plan.document.certificate = null;
      return;
    }
    const { fingerprint, subject, sans, notAfter } = describeCertificate(incoming.certificate);
    plan.document.certificate = { fingerprint, subject, sans, notAfter };
    plan.files.push({ file: { kind: 'certificate', sha256: sha256Hex(incoming.certificate) }, content: incoming.certificate });
    plan.files.push({ file: { kind: 'private-key', sha256: sha256Hex(incoming.privateKey) }, content: incoming.privateKey });
  },
});

const limit = (name: keyof typeof SETTINGS_LIMITS) => z.number().min(SETTINGS_LIMITS[name].min).max(SETTINGS_LIMITS[name].max);
const ZExportedClusterSettings = z
  .object({
    heartbeatIntervalSeconds: limit('heartbeatIntervalSeconds'),
    failoverHeartbeats: limit('failoverHeartbeats').int(),
    activeNodeCount: limit('activeNodeCount').int(),
  })
  .strict();
type TExportedClusterSettings = z.infer<typeof ZExportedClusterSettings>;

const clusterSettings = section<TExportedClusterSettings>({
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

const notificationTargets = section<TExportedTarget[]>({
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

/** CA certificates are public: they travel whole, in the pushed document (lib/config/trusted-cas.ts). */
const trustedCas = section<TTrustedCa[]>({
  name: 'trustedCas',
  schema: ZTrustedCas.superRefine((cas, ctx) => {
    for (const [index, ca] of cas.entries()) {
      try {
        describeTrustedCa(ca);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: [index], message: error instanceof Error ? error.message : String(error) });
      }
    }
  }),
  read: async ({ reference }) => reference?.document.trustedCas ?? [],
  compare: (current, incoming) =>
    compareByName('trustedCas', 'trusted CA', current, incoming, (ca) => describeTrustedCa(ca).fingerprint),
  stage: (incoming, plan) => {
    plan.document.trustedCas = [...incoming].sort((a, b) => (a.name < b.name ? -1 : 1));
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

const authentication = section<TExportedAuthentication>({
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

/** Every section an export holds, in the order the preview lists them. Add a section here. */
export const EXPORT_SECTIONS: TSection<unknown>[] = [
  serverSettings,
  plugins,
  certificate,
  clusterSettings,
  notificationTargets,
  trustedCas,
  authentication,
];

export function findSection(name: string): TSection<unknown> {
  const found = EXPORT_SECTIONS.find((candidate) => candidate.name === name);
  if (!found)
    throw new AppError(
      'VALIDATION',
      `the file holds a section "${name}" this version does not know; import it with a newer version`,
      { field: 'file' },
    );
  return found;
}
