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
  DatabaseProjectRow,
  ProgrammaticRow,
  ProjectInvitationRow,
  RosterRow,
  TeamRow,
} from '../../model.js';
import { sortedOrganizations } from '../counts.js';
import type { FindingIndex } from '../finding-rows.js';
import { groupByReason } from '../shared.js';
import { apiKeySection } from './api-keys.js';
import type { OrgContext, SectionBuilder } from './context.js';
import { databaseUserSection, minPrefixOf } from './database-access.js';
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

/** The estate's rows, sorted (the counts and the organizations' summaries are ../counts.ts). */
export interface Sections {
  roster: RosterRow[];
  teams: TeamRow[];
  programmatic: ProgrammaticRow[];
  projectInvitations: ProjectInvitationRow[];
  /** Database access per project, by organization, then project name and id. */
  databaseProjects: DatabaseProjectRow[];
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

/**
 * Runs every section builder over every organization (sorted by name, then id). Only the renderers
 * that show rows read them (the report model builds this on first access).
 */
export function buildSections(
  snapshot: Snapshot,
  notEvaluatedByOrg: ReadonlyMap<string, NotEvaluated[]>,
  findings: FindingIndex,
  asOf: Date,
  minPrefix: { ipv4: number; ipv6: number } = minPrefixOf(undefined),
): Sections {
  const sections: Sections = {
    roster: [],
    teams: [],
    programmatic: [],
    projectInvitations: [],
    databaseProjects: [],
  };
  for (const org of sortedOrganizations(snapshot)) {
    const ctx = orgContext(org, asOf, findings, notEvaluatedByOrg.get(org.id) ?? [], minPrefix);
    for (const build of SECTION_BUILDERS) build(ctx, sections);
  }
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
