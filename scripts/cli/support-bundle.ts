/** `orchctl support-bundle --url U --out FILE`: the archive to send when asking for help (secrets redacted). */
import { writeFile } from 'node:fs/promises';
import type { TSupportBundle } from '@/lib/support/support-bundle';
import { callApi } from './api-client';
import type { TNodeCommandOptions } from './cluster-view';

export async function writeSupportBundle(options: TNodeCommandOptions & { out: string }): Promise<void> {
  const bundle = await callApi<TSupportBundle>(options.url, '/api/support-bundle', {
    ...options,
    method: 'POST',
    timeoutMs: 120_000,
  });
  await writeFile(options.out, Buffer.from(bundle.base64, 'base64'), { mode: 0o600 });
  console.log(`support bundle written to ${options.out}`);
  if (bundle.unreachable.length > 0) console.log(`not collected from: ${bundle.unreachable.join(', ')} (see manifest.json)`);
}
