import type { TWorkflowInput } from '@/lib/workflow/schemas';

/** A workflow's declared inputs: "count: number = 60", the description as a tooltip. */
export function InputList({ inputs }: { inputs: TWorkflowInput[] }) {
  if (inputs.length === 0) return <span className="text-gray-500">none</span>;
  return (
    <ul className="space-y-0.5">
      {inputs.map((input) => (
        <li key={input.name} title={input.description} className="font-mono text-xs whitespace-nowrap">
          {input.name}: <span className="text-gray-600">{input.type}</span>
          {input.default !== undefined && <span className="text-gray-600"> = {JSON.stringify(input.default)}</span>}
        </li>
      ))}
    </ul>
  );
}
