/** Roles, lowest first: viewer (read only) < operator (run workflows, push configuration) < admin (everything). */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type TRole = (typeof ROLES)[number];

export type TUser = { id: string; name: string; role: TRole };

export function hasRole(user: Pick<TUser, 'role'>, minimum: TRole): boolean {
  return ROLES.indexOf(user.role) >= ROLES.indexOf(minimum);
}
