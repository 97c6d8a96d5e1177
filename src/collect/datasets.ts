/**
 * The datasets a collection reads, one per Atlas listing, with the operation that reads it and what it
 * is read for (once, per org, per team, per project, per API key, per service account). The collector
 * reads them; `doctor` probes each once; the README's least-role table is checked against this list
 * (test/collect/datasets.test.ts), so the role a user is told to grant is the one the spec names.
 */
import { type Operation, operations } from '../atlas/operations.js';
import type { OptionalDataset } from '../snapshot/optional-datasets.js';
import type { ApiKind } from '../snapshot/schema.js';

/**
 * Query parameters the collection sends beyond paging, shared with `doctor` so that its probe asks
 * exactly what `collect` asks: every membership status (2025-02-19 lists only ACTIVE and PENDING by
 * default), and the Atlas-managed service accounts the spec leaves out unless asked.
 */
export const ALL_MEMBERSHIP_STATUSES_QUERY: ReadonlyArray<[string, string]> = (
  ['ACTIVE', 'PENDING', 'INVITATION_EXPIRED', 'INVITATION_REJECTED'] as const
).map((s): [string, string] => ['orgMembershipStatuses', s]);
export const SYSTEM_MANAGED_QUERY: ReadonlyArray<[string, string]> = [['includeSystemManaged', 'true']];

/** What one request of the dataset is for: the caller, an org, or one item of an org listing. */
export type DatasetScope =
  | 'caller'
  | 'org'
  | 'team'
  | 'project'
  | 'apiKey'
  | 'serviceAccount'
  /** An `x509-managed` database user of a project (its certificates). */
  | 'databaseUser'
  /** A dedicated cluster of a project (its access history). */
  | 'cluster';

export interface Dataset {
  /** Stable id, used by `doctor` output and `--include`. */
  id: string;
  /** What it holds, in a few words (a column of `doctor`'s table). */
  label: string;
  api: ApiKind;
  operation: Operation;
  scope: DatasetScope;
  /** Read only when named with `--include`; otherwise the snapshot's coverage says it was not read. */
  optional: OptionalDataset | null;
}

function dataset(d: Dataset): Dataset {
  return d;
}

