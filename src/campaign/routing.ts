/**
 * Routing: the reviewer of every Review row of a campaign (docs/review.md, "Campaigns"). Pure: the
 * rows, the snapshot, the roster and the policy's `review` section give one reviewer and the route
 * that chose them per row, in the rows' order, the same on every run.
 *
 * Routes are tried in the policy's order (`review.routing`), the fallback implied last:
 * - `manager`: the roster's manager of the person whose email or alias is the user's username (users
 *   and invitations; OIDC and LDAP database users by the address their identity states);
 * - `teamOwner`: `review.teamOwners` by team id or name, over the teams the user belongs to by
 *   either source (src/domain/team-membership.ts), in team-name order;
 * - `projectOwner`: `review.projectOwners` by project id or name, over the projects the identity
 *   holds roles in (users directly or through a team, API keys and service accounts), or the project
 *   a database user or access list entry belongs to, in project-name order;
 * - `fallback`: `review.orgFallbackReviewers` by org id or name, then `review.fallbackReviewer`.
 * A route whose reviewer is the row's subject (by normalised address, and every alias the roster
 * knows for them) or a subject of one of the row's findings is skipped, so nobody reviews themself.
 */

import { compareText } from '../domain/compare-text.js';
import { databaseIdentity } from '../domain/database-identity.js';
import { teamsOfUsers } from '../domain/team-membership.js';
import type { RosterPerson } from '../roster/roster.js';
import type { Organization, Snapshot } from '../snapshot/schema.js';
import { isMailbox, normaliseAddress } from '../util/address.js';
import type { ReviewPolicy, Route } from './policy.js';

/** One Review row as routing reads it (structural: the report's RosterRow is one). */
export interface RoutableRow {
  /** The Review sheet's Identity key. */
  key: string;
  orgId: string;
  /** user, apiKey, serviceAccount, databaseUser or networkAccessEntry. */
  subjectType: string;
  /** The subject's id within the org (a user's id; `projectId/...` for database access). */
  id: string;
  /** Username, public key, service account or database user name. */
  name: string;
  /** Names of the subjects of the row's findings (addresses among them are never its reviewer). */
  findingSubjects: readonly string[];
}

/** The reviewer a row was routed to, and the route that chose them. */
export interface RoutedRow {
  key: string;
  /** Normalised address (src/util/address.ts). */
  reviewer: string;
  route: Route;
}

/** A row no route could give a reviewer to: the policy lacks a (usable) fallback reviewer. */
export class NoReviewerError extends Error {
  constructor(
    readonly rowKey: string,
    readonly subject: string,
    readonly orgName: string,
  ) {
    super(`no reviewer for ${subject} (${rowKey}) of ${orgName}`);
    this.name = 'NoReviewerError';
  }
}

/** A person's addresses as the roster knows them; the address alone without a roster entry. */
type PersonOf = (address: string) => RosterPerson | undefined;

interface OrgIndex {
  org: Organization;
  usersById: Map<string, Organization['users'][number]>;
  teamsOfUser: Map<string, Set<string>>;
  teamsById: Map<string, Organization['teams'][number]>;
  projectsById: Map<string, Organization['projects'][number]>;
  /** teamId -> ids of the projects the team holds roles in. */
  projectsOfTeam: Map<string, string[]>;
  programmatic: Map<string, { projectRoles: ReadonlyArray<{ projectId: string }> }>;
  databaseUsers: Map<string, { username: string; authKind: string }>;
}

function indexOrg(org: Organization): OrgIndex {
  const projectsOfTeam = new Map<string, string[]>();
  for (const p of org.projects)
    for (const t of p.teams) projectsOfTeam.set(t.teamId, [...(projectsOfTeam.get(t.teamId) ?? []), p.id]);
  const databaseUsers = new Map<string, { username: string; authKind: string }>();
  for (const p of org.projects)
    for (const u of p.databaseUsers) databaseUsers.set(`${p.id}/${u.databaseName}/${u.username}`, u);
  return {
    org,
    usersById: new Map(org.users.map((u) => [u.id, u])),
    teamsOfUser: teamsOfUsers(org),
    teamsById: new Map(org.teams.map((t) => [t.id, t])),
    projectsById: new Map(org.projects.map((p) => [p.id, p])),
    projectsOfTeam,
    programmatic: new Map<string, { projectRoles: ReadonlyArray<{ projectId: string }> }>([
      ...org.apiKeys.map((k) => [k.id, k] as const),
      ...org.serviceAccounts.map((s) => [s.clientId, s] as const),
    ]),
    databaseUsers,
  };
}

/** The address a row's subject stands for: a user's username, an OIDC/LDAP database user's address. */
function subjectAddress(row: RoutableRow, ix: OrgIndex): string | null {
  if (row.subjectType === 'user') return ix.usersById.get(row.id)?.username ?? row.name;
  if (row.subjectType === 'databaseUser') {
    const u = ix.databaseUsers.get(row.id);
    return u ? (databaseIdentity(u)?.address ?? null) : null;
  }
  return null;
}

