/** Inputs of the configuration history routes, shared by the routes and the page. */
import { z } from 'zod';
import { ZExportPassword } from '@/lib/config/export/sealed-file';

const ZVersionNumber = z.coerce.number().int('must be a whole number').positive('must be a version number (1 or more)');

export const ZVersionParams = z.object({
  version: z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a version number (1 or more)'),
});
export const ZCompareQuery = z.object({ from: ZVersionNumber, to: ZVersionNumber }).strict();
export const ZRollback = z.object({ reset: z.boolean().default(false) }).strict();

/** an export of a large cluster (plugin packages of up to 1 MiB each) stays well under this */
export const IMPORT_MAX_BODY_BYTES = 32 * 1024 * 1024;
const ZExportFile = z.string().min(1, 'file is empty').max(IMPORT_MAX_BODY_BYTES, 'file is too large');

export const ZExportRequest = z.object({ password: ZExportPassword }).strict();
export const ZImportPreviewRequest = z
  .object({ file: ZExportFile, password: z.string().min(1, 'password is required').max(1024) })
  .strict();
export const ZImportRequest = ZImportPreviewRequest.extend({
  /** the reference version the preview was made against */
  basedOn: z.number().int().positive().nullable().optional(),
  reset: z.boolean().default(false),
}).strict();
