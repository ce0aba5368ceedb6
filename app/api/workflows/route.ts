// GET /api/workflows — every workflow at its latest version; POST — import a definition (operator)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { importWorkflow } from '@/lib/workflow/import-workflow';
import { listWorkflows } from '@/lib/workflow/list-workflows';
import { ZWorkflowImport } from '@/lib/workflow/schemas';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer' }, () => listWorkflows(db()));
export const POST = withApi({ role: 'operator', body: ZWorkflowImport, status: 201 }, ({ body, user }) =>
  importWorkflow(db(), body, user.name),
);
