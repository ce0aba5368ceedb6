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
  /** Use this database (a standalone node leaves its built-in one) and Move the whole cluster */
  useDatabase: 'admin',
  moveDatabase: 'admin',
  /** the Authentication page: local accounts, LDAP, OpenID Connect, group mappings, Test */
  manageAuthentication: 'admin',
  /** push an older configuration version again (like a push) */
  rollbackConfiguration: 'operator',
  /** the export carries the certificate's private key (encrypted); an import replaces the whole configuration */
  exportConfiguration: 'admin',
  importConfiguration: 'admin',
  /** like an install: a local change, pushed afterwards */
  uninstallPlugin: 'admin',
  disablePlugin: 'admin',
  /** runs probes against the database and every member (validate configuration) */
  validateConfiguration: 'operator',
  /** logs, events and configuration of every member in one archive (secrets redacted) */
  supportBundle: 'admin',
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
