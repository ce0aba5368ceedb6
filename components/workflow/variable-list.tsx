import { formatValue } from '@/components/workflow/format';

/** Names and values (a run's inputs or variables), values as JSON. */
export function VariableList({ label, values }: { label: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <p className="text-sm text-gray-500">None.</p>;
  return (
    <dl aria-label={label} className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
      {entries.map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="font-mono text-xs leading-5 text-gray-600">{name}</dt>
          <dd className="font-mono text-xs leading-5 break-all text-gray-900">{formatValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
