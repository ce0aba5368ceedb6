// GET /api/workflows/[name] — the latest version's definition JSON (export)
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { exportWorkflow } from '@/lib/workflow/export-workflow';
import { ZWorkflowNameParam } from '@/lib/workflow/schemas';

export const dynamic = 'force-dynamic';
export const GET = withApi({ role: 'viewer', params: ZWorkflowNameParam }, ({ params }) => exportWorkflow(db(), params.name));
