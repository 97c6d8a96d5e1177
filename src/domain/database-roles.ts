/**
 * Database (MongoDB) roles of Atlas database users: which built-in roles are privileged, which
 * custom-role actions are dangerous, and the privilege of each custom role, computed once per project.
 *
 * Built-in role names follow the "Built-in Roles" pages of the MongoDB manual and Atlas's
 * "Database User Privileges" page (the spec's `DatabaseUserRole.roleName` is an open string).
 */

/**
 * A database user's role as every output names it: `readWrite@sales`, `read@hr.people` (role, database,
 * and the collection when the grant is narrowed to one).
 */
export function databaseRoleText(r: {
  roleName: string;
  databaseName: string;
  collectionName: string | null;
}): string {
  return `${r.roleName}@${r.databaseName}${r.collectionName ? `.${r.collectionName}` : ''}`;
}

/** Built-in roles that act on every database or on the cluster itself, wherever they are granted. */
const PRIVILEGED_DATABASE_ROLES: ReadonlySet<string> = new Set([
  'atlasAdmin',
  'root',
  'readWriteAnyDatabase',
  'readAnyDatabase',
  'dbAdminAnyDatabase',
  'userAdminAnyDatabase',
  'clusterManager',
  'clusterAdmin',
  'hostManager',
  'backup',
  'restore',
]);

/**
 * Built-in roles privileged only when granted on `admin`: user administration there can grant any
 * role on any database (MongoDB manual, "userAdmin": "can grant any privilege to any user").
 */
const PRIVILEGED_ON_ADMIN: ReadonlySet<string> = new Set(['userAdmin', 'dbOwner']);

/** Every built-in database role Atlas lets a database user hold. */
export const BUILT_IN_DATABASE_ROLES: ReadonlySet<string> = new Set([
  ...PRIVILEGED_DATABASE_ROLES,
  ...PRIVILEGED_ON_ADMIN,
  'read',
  'readWrite',
  'dbAdmin',
  'clusterMonitor',
  'enableSharding',
  'directShardOperations',
]);

/**
 * Privilege actions of a custom role that change who can do what, or destroy data or the service:
 * user and role administration, dropping databases, shutting down.
 */
/**
 * Privilege actions compare by name whatever their spelling: the Admin API reports them in its enum's
 * form (`DROP_DATABASE`), the MongoDB manual and policies name them in camel case (`dropDatabase`).
 */
function actionKey(action: string): string {
  return action.replace(/_/g, '').toLowerCase();
}

const DANGEROUS_ACTIONS: ReadonlySet<string> = new Set(
  [
    'shutdown',
    'dropDatabase',
    'createUser',
    'dropUser',
    'updateUser',
    'changePassword',
    'grantRole',
    'revokeRole',
    'createRole',
    'dropRole',
    'updateRole',
    'dropAllUsersFromDatabase',
    'dropAllRolesFromDatabase',
  ].map(actionKey),
);

/** True when a built-in role granted on `databaseName` is privileged. */
export function isPrivilegedBuiltIn(roleName: string, databaseName: string): boolean {
  return (
    PRIVILEGED_DATABASE_ROLES.has(roleName) || (databaseName === 'admin' && PRIVILEGED_ON_ADMIN.has(roleName))
  );
}

/** The shape of a custom role this module reads (the snapshot's `CustomRole`). */
export interface CustomRoleShape {
  roleName: string;
  actions: ReadonlyArray<{ action: string }>;
  inheritedRoles: ReadonlyArray<{ db: string; role: string }>;
}

/** What a custom role grants, its inherited roles included. */
export interface CustomRolePrivilege {
  /** Dangerous actions granted directly or through inherited custom roles, sorted. */
  dangerousActions: string[];
  /** Privileged built-in roles inherited, directly or through other custom roles, as "role@db", sorted. */
  privilegedInherited: string[];
  /** Inherited role names that are neither built-in nor a custom role of the project, sorted. */
  unknownInherited: string[];
  /** Dangerous actions, a privileged inherited role or an unknown inherited role (fail closed). */
  privileged: boolean;
}

// One resolution per project's role list: the rules' custom-role and database-user facts and the
// report's counts each ask for every project's (three times per project, 2% of a 50,000-user audit).
// Keyed by the snapshot's array, which neither the rules nor the report ever change.
const resolved = new WeakMap<readonly CustomRoleShape[], ReadonlyMap<string, CustomRolePrivilege>>();

/**
 * The privilege of every custom role of one project, resolving inheritance transitively. A cycle
 * (a role inheriting itself through others) is cut where it closes: each role is walked once. The
 * same array gives the same (read-only) map.
 */
export function customRolePrivileges(
  roles: readonly CustomRoleShape[],
): ReadonlyMap<string, CustomRolePrivilege> {
  let privileges = resolved.get(roles);
  if (privileges === undefined) {
    privileges = resolveCustomRoles(roles);
    resolved.set(roles, privileges);
  }
  return privileges;
}

function resolveCustomRoles(roles: readonly CustomRoleShape[]): ReadonlyMap<string, CustomRolePrivilege> {
  const byName = new Map(roles.map((r) => [r.roleName, r]));
  const out = new Map<string, CustomRolePrivilege>();
  for (const role of roles) {
    const dangerous = new Set<string>();
    const inherited = new Set<string>();
    const unknown = new Set<string>();
    const seen = new Set<string>();
    const stack: CustomRoleShape[] = [role];
    while (stack.length > 0) {
      const r = stack.pop()!;
      if (seen.has(r.roleName)) continue;
      seen.add(r.roleName);
      for (const a of r.actions) if (DANGEROUS_ACTIONS.has(actionKey(a.action))) dangerous.add(a.action);
      for (const i of r.inheritedRoles) {
        const custom = byName.get(i.role);
        if (custom) stack.push(custom);
        else if (isPrivilegedBuiltIn(i.role, i.db)) inherited.add(`${i.role}@${i.db}`);
        else if (!BUILT_IN_DATABASE_ROLES.has(i.role)) unknown.add(i.role);
      }
    }
    out.set(role.roleName, {
      dangerousActions: [...dangerous].sort(),
      privilegedInherited: [...inherited].sort(),
      unknownInherited: [...unknown].sort(),
      privileged: dangerous.size > 0 || inherited.size > 0 || unknown.size > 0,
    });
  }
  return out;
}
