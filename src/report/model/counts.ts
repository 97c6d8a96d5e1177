/**
 * Counts phase of the report model: the organizations' summaries and every number the summary shows
 * (identities, teams, projects, database access), taken from the snapshot and the finding index
 * without building a roster, team or database user row. `audit --format text` prints counts and
 * findings only, so it never pays for the rows (docs/report.md, "The report model").
 *
 * Each count applies the predicate its row builder in sections/ applies; the model test recounts
 * them from the built rows for the fixtures and a generated estate.
 */
import type { NotEvaluated } from '../../audit/types.js';
import { compareText } from '../../domain/compare-text.js';
import { networkAccessEntryId, networkEntryText } from '../../domain/database-access.js';
import { nonHumanUser } from '../../domain/identities.js';
import { identityKey } from '../../domain/keys.js';
import type { Organization, Snapshot } from '../../snapshot/schema.js';
import type { DatabaseAccess, DatabaseAccessCounts, IdentityCounts, OrgSummary } from '../model.js';
import type { FindingIndex } from './finding-rows.js';
import { orgSummary } from './organizations.js';
import {
  addDatabaseCounts,
  databaseAccessCollected,
  projectDatabaseCounts,
  zeroDatabaseCounts,
} from './sections/database-access.js';
import { zeroIdentities } from './shared.js';

/** The estate's counts and the organizations' summaries. */
export interface EstateCounts {
  /** Sorted by name, then id. */
  organizations: OrgSummary[];
  identities: IdentityCounts;
  teams: number;
  projects: number;
  /** The database access datasets collected everywhere, and their counts (the projects are rows). */
  databaseAccess: Pick<DatabaseAccess, 'collected' | 'counts'>;
}

/** Organizations sorted as every section lists them: by name, then id. */
export function sortedOrganizations(snapshot: Snapshot): Organization[] {
  return [...snapshot.organizations].sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
}

/**
 * One org's identity counts as its roster rows would count them: users and invitations, API keys,
 * service accounts, and where database access was collected, its database users and the access list
 * entries a rule flagged (sections/database-access.ts gives those a Review row).
 */
function identityCounts(org: Organization, findings: FindingIndex): IdentityCounts {
  const ids = zeroIdentities();
  for (const u of org.users) {
    if (u.status === 'ACTIVE') ids.users++;
    else if (u.status === 'PENDING') ids.pendingInvitations++;
    else ids.staleInvitations++;
    if (u.orgRoles.includes('ORG_OWNER') && u.status === 'ACTIVE') ids.ownerUsers++;
    if (nonHumanUser(u.username) !== null) ids.nonHumanUsers++;
  }
  for (const k of org.apiKeys) {
    ids.apiKeys++;
    if (k.orgRoles.includes('ORG_OWNER')) ids.ownerProgrammatic++;
  }
  for (const sa of org.serviceAccounts) {
    ids.serviceAccounts++;
    if (sa.orgRoles.includes('ORG_OWNER')) ids.ownerProgrammatic++;
    if (sa.systemManaged) ids.systemManagedServiceAccounts++;
  }
  ids.projectInvitations = org.projectInvitations.length;
  if (databaseAccessCollected(org))
    for (const p of org.projects) {
      ids.databaseUsers += p.databaseUsers.length;
      for (const e of p.networkAccess) {
        const key = identityKey(
          org.id,
          'networkAccessEntry',
          networkAccessEntryId(p.id, networkEntryText(e)),
        );
        if (findings.flaggedNetworkEntries.has(key)) ids.accessListEntries++;
      }
    }
  ids.total =
    org.users.length +
    org.apiKeys.length +
    org.serviceAccounts.length +
    ids.databaseUsers +
    ids.accessListEntries;
  return ids;
}

/** Every organization's summary and the estate's counts, in one pass over the snapshot. */
export function countEstate(
  snapshot: Snapshot,
  notEvaluatedByOrg: ReadonlyMap<string, NotEvaluated[]>,
  findings: FindingIndex,
  minPrefix: { ipv4: number; ipv6: number },
): EstateCounts {
  const orgs = sortedOrganizations(snapshot);
  const identities = zeroIdentities();
  const databaseCounts: DatabaseAccessCounts = zeroDatabaseCounts();
  // A dataset counts as collected when every organization has it; with no organization, none is.
  const collected: DatabaseAccess['collected'] = {
    databaseUsers: orgs.length > 0,
    customRoles: orgs.length > 0,
    networkAccess: orgs.length > 0,
    clusters: orgs.length > 0,
    accessHistory: orgs.length > 0,
  };
  const organizations: OrgSummary[] = [];
  let teams = 0;
  let projects = 0;
  for (const org of orgs) {
    const ids = identityCounts(org, findings);
    organizations.push(orgSummary(org, ids, findings, notEvaluatedByOrg.get(org.id) ?? []));
    for (const f of Object.keys(ids) as Array<keyof IdentityCounts>) identities[f] += ids[f];
    teams += org.teams.length;
    projects += org.projects.length;
    for (const part of Object.keys(collected) as Array<keyof typeof collected>)
      collected[part] = collected[part] && org.coverage[part];
    if (databaseAccessCollected(org))
      for (const p of org.projects)
        addDatabaseCounts(databaseCounts, projectDatabaseCounts(org, p, minPrefix));
  }
  return {
    organizations,
    identities,
    teams,
    projects,
    databaseAccess: { collected, counts: databaseCounts },
  };
}
