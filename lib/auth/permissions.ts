/**
 * The one map of what each action needs: route handlers declare `role: ACTION_ROLES.x`, views
 * ask `can(user, 'x')`, and the status API lists each member's allowed actions from it, so the
 * console never offers what the API would refuse.
 */
import { hasRole, type TRole } from '@/lib/auth/roles';

export const ACTION_ROLES = {
  /** read the cluster, its events, configuration, workflows and runs */
  view: 'viewer',
  activateNode: 'operator',
  setMaintenance: 'operator',
  removeNode: 'operator',
  restartNode: 'admin',
  changeClusterSettings: 'admin',
  pushConfiguration: 'operator',
  changeServerSettings: 'admin',
  installPlugin: 'admin',
  manageCertificate: 'admin',
  joinOrLeave: 'admin',
  issueJoinToken: 'admin',
  runWorkflows: 'operator',
  manageUsers: 'admin',
  readAudit: 'operator',
  /** try a connection string against the database checks (the facts of the one in use are for viewers) */
  testDatabase: 'admin',
  /** add, pause, resume and remove workflow schedules */
  manageSchedules: 'operator',
  /** add and remove the trusted CA certificates of workflow HTTP elements (pushed with the configuration) */
  manageTrustedCas: 'admin',
  /** set and remove workflow secrets (their values are never shown) */
  manageSecrets: 'admin',
} as const satisfies Record<string, TRole>;

export type TAction = keyof typeof ACTION_ROLES;

export function can(user: { role: TRole } | null | undefined, action: TAction): boolean {
  return user !== null && user !== undefined && hasRole(user, ACTION_ROLES[action]);
}
