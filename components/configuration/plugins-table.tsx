import type { ReactNode } from 'react';
import type { TPluginsWithState } from '@/lib/plugins/plugin-switches';
import { Table, Td, Th, WideRow } from '@/components/ui/table';
import { shortFingerprint } from '@/components/cluster/format';

/** The plugin packages on this node's disk, one row each. */
export function PluginsTable({
  plugins,
  actions,
}: {
  plugins: TPluginsWithState['plugins'] | undefined;
  actions?: (plugin: TPluginsWithState['plugins'][number]) => ReactNode;
}) {
  const columns = actions ? 7 : 6;
  return (
    <Table caption="Installed plugins">
      <thead>
        <tr>
          <Th>Name</Th>
          <Th>Version</Th>
          <Th>Description</Th>
          <Th>Actions</Th>
          <Th>SHA-256</Th>
          <Th>State</Th>
          {actions && <Th>Change</Th>}
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {!plugins && <WideRow columns={columns}>Loading…</WideRow>}
        {plugins?.length === 0 && <WideRow columns={columns}>No plugins installed.</WideRow>}
        {plugins?.map((plugin) => (
          <tr key={plugin.name}>
            <Td className="font-medium whitespace-nowrap">{plugin.name}</Td>
            <Td className="tabular-nums">{plugin.version}</Td>
            <Td className="text-gray-700">{plugin.description || <span className="text-gray-400">—</span>}</Td>
            <Td>
              <ul className="space-y-0.5">
                {plugin.actions.map((action) => (
                  <li key={action.name} title={action.description}>
                    <code className="font-mono text-xs">{action.name}</code>
                  </li>
                ))}
              </ul>
            </Td>
            <Td>
              <code title={plugin.sha256} className="font-mono text-xs text-gray-600">
                {shortFingerprint(plugin.sha256)}
              </code>
            </Td>
            <Td className={plugin.enabled ? 'text-gray-700' : 'font-medium text-amber-800'}>
              {plugin.enabled ? 'enabled' : 'disabled (not loaded)'}
            </Td>
            {actions && <Td className="whitespace-nowrap">{actions(plugin)}</Td>}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
