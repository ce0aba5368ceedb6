/**
 * Imports a definition: checked (refused naming the element and field, nothing stored), then
 * stored as the next version of its name — unless it equals the latest version, which is kept.
 */
import type { TDb } from '@/lib/db/client';
import { isUniqueViolation } from '@/lib/db/errors';
import { canonicalJson } from '@/lib/config/document';
import { AppError } from '@/lib/api/app-error';
import { parseDefinition } from '@/lib/workflow/parse-definition';
import type { TImportResult } from '@/lib/workflow/views';

export async function importWorkflow(db: TDb, raw: unknown, actor: string): Promise<TImportResult> {
  const definition = parseDefinition(raw);
  for (let tries = 0; tries < 3; tries += 1) {
    const latest = await db.workflowDefinition.findFirst({ where: { name: definition.name }, orderBy: { version: 'desc' } });
    if (latest && canonicalJson(latest.definition) === canonicalJson(definition))
      return { name: definition.name, version: latest.version, created: false };
    const version = (latest?.version ?? 0) + 1;
    try {
      await db.workflowDefinition.create({
        data: { name: definition.name, version, description: definition.description, definition, createdBy: actor },
      });
      return { name: definition.name, version, created: true };
    } catch (error) {
      // two imports of the same name at once: the other took this version number; read again
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new AppError('CONFLICT', `workflow "${definition.name}" is being imported by someone else; try again`);
}
