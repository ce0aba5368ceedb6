// POST /api/config/import/preview — open an export with its password and show what importing it would change (admin); changes nothing
import { ACTION_ROLES } from '@/lib/auth/permissions';
import { withApi } from '@/lib/api/with-api';
import { db } from '@/lib/db/client';
import { previewImport } from '@/lib/config/export/import-configuration';
import { IMPORT_MAX_BODY_BYTES, ZImportPreviewRequest } from '@/lib/config/schemas';

export const POST = withApi(
  { role: ACTION_ROLES.importConfiguration, body: ZImportPreviewRequest, maxBodyBytes: IMPORT_MAX_BODY_BYTES },
  ({ body }) => previewImport(db(), body),
);
