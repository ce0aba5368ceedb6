/**
 * The field-level difference between two configuration documents: plugins added, removed or
 * changed, the certificate changed, settings changed. Pure, so the rules are unit-tested.
 */
import { SERVER_SETTINGS, type TConfigDocument, type TServerSettings } from '@/lib/config/document';

export type TConfigDifference =
  | { kind: 'plugin'; name: string; change: 'added' | 'removed' | 'changed'; node: string | null; base: string | null }
  | { kind: 'certificate'; change: 'added' | 'removed' | 'changed'; node: string | null; base: string | null }
  | { kind: 'setting'; name: keyof TServerSettings; change: 'changed'; node: unknown; base: unknown; apply: 'hot' | 'restart' };

/** What NODE has that BASE has not: "added" means the node has it and the base does not. */
export function diffConfigs(node: TConfigDocument, base: TConfigDocument): TConfigDifference[] {
  const differences: TConfigDifference[] = [];
  const plugins = new Map<string, { node?: TConfigDocument['plugins'][number]; base?: TConfigDocument['plugins'][number] }>();
  for (const plugin of node.plugins) plugins.set(plugin.name, { node: plugin });
  for (const plugin of base.plugins) plugins.set(plugin.name, { ...plugins.get(plugin.name), base: plugin });
  for (const [name, pair] of [...plugins.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const label = (plugin?: { version: string; sha256: string; disabled?: true }) =>
      plugin ? `${plugin.version} (${plugin.sha256.slice(0, 12)})${plugin.disabled ? ' disabled' : ''}` : null;
    if (!pair.base) differences.push({ kind: 'plugin', name, change: 'added', node: label(pair.node), base: null });
    else if (!pair.node) differences.push({ kind: 'plugin', name, change: 'removed', node: null, base: label(pair.base) });
    else if (label(pair.node) !== label(pair.base))
      differences.push({ kind: 'plugin', name, change: 'changed', node: label(pair.node), base: label(pair.base) });
  }
  const nodeCertificate = node.certificate?.fingerprint ?? null;
  const baseCertificate = base.certificate?.fingerprint ?? null;
  if (nodeCertificate !== baseCertificate) {
    const change = !baseCertificate ? 'added' : !nodeCertificate ? 'removed' : 'changed';
    differences.push({ kind: 'certificate', change, node: nodeCertificate, base: baseCertificate });
  }
  for (const name of Object.keys(SERVER_SETTINGS) as (keyof TServerSettings)[]) {
    if (JSON.stringify(node.settings?.[name]) !== JSON.stringify(base.settings?.[name])) {
      differences.push({
        kind: 'setting',
        name,
        change: 'changed',
        node: node.settings?.[name],
        base: base.settings?.[name],
        apply: SERVER_SETTINGS[name].apply,
      });
    }
  }
  return differences;
}
