/**
 * Roster phase of the report model: every organization's identities, teams and project invitations,
 * built by one section builder per subject kind, then sorted. A new identity kind (database users are
 * next) is one builder in this folder and one line in SECTION_BUILDERS.
 */
import type { NotEvaluated } from '../../../audit/types.js';
import { compareText } from '../../../domain/compare-text.js';
import { teamsOfUsers } from '../../../domain/team-membership.js';
import type { Organization, Snapshot } from '../../../snapshot/schema.js';
import type {
  DatabaseAccess,
  IdentityCounts,
  OrgSummary,
  ProgrammaticRow,
  ProjectInvitationRow,
  RosterRow,
  TeamRow,
} from '../../model.js';
import type { FindingIndex } from '../finding-rows.js';
import { orgSummary } from '../organizations.js';
import { groupByReason, zeroIdentities } from '../shared.js';
import { apiKeySection } from './api-keys.js';
import type { OrgContext, SectionBuilder, SectionOutput } from './context.js';
import {
  addDatabaseCounts,
  databaseUserSection,
  minPrefixOf,
  zeroDatabaseCounts,
} from './database-access.js';
import { projectInvitationSection } from './project-invitations.js';
import { serviceAccountSection } from './service-accounts.js';
import { teamSection } from './teams.js';
import { userSection } from './users.js';

/** Every subject kind's builder, run in this order for each organization. */
const SECTION_BUILDERS: readonly SectionBuilder[] = [
  userSection,
  apiKeySection,
  serviceAccountSection,
  projectInvitationSection,
  teamSection,
  databaseUserSection,
];

/** The estate's sections, sorted, with the organizations' summaries and totals. */
export interface Sections {
  /** Sorted by name, then id. */
  organizations: OrgSummary[];
  roster: RosterRow[];
  teams: TeamRow[];
  programmatic: ProgrammaticRow[];
  projectInvitations: ProjectInvitationRow[];
  databaseAccess: DatabaseAccess;
  identities: IdentityCounts;
  teamTotal: number;
  projectTotal: number;
}

function orgContext(
  org: Organization,
  asOf: Date,
  findings: FindingIndex,
  notEvaluated: readonly NotEvaluated[],
  minPrefix: { ipv4: number; ipv6: number },
): OrgContext {
  return {
    org,
    asOf,
    findings,
    projectNames: new Map(org.projects.map((p) => [p.id, p.name])),
    teamNames: new Map(org.teams.map((t) => [t.id, t.name])),
    usernames: new Map(org.users.map((u) => [u.id, u.username])),
    // Membership from both sides: the users endpoint's teamIds and the team-users endpoint.
    userTeams: teamsOfUsers(org),
    minPrefix,
    notEvaluated: (kind) =>
      groupByReason(notEvaluated.filter((n) => n.subjectKind === kind)).map(
        (g) => `${g.reason}: ${g.rules.join(', ')}`,
      ),
  };
}

/** Runs every section builder over every organization (sorted by name, then id). */
export function buildSections(
  snapshot: Snapshot,
  notEvaluatedByOrg: ReadonlyMap<string, NotEvaluated[]>,
  findings: FindingIndex,
  asOf: Date,
  minPrefix: { ipv4: number; ipv6: number } = minPrefixOf(undefined),
): Sections {
  const sections: Sections = {
    organizations: [],
    roster: [],
    teams: [],
    programmatic: [],
    projectInvitations: [],
    databaseAccess: {
      collected: {
        databaseUsers: true,
        customRoles: true,
        networkAccess: true,
        clusters: true,
        accessHistory: true,
      },
      counts: zeroDatabaseCounts(),
      projects: [],
    },
    identities: zeroIdentities(),
    teamTotal: 0,
    projectTotal: 0,
  };
  const orgs = [...snapshot.organizations].sort(
    (a, b) => compareText(a.name, b.name) || compareText(a.id, b.id),
  );
  for (const org of orgs) {
    const notEvaluated = notEvaluatedByOrg.get(org.id) ?? [];
    const ctx = orgContext(org, asOf, findings, notEvaluated, minPrefix);
    const ids = zeroIdentities();
    const out: SectionOutput = {
      ids,
      roster: sections.roster,
      programmatic: sections.programmatic,
      teams: sections.teams,
      projectInvitations: sections.projectInvitations,
      databaseProjects: sections.databaseAccess.projects,
    };
    const rosterStart = sections.roster.length;
    for (const build of SECTION_BUILDERS) build(ctx, out);
    ids.total = sections.roster.length - rosterStart;
    sections.organizations.push(orgSummary(org, ids, findings, notEvaluated));
    sections.teamTotal += org.teams.length;
    sections.projectTotal += org.projects.length;
    const collected = sections.databaseAccess.collected;
    for (const part of Object.keys(collected) as Array<keyof typeof collected>)
      collected[part] = collected[part] && org.coverage[part];
    for (const f of Object.keys(ids) as Array<keyof IdentityCounts>) sections.identities[f] += ids[f];
  }
  if (orgs.length === 0) {
    const c = sections.databaseAccess.collected;
    for (const part of Object.keys(c) as Array<keyof typeof c>) c[part] = false;
  }
  for (const p of sections.databaseAccess.projects)
    addDatabaseCounts(sections.databaseAccess.counts, p.counts);
  sortSections(sections);
  return sections;
}

const KIND_ORDER: Record<RosterRow['kind'], number> = {
  user: 0,
  invitation: 1,
  apiKey: 2,
  serviceAccount: 3,
  databaseUser: 4,
  networkAccessEntry: 5,
};

function sortSections(s: Sections): void {
  s.roster.sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      compareText(a.name, b.name) ||
      compareText(a.id, b.id),
  );
  s.teams.sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.name, b.name) ||
      compareText(a.id, b.id),
  );
  s.programmatic.sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.kind, b.kind) ||
      compareText(a.name, b.name) ||
      compareText(a.id, b.id),
  );
  s.projectInvitations.sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.projectName, b.projectName) ||
      compareText(a.username, b.username) ||
      compareText(a.id, b.id),
  );
}
