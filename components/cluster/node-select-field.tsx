import type { ChangeEvent } from 'react';
import { SelectField } from '@/components/ui/form-field';

type TProps = { label: string; value: string; nodes: { id: string; name: string }[]; onChange: (nodeId: string) => void };

/** A filter by cluster member: "All", then each node by name. */
export function NodeSelectField({ label, value, nodes, onChange }: TProps) {
  return (
    <SelectField label={label} value={value} onChange={(event: ChangeEvent<HTMLSelectElement>) => onChange(event.target.value)}>
      <option value="">All</option>
      {nodes.map((member) => (
        <option key={member.id} value={member.id}>
          {member.name}
        </option>
      ))}
    </SelectField>
  );
}
