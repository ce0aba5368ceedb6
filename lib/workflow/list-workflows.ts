/** Every workflow at its latest version, by name. */
import type { TDb } from '@/lib/db/client';
import type { TWorkflowDefinition } from '@/lib/workflow/schemas';
import type { TWorkflowSummary } from '@/lib/workflow/views';

export async function listWorkflows(db: TDb): Promise<TWorkflowSummary[]> {
  const rows = await db.workflowDefinition.findMany({ distinct: ['name'], orderBy: [{ name: 'asc' }, { version: 'desc' }] });
  return rows.map((row) => {
    const definition = row.definition as TWorkflowDefinition;
    return {
      name: row.name,
      version: row.version,
      description: row.description,
      inputs: definition.inputs,
      elementCount: definition.elements.length,
      createdBy: row.createdBy,
      createdAt: row.createdAt.toISOString(),
    };
  });
}
