/**
 * What a simulator credential may do: its organization role and its API access list. Each route's
 * least role comes from the operations table (the spec's `x-rolesRequirements`), so the simulator
 * refuses a request exactly where real Atlas would: a service account with Organization Member gets
 * 403 on the service-account listings (Organization Read Only) and on project teams (Project Read
 * Only, which an org member holds only in projects it was added to).
 */
import { type Operation, operations } from '../atlas/operations.js';

/** The access of one simulator credential. Absent: Organization Owner everywhere, any IP (the default). */
export interface SimulatorAccess {
  /** The credential's role in every organization of the estate. */
  orgRole?: 'ORG_OWNER' | 'ORG_READ_ONLY' | 'ORG_MEMBER' | 'ORG_BILLING_ADMIN' | 'ORG_GROUP_CREATOR';
  /**
   * API access list: when set, API calls from any other address are refused with 403
   * `IP_ADDRESS_NOT_ON_ACCESS_LIST` (the token endpoint stays open, as in Atlas).
   */
  allowedIps?: string[];
}

/** A refusal, shaped as the simulator's ApiError spec. */
export interface Refusal {
  status: 403;
  errorCode: string;
  detail: string;
  parameters: unknown[];
}

/** How much an org role can read or change: member < read only < owner. */
function orgRank(role: NonNullable<SimulatorAccess['orgRole']>): number {
  if (role === 'ORG_OWNER') return 3;
  if (role === 'ORG_READ_ONLY') return 2;
  return 1;
}

/**
 * Whether an org role satisfies one of the spec's role names. Organization Read Only reads every
 * project of the org; write roles on projects (Project Owner, Access Manager, ...) are held by
 * Organization Owners, who are implicitly Project Owners everywhere.
 */
function satisfies(orgRole: NonNullable<SimulatorAccess['orgRole']>, required: string): boolean {
  const rank = orgRank(orgRole);
  if (required === 'Organization Member') return rank >= 1;
  if (required === 'Organization Read Only' || required === 'Project Read Only') return rank >= 2;
  return rank >= 3;
}

const BY_PATH = new Map<string, Operation>(
  Object.values(operations).map((op): [string, Operation] => [`${op.method} ${op.path}`, op]),
);

/**
 * The least roles (`x-rolesRequirements`, test/sim/contract.test.ts checks them against the extracts)
 * of the database-access operations the simulator serves, for as long as the collector's and the plan's
 * operation tables do not list them; theirs win once they do.
 */
const DATABASE_ROLES = new Map<string, readonly string[]>([
  ['GET /api/atlas/v2/groups/{groupId}/databaseUsers', ['Project Read Only']],
  ['GET /api/atlas/v2/groups/{groupId}/databaseUsers/{username}/certs', ['Project Read Only']],
  ['GET /api/atlas/v2/groups/{groupId}/customDBRoles/roles', ['Project Read Only']],
  ['GET /api/atlas/v2/groups/{groupId}/accessList', ['Project Read Only']],
  ['GET /api/atlas/v2/groups/{groupId}/clusters', ['Project Read Only']],
  [
    'GET /api/atlas/v2/groups/{groupId}/dbAccessHistory/clusters/{clusterName}',
    ['Project Cluster Log Viewer', 'Project Database Access Admin'],
  ],
  [
    'DELETE /api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}',
    ['Project Database Access Admin', 'Project Stream Processing Owner'],
  ],
  [
    'PATCH /api/atlas/v2/groups/{groupId}/databaseUsers/{databaseName}/{username}',
    ['Project Database Access Admin', 'Project Stream Processing Owner'],
  ],
  ['DELETE /api/atlas/v2/groups/{groupId}/accessList/{entryValue}', ['Project Network Access Manager']],
]);

/** The least roles of a route (`GET /api/atlas/v2/orgs/{orgId}/users`), or null when the table has none. */
export function rolesOf(endpoint: string): readonly string[] | null {
  return BY_PATH.get(endpoint)?.roles ?? DATABASE_ROLES.get(endpoint) ?? null;
}

/** Decides a request: null when allowed, or the 403 Atlas would answer. */
export function authorize(
  access: SimulatorAccess | undefined,
  roles: readonly string[] | null,
  remoteAddress: string,
): Refusal | null {
  if (!access) return null;
  const address = remoteAddress.replace(/^::ffff:/, '');
  if (access.allowedIps && !access.allowedIps.includes(address)) {
    return {
      status: 403,
      errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST',
      detail: `IP address ${address} is not allowed to access this resource.`,
      parameters: [address],
    };
  }
  const orgRole = access.orgRole ?? 'ORG_OWNER';
  if (roles && roles.length > 0 && !roles.some((r) => satisfies(orgRole, r))) {
    return {
      status: 403,
      errorCode: 'USER_UNAUTHORIZED',
      detail: 'Current user is not authorized to perform this action.',
      parameters: [],
    };
  }
  return null;
}