/** Everyone who must not review the row: its subject and its findings' subjects, with their aliases. */
function excludedAddresses(row: RoutableRow, ix: OrgIndex, personOf: PersonOf): Set<string> {
  const out = new Set<string>();
  const address = subjectAddress(row, ix);
  for (const name of [row.name, ...row.findingSubjects, ...(address ? [address] : [])]) {
    const n = normaliseAddress(name);
    out.add(n);
    const person = personOf(n);
    if (person) for (const a of [person.email, ...person.aliases]) out.add(normaliseAddress(a));
  }
  return out;
}

/** `map[id] ?? map[name]`: policies name teams, projects and orgs by id or by name. */
function byIdOrName(map: Readonly<Record<string, string>>, id: string, name: string): string | undefined {
  return Object.hasOwn(map, id) ? map[id] : Object.hasOwn(map, name) ? map[name] : undefined;
}

/** Ids of the projects a row's identity is reviewed under (see the module comment). */
function projectIdsOf(row: RoutableRow, ix: OrgIndex): string[] {
  switch (row.subjectType) {
    case 'user': {
      const user = ix.usersById.get(row.id);
      const direct = user?.projectRoles.map((r) => r.projectId) ?? [];
      const viaTeams = [...(ix.teamsOfUser.get(row.id) ?? [])].flatMap((t) => ix.projectsOfTeam.get(t) ?? []);
      return [...direct, ...viaTeams];
    }
    case 'apiKey':
    case 'serviceAccount':
      return ix.programmatic.get(row.id)?.projectRoles.map((r) => r.projectId) ?? [];
    case 'databaseUser':
    case 'networkAccessEntry':
      return [row.id.slice(0, row.id.indexOf('/'))];
    default:
      return [];
  }
}

/** The candidate reviewers of one route for one row, best first (before the self-review check). */
function candidates(
  route: Route,
  row: RoutableRow,
  ix: OrgIndex,
  policy: ReviewPolicy,
  personOf: PersonOf,
): string[] {
  switch (route) {
    case 'manager': {
      const address = subjectAddress(row, ix);
      const manager = address ? personOf(normaliseAddress(address))?.manager : null;
      return manager ? [manager] : [];
    }
    case 'teamOwner': {
      if (row.subjectType !== 'user') return [];
      const teams = [...(ix.teamsOfUser.get(row.id) ?? [])]
        .map((id) => ix.teamsById.get(id))
        .filter((t) => t !== undefined)
        .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
      return teams.flatMap((t) => byIdOrName(policy.teamOwners, t.id, t.name) ?? []);
    }
    case 'projectOwner': {
      const projects = [...new Set(projectIdsOf(row, ix))]
        .map((id) => ix.projectsById.get(id) ?? { id, name: id })
        .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
      return projects.flatMap((p) => byIdOrName(policy.projectOwners, p.id, p.name) ?? []);
    }
    case 'fallback': {
      const org = byIdOrName(policy.orgFallbackReviewers, ix.org.id, ix.org.name);
      return [...(org ? [org] : []), ...(policy.fallbackReviewer ? [policy.fallbackReviewer] : [])];
    }
  }
}

/**
 * Routes every row (see the module comment). Throws NoReviewerError for the first row no route
 * answers: no fallback reviewer is configured, or the only ones are the row's own subjects.
 */
export function routeRows(
  rows: readonly RoutableRow[],
  snapshot: Snapshot,
  personOf: PersonOf | null,
  policy: ReviewPolicy,
): RoutedRow[] {
  const orgs = new Map(snapshot.organizations.map((o) => [o.id, indexOrg(o)]));
  const lookup: PersonOf = personOf ?? (() => undefined);
  // Without a roster there are no managers: the route is skipped (the campaign records roster null).
  const routes = [
    ...policy.routing.filter((r) => r !== 'fallback' && (r !== 'manager' || personOf)),
    'fallback',
  ] as const;
  return rows.map((row) => {
    const ix = orgs.get(row.orgId);
    if (!ix) throw new Error(`internal: row ${row.key} names an organization not in the snapshot`);
    const excluded = excludedAddresses(row, ix, lookup);
    for (const route of routes) {
      for (const candidate of candidates(route, row, ix, policy, lookup)) {
        const reviewer = normaliseAddress(candidate);
        // A roster's manager cell that is no mailbox (a name, a list, a formula) is no reviewer: nobody
        // could be reminded, and one such address would stop `review remind` for every reviewer.
        if (!excluded.has(reviewer) && isMailbox(reviewer)) return { key: row.key, reviewer, route };
      }
    }
    throw new NoReviewerError(row.key, row.name, ix.org.name);
  });
}