export const DATASETS: readonly Dataset[] = [
  dataset({
    id: 'organizations',
    label: 'organizations visible',
    api: 'atlas-v2',
    operation: operations.listOrgs,
    scope: 'caller',
    optional: null,
  }),
  dataset({
    id: 'users',
    label: 'users and invitations',
    api: 'atlas-v2',
    operation: operations.listOrgUsers,
    scope: 'org',
    optional: null,
  }),
  dataset({
    id: 'teams',
    label: 'teams',
    api: 'atlas-v2',
    operation: operations.listOrgTeams,
    scope: 'org',
    optional: null,
  }),
  dataset({
    id: 'team-members',
    label: 'team members',
    api: 'atlas-v2',
    operation: operations.listOrgTeamUsers,
    scope: 'team',
    optional: null,
  }),
  dataset({
    id: 'projects',
    label: 'projects',
    api: 'atlas-v2',
    operation: operations.getOrgGroups,
    scope: 'org',
    optional: null,
  }),
  dataset({
    id: 'project-teams',
    label: 'project teams',
    api: 'atlas-v2',
    operation: operations.listGroupTeams,
    scope: 'project',
    optional: null,
  }),
  dataset({
    id: 'api-keys',
    label: 'API keys',
    api: 'atlas-v2',
    operation: operations.listOrgApiKeys,
    scope: 'org',
    optional: null,
  }),
  dataset({
    id: 'api-key-access-lists',
    label: 'API key access lists',
    api: 'atlas-v2',
    operation: operations.listOrgApiKeyAccessListEntries,
    scope: 'apiKey',
    optional: null,
  }),
  dataset({
    id: 'project-api-keys',
    label: 'project API keys',
    api: 'atlas-v2',
    operation: operations.listGroupApiKeys,
    scope: 'project',
    optional: null,
  }),
  dataset({
    id: 'service-accounts',
    label: 'service accounts',
    api: 'atlas-v2',
    operation: operations.listOrgServiceAccounts,
    scope: 'org',
    optional: null,
  }),
  dataset({
    id: 'service-account-projects',
    label: 'service account projects',
    api: 'atlas-v2',
    operation: operations.getOrgServiceAccountGroups,
    scope: 'serviceAccount',
    optional: null,
  }),
  dataset({
    id: 'service-account-access-lists',
    label: 'service account access lists',
    api: 'atlas-v2',
    operation: operations.listOrgServiceAccountAccessList,
    scope: 'serviceAccount',
    optional: null,
  }),
  dataset({
    id: 'project-service-accounts',
    label: 'project service accounts',
    api: 'atlas-v2',
    operation: operations.listGroupServiceAccounts,
    scope: 'project',
    optional: null,
  }),
  dataset({
    id: 'settings',
    label: 'org settings',
    api: 'atlas-v2',
    operation: operations.getOrgSettings,
    scope: 'org',
    optional: null,
  }),
  dataset({
    id: 'project-invitations',
    label: 'project invitations',
    api: 'atlas-v2',
    operation: operations.listGroupInvites,
    scope: 'project',
    optional: 'project-invitations',
  }),
  dataset({
    id: 'database-users',
    label: 'database users',
    api: 'atlas-v2',
    operation: operations.listGroupDatabaseUsers,
    scope: 'project',
    optional: null,
  }),
  dataset({
    id: 'database-user-certs',
    label: 'X.509 certificates',
    api: 'atlas-v2',
    operation: operations.listGroupDatabaseUserCerts,
    scope: 'databaseUser',
    optional: null,
  }),
  dataset({
    id: 'custom-roles',
    label: 'custom database roles',
    api: 'atlas-v2',
    operation: operations.listGroupCustomDbRoleRoles,
    scope: 'project',
    optional: null,
  }),
  dataset({
    id: 'network-access',
    label: 'project IP access list',
    api: 'atlas-v2',
    operation: operations.listGroupAccessListEntries,
    scope: 'project',
    optional: null,
  }),
  dataset({
    id: 'clusters',
    label: 'clusters',
    api: 'atlas-v2',
    operation: operations.listGroupClusters,
    scope: 'project',
    optional: null,
  }),
  dataset({
    id: 'access-history',
    label: 'database access history',
    api: 'atlas-v2',
    operation: operations.getGroupDbAccessHistoryCluster,
    scope: 'cluster',
    optional: 'access-history',
  }),
  dataset({
    id: 'organizations',
    label: 'organizations visible',
    api: 'cloud-manager',
    operation: operations.legacyListOrgs,
    scope: 'caller',
    optional: null,
  }),
  dataset({
    id: 'organization',
    label: 'organization',
    api: 'cloud-manager',
    operation: operations.legacyGetOrg,
    scope: 'org',
    optional: null,
  }),
  dataset({
    id: 'users',
    label: 'users',
    api: 'cloud-manager',
    operation: operations.legacyListOrgUsers,
    scope: 'org',
    optional: null,
  }),
  dataset({
    id: 'projects',
    label: 'projects',
    api: 'cloud-manager',
    operation: operations.legacyListOrgGroups,
    scope: 'org',
    optional: null,
  }),
];

/** The datasets a collection with these options reads. */
export function datasetsFor(api: ApiKind, include: readonly OptionalDataset[] = []): Dataset[] {
  return DATASETS.filter((d) => d.api === api && (d.optional === null || include.includes(d.optional)));
}

/** Human name of the least role(s) of a dataset: "Organization Read Only", or "any role" when the spec names none. */
export function leastRoleText(d: Dataset): string {
  return d.operation.roles.length > 0 ? d.operation.roles.join(' or ') : 'any org role';
}
