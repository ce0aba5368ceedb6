import type { TConfigDifference } from '@/lib/config/config-diff';
import { shortFingerprint } from '@/components/cluster/format';

const CELL = 'px-3 py-2 align-top';
const HEAD = `${CELL} bg-gray-50 text-left text-xs font-semibold tracking-wide text-gray-600 uppercase`;

type TProps = {
  title: string;
  /** e.g. "what the node runs" — said under the title */
  description: string;
  differences: TConfigDifference[];
  /** the column of the comparison base: "Reference", or the node compared with */
  baseColumn: string;
  /** the column of the side compared, "This node" unless said (e.g. "Version 5") */
  nodeColumn?: string;
};

/** One side of a node's configuration (running or on disk) against its base, one row per differing field. */
export function ConfigDiffTable({ title, description, differences, baseColumn, nodeColumn = 'This node' }: TProps) {
  return (
    <section aria-label={title} className="space-y-1.5">
      <h3 className="text-sm font-semibold text-gray-900">
        {title} <span className="font-normal text-gray-500">— {description}</span>
      </h3>
      {differences.length === 0 ? (
        <p className="rounded-md border border-gray-200 bg-gray-50 px-3 py-2 text-sm text-gray-700">No differences.</p>
      ) : (
        <div className="overflow-x-auto rounded-md border border-gray-200">
          <table className="min-w-full divide-y divide-gray-200 text-sm">
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col" className={HEAD}>
                  Field
                </th>
                <th scope="col" className={HEAD}>
                  Change
                </th>
                <th scope="col" className={HEAD}>
                  {nodeColumn}
                </th>
                <th scope="col" className={HEAD}>
                  {baseColumn}
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100 text-gray-800">
              {differences.map((difference) => (
                <tr key={`${difference.kind}:${'name' in difference ? difference.name : ''}`}>
                  <td className={CELL}>
                    <FieldName difference={difference} />
                  </td>
                  <td className={`${CELL} whitespace-nowrap`}>{describeChange(difference, nodeColumn)}</td>
                  <td className={CELL}>
                    <Value difference={difference} value={difference.node} />
                  </td>
                  <td className={CELL}>
                    <Value difference={difference} value={difference.base} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function FieldName({ difference }: { difference: TConfigDifference }) {
  if (difference.kind === 'plugin') return <span className="font-medium">Plugin {difference.name}</span>;
  if (difference.kind === 'certificate') return <span className="font-medium">Certificate</span>;
  return (
    <>
      <span className="font-medium">Setting {difference.name}</span>
      <span className={`block text-xs ${difference.apply === 'restart' ? 'text-amber-800' : 'text-gray-500'}`}>
        {difference.apply === 'restart' ? 'needs a restart' : 'applies at once'}
      </span>
    </>
  );
}

/** "added" means this node has it and the base has not (lib/config/config-diff.ts). */
function describeChange(difference: TConfigDifference, side: string): string {
  const where = side === 'This node' ? 'this node' : side;
  if (difference.change === 'added') return `added on ${where}`;
  if (difference.change === 'removed') return `not on ${where}`;
  return 'changed';
}

function Value({ difference, value }: { difference: TConfigDifference; value: unknown }) {
  if (value === null || value === undefined) return <span className="text-gray-400">—</span>;
  if (difference.kind === 'certificate' && typeof value === 'string') {
    return (
      <code title={value} className="font-mono text-xs">
        {shortFingerprint(value)}
      </code>
    );
  }
  if (difference.kind === 'plugin') return <span className="font-mono text-xs">{String(value)}</span>;
  return <span className="tabular-nums">{typeof value === 'string' ? value : JSON.stringify(value)}</span>;
}
