import { z } from 'zod';

/** Route parameter naming a cluster member. */
export const ZNodeParams = z.object({ id: z.string().uuid('id must be a node id') });
