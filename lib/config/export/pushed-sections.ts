/**
 * The sections an import writes into the new pushed configuration version: server settings,
 * plugins, the certificate and its key, trusted CA certificates.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { sha256Hex } from '@/lib/config/config-files';
import { PEM_FILE_MAX_BYTES } from '@/lib/config/config-version';
import { ZServerSettings, type TServerSettings } from '@/lib/config/document';
import { PLUGIN_PACKAGE_MAX_BYTES, parsePluginPackage, ZPluginName, ZPluginVersion } from '@/lib/plugins/package';
import { describeCertificate } from '@/lib/tls/describe-certificate';
import { describeTrustedCa, ZTrustedCas, type TTrustedCa } from '@/lib/config/trusted-cas';

import { compareByName, section, show } from '@/lib/config/export/section';

const DEFAULT_SERVER_SETTINGS = ZServerSettings.parse({});

export const serverSettings = section<TServerSettings>({
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

export const plugins = section<TExportedPlugin[]>({
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

export const certificate = section<TExportedCertificate>({
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

/** CA certificates are public: they travel whole, in the pushed document (lib/config/trusted-cas.ts). */
export const trustedCas = section<TTrustedCa[]>({
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
