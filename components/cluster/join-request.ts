import { ApiError } from '@/lib/api/fetcher';
import { ZJoinRequest, type TJoinRequest } from '@/lib/join/schemas';

export type TJoinMethod = 'credentials' | 'token';
export type TJoinField = 'seedUrl' | 'user' | 'password' | 'token' | 'fingerprint';
export type TJoinDraft = Record<TJoinField, string> & { method: TJoinMethod };

export const EMPTY_JOIN_DRAFT: TJoinDraft = { seedUrl: '', method: 'credentials', user: '', password: '', token: '', fingerprint: '' };

/** The fields each way of authenticating shows and sends; errors about other fields go to the banner. */
export const JOIN_FIELDS: Record<TJoinMethod, readonly TJoinField[]> = {
  credentials: ['seedUrl', 'user', 'password'],
  token: ['seedUrl', 'token', 'fingerprint'],
};

const MISSING: Record<TJoinField, string> = {
  seedUrl: 'Enter the address of a node in the cluster.',
  user: 'Enter the administrator user name.',
  password: 'Enter the administrator password.',
  token: 'Paste the join token.',
  fingerprint: 'Paste the certificate fingerprint.',
};

/** The form's draft as the request the API takes, or the same kind of error the API would answer. */
export function parseJoinDraft(draft: TJoinDraft): { success: true; data: TJoinRequest } | { success: false; error: ApiError } {
  const fields = JOIN_FIELDS[draft.method];
  const issues = fields.filter((field) => draft[field].trim() === '').map((field) => ({ field, message: MISSING[field] }));
  if (issues.length > 0) {
    return { success: false, error: new ApiError(400, 'VALIDATION', issues[0].message, { field: issues[0].field, issues }) };
  }
  const parsed = ZJoinRequest.safeParse(Object.fromEntries(fields.map((field) => [field, draft[field]])));
  return parsed.success ? { success: true, data: parsed.data } : { success: false, error: ApiError.fromZod(parsed.error) };
}
