/** Inputs of the configuration history routes, shared by the routes and the page. */
import { z } from 'zod';

const ZVersionNumber = z.coerce.number().int('must be a whole number').positive('must be a version number (1 or more)');

export const ZVersionParams = z.object({ version: z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a version number (1 or more)') });
export const ZCompareQuery = z.object({ from: ZVersionNumber, to: ZVersionNumber }).strict();
export const ZRollback = z.object({ reset: z.boolean().default(false) }).strict();
