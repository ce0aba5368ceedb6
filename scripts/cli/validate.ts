/** `orchctl validate --url U [--json]`: the cluster's set-up checked as a whole; exit 0 when nothing failed. */
import type { TValidationReport } from '@/lib/validate/validate-cluster';
import { callApi, CliError } from './api-client';
import type { TNodeCommandOptions } from './cluster-view';

export async function validateConfiguration(options: TNodeCommandOptions & { json?: boolean }): Promise<void> {
  const report = await callApi<TValidationReport>(options.url, '/api/config/validate', { ...options, timeoutMs: 60_000 });
  if (options.json) console.log(JSON.stringify(report, null, 2));
  else {
    for (const item of report.checks) {
      console.log(`${item.status.toUpperCase().padEnd(4)}  ${item.name}: ${item.detail}`);
      if (item.action) console.log(`      → ${item.action}`);
    }
  }
  const failed = report.checks.filter((item) => item.status === 'fail').length;
  if (failed > 0) throw new CliError(`${failed} check${failed === 1 ? '' : 's'} failed`);
}
