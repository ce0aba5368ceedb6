/** The latest version of a workflow as its definition JSON, ready to import elsewhere. */
import { AppError } from '@/lib/api/app-error';
import type { TDb } from '@/lib/db/client';
import type { TWorkflowDefinition } from '@/lib/workflow/schemas';

export async function exportWorkflow(db: TDb, name: string): Promise<TWorkflowDefinition> {
  const latest = await db.workflowDefinition.findFirst({ where: { name }, orderBy: { version: 'desc' } });
  if (!latest) throw new AppError('NOT_FOUND', `no workflow is named "${name}"`);
  return latest.definition as TWorkflowDefinition;
}
