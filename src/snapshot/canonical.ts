import { compareText } from '../domain/compare-text.js';
import type { Organization, User } from './schema.js';

const sortStrings = (values: readonly string[]): string[] => [...new Set(values)].sort(compareText);

/**
 * Puts an organization in canonical order: every list sorted by its id, role and id lists sorted and
 * de-duplicated. Collected snapshots are written in this order so that two collections of the same
 * estate are byte-identical and diffs mean something.
 */
export function canonicalizeOrganization(org: Organization): Organization {
  return {
    ...org,
    users: [...org.users].map(canonicalizeUser).sort((a, b) => compareText(a.id, b.id)),
    teams: org.teams
      .map((team) => ({ ...team, memberIds: sortStrings(team.memberIds) }))
      .sort((a, b) => compareText(a.id, b.id)),
    projects: org.projects
      .map((project) => ({
        ...project,
        teams: project.teams
          .map((t) => ({ teamId: t.teamId, roles: sortStrings(t.roles) }))
          .sort((a, b) => compareText(a.teamId, b.teamId)),
      }))
      .sort((a, b) => compareText(a.id, b.id)),
    apiKeys: org.apiKeys
      .map((key) => ({
        ...key,
        orgRoles: sortStrings(key.orgRoles),
        projectRoles: canonicalProjectRoles(key.projectRoles),
        accessList: [...key.accessList].sort((a, b) =>
          compareText(a.cidrBlock ?? a.ipAddress ?? '', b.cidrBlock ?? b.ipAddress ?? ''),
        ),
      }))
      .sort((a, b) => compareText(a.id, b.id)),
    serviceAccounts: org.serviceAccounts
      .map((sa) => ({
        ...sa,
        orgRoles: sortStrings(sa.orgRoles),
        secrets: [...sa.secrets].sort((a, b) => compareText(a.id, b.id)),
      }))
      .sort((a, b) => compareText(a.clientId, b.clientId)),
    completeness: [...org.completeness].sort((a, b) => compareText(a.endpoint, b.endpoint)),
    notes: [...org.notes].sort(compareText),
  };
}

function canonicalizeUser(user: User): User {
  return {
    ...user,
    orgRoles: sortStrings(user.orgRoles),
    projectRoles: canonicalProjectRoles(user.projectRoles),
    teamIds: sortStrings(user.teamIds),
  };
}

function canonicalProjectRoles(
  roles: ReadonlyArray<{ projectId: string; roles: string[] }>,
): Array<{ projectId: string; roles: string[] }> {
  const merged = new Map<string, string[]>();
  for (const entry of roles)
    merged.set(entry.projectId, [...(merged.get(entry.projectId) ?? []), ...entry.roles]);
  return [...merged.entries()]
    .map(([projectId, r]) => ({ projectId, roles: sortStrings(r) }))
    .filter((entry) => entry.roles.length > 0)
    .sort((a, b) => compareText(a.projectId, b.projectId));
}
