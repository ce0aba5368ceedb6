/** Group -> role: the highest role among the groups a user is in wins; no matching group, no role. */
import { ROLES, type TRole } from '@/lib/auth/roles';
import type { TRoleMapping } from '@/lib/auth/directory/schemas';

/** One spelling per DN or group name: case and the blanks around , and = do not matter. */
export function normalizeGroup(group: string): string {
  return group
    .trim()
    .replace(/\s*([,=+])\s*/g, '$1')
    .toLowerCase();
}

export function roleForGroups(groups: readonly string[], mappings: readonly TRoleMapping[]): TRole | null {
  const held = new Set(groups.map(normalizeGroup));
  let best: TRole | null = null;
  for (const mapping of mappings) {
    if (!held.has(normalizeGroup(mapping.group))) continue;
    if (best === null || ROLES.indexOf(mapping.role) > ROLES.indexOf(best)) best = mapping.role;
  }
  return best;
}

/** The sentence a refused user reads. */
export function noGroupMessage(name: string): string {
  return `${name} is in none of the directory groups that grant access to the orchestrator; ask an administrator to add you to one`;
}
