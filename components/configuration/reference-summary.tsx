import type { TReferenceView } from '@/lib/config/reference-view';
import { DateTime } from '@/components/ui/date-time';
import { shortFingerprint } from '@/components/cluster/format';

const TERM = 'text-xs font-medium tracking-wide text-gray-500 uppercase';

/** The cluster's reference configuration: the latest pushed version, by whom, from where, when. */
export function ReferenceSummary({ reference }: { reference: TReferenceView | null }) {
  if (!reference) {
    return (
      <p className="text-sm text-gray-600">
        Nothing has been pushed yet: there is no reference, and each node runs the configuration on its own disk.
      </p>
    );
  }
  return (
    <dl aria-label="Reference configuration" className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm md:grid-cols-5">
      <div>
        <dt className={TERM}>Reference version</dt>
        <dd className="mt-0.5 font-semibold text-gray-900 tabular-nums">{reference.version}</dd>
      </div>
      <div>
        <dt className={TERM}>Fingerprint</dt>
        <dd className="mt-0.5">
          <code title={reference.fingerprint} className="font-mono text-xs text-gray-900">
            {shortFingerprint(reference.fingerprint)}
          </code>
        </dd>
      </div>
      <div>
        <dt className={TERM}>Pushed by</dt>
        <dd className="mt-0.5 text-gray-900">{reference.pushedBy}</dd>
      </div>
      <div>
        <dt className={TERM}>From node</dt>
        <dd className="mt-0.5 text-gray-900">{reference.pushedFromName}</dd>
      </div>
      <div>
        <dt className={TERM}>When</dt>
        <dd className="mt-0.5 text-gray-900">
          <DateTime value={reference.pushedAt} />
        </dd>
      </div>
    </dl>
  );
}
