import { ApiError } from '@/lib/api/fetcher';
import { ZJoinPreviewRequest, type TJoinPreviewRequest } from '@/lib/join/schemas';

export type TJoinMethod = 'credentials' | 'token';
export type TJoinField = 'seedUrl' | 'user' | 'password' | 'token' | 'fingerprint';
export type TJoinDraft = Record<TJoinField, string> & { method: TJoinMethod };

export const EMPTY_JOIN_DRAFT: TJoinDraft = {
  seedUrl: '',
  method: 'credentials',
  user: '',
  password: '',
  token: '',
  fingerprint: '',
};

/** The fields each way of authenticating shows and sends; errors about other fields go to the banner. */
export const JOIN_FIELDS: Record<TJoinMethod, readonly TJoinField[]> = {
  // with a password the fingerprint is optional: it pins a seed serving a self-signed HTTPS certificate
  credentials: ['seedUrl', 'user', 'password', 'fingerprint'],
  token: ['seedUrl', 'token', 'fingerprint'],
};

const OPTIONAL: Record<TJoinMethod, readonly TJoinField[]> = { credentials: ['fingerprint'], token: [] };

const MISSING: Record<TJoinField, string> = {
  seedUrl: 'Enter the address of a node in the cluster.',
  user: 'Enter the administrator user name.',
  password: 'Enter the administrator password.',
  token: 'Paste the join token.',
  fingerprint: 'Paste the certificate fingerprint.',
};

/** The form's draft as the request the API takes, or the same kind of error the API would answer. */
export function parseJoinDraft(
  draft: TJoinDraft,
): { success: true; data: TJoinPreviewRequest } | { success: false; error: ApiError } {
  const fields = JOIN_FIELDS[draft.method];
  const given = fields.filter((field) => draft[field].trim() !== '');
  const issues = fields
    .filter((field) => !given.includes(field) && !OPTIONAL[draft.method].includes(field))
    .map((field) => ({ field, message: MISSING[field] }));
  if (issues.length > 0) {
    return { success: false, error: new ApiError(400, 'VALIDATION', issues[0].message, { field: issues[0].field, issues }) };
  }
  const parsed = ZJoinPreviewRequest.safeParse(Object.fromEntries(given.map((field) => [field, draft[field]])));
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: ApiError.fromZod(parsed.error) };
}
