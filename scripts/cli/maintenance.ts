/** `orchctl maintenance NODE on|off`: a node in maintenance is never active. */
import { callApi, CliError } from './api-client';
import { resolveNode, type TNodeCommandOptions } from './cluster-view';

export async function setMaintenance(options: TNodeCommandOptions, node: string, mode: string): Promise<void> {
  if (mode !== 'on' && mode !== 'off') throw new CliError(`maintenance takes on or off, not "${mode}"`);
  const member = await resolveNode(options, node);
  await callApi(options.url, `/api/cluster/nodes/${member.id}/maintenance`, {
    ...options,
    method: 'PUT',
    body: { enabled: mode === 'on' },
  });
  console.log(
    mode === 'on'
      ? `${member.name} is in maintenance: it will not be active (an active node hands its slot over at its next heartbeat)`
      : `${member.name} is out of maintenance: it stands by again`,
  );
}
