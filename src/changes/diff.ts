/**
 * Changes between two snapshots (docs/review.md, "`diff <old> <new>`: changes between two snapshots"): joiners and leavers
 * (members), invitations sent and removed, invitation status changes, role changes with privilege escalations called out, team membership, and new or
 * removed teams, projects, API keys and service accounts.
 *
 * Pure: a function of two canonical snapshots. Matching is by Atlas id; a user that is unmatched by id
 * is matched by username when the old entry was an invitation, because accepting an invitation can give
 * the member a different id than the invitation had. Changes are data; prose is produced by
 * src/changes/format-diff.ts.
 */

import { compareText } from '../domain/compare-text.js';
import type { SubjectKind } from '../domain/subject.js';
import { teamsOfUsers } from '../domain/team-membership.js';
import type { Organization, ServiceAccount, Snapshot, User } from '../snapshot/schema.js';
import { DATABASE_CHANGE_KINDS, diffDatabaseAccess } from './diff-database.js';

/** Role names whose new grant is a privilege escalation (called out in every format). */
const PRIVILEGED_ROLES = ['ORG_OWNER', 'GROUP_OWNER'] as const;

/** Every kind of change the diff reports. */
export const CHANGE_KINDS = [
  'org-added',
  'org-removed',
  'org-renamed',
  'org-settings-changed',
  'user-joined',
  'user-left',
  'invitation-sent',
  'invitation-removed',
  'user-status-changed',
  'user-org-roles-changed',
  'user-project-roles-changed',
  'user-teams-changed',
  'team-added',
  'team-removed',
  'team-renamed',
  'team-project-roles-changed',
  'project-added',
  'project-removed',
  'project-renamed',
  'api-key-added',
  'api-key-removed',
  'api-key-roles-changed',
  'api-key-access-list-changed',
  'service-account-added',
  'service-account-removed',
  'service-account-roles-changed',
  'service-account-secrets-changed',
  ...DATABASE_CHANGE_KINDS,
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** What a change is about. `id` is the Atlas id in the newer snapshot (the older one when removed). */
interface ChangeSubject {
  /** Every subject kind but custom roles, whose changes the diff does not name. */
  type: Exclude<SubjectKind, 'customRole'>;
  id: string;
  /** Username, team/project/org name, API key public key, service account name. */
  name: string;
}

/** One change. Fields not meaningful for a kind are null or empty. */
export interface Change {
  kind: ChangeKind;
  orgId: string;
  orgName: string;
  subject: ChangeSubject;
  /** Old value for status, name and setting changes (e.g. `PENDING`); null otherwise. */
  from: string | null;
  /** New value for status, name and setting changes (e.g. `ACTIVE`); null otherwise. */
  to: string | null;
  /**
   * Short label of a status change: `invitation accepted`, `invitation expired`, `invitation rejected`,
   * `re-invited`; null for other kinds.
   */
  label: string | null;
  /**
   * What was granted or added: org roles (`ORG_OWNER`), project roles (`Project: GROUP_OWNER`), team
   * names, access-list entries, secret ids; for joiners and new identities, everything they hold.
   */
  added: string[];
  /** What was removed; for leavers and removed identities, everything they held. */
  removed: string[];
  /**
   * Privileged grants this change gives (`ORG_OWNER`, `Project: GROUP_OWNER`, or
   * `Project: GROUP_OWNER via team admins`). Non-empty means a privilege escalation.
   */
  escalations: string[];
  /** For a user matched by username (invitation accepted under a new id): the invitation's id. */
  previousId: string | null;
}

/** Changes of one organization. */
interface OrgDiff {
  orgId: string;
  orgName: string;
  /** `added`/`removed` when the whole org appears in one snapshot only. */
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  /** Sorted by kind (CHANGE_KINDS order), subject name, subject id. */
  changes: Change[];
}

/** One side of the comparison. */
interface DiffSide {
  collectedAt: string;
  /** sha256 of the snapshot file, when the caller read it from disk. */
  sha256: string | null;
  file: string | null;
}

/** The result of {@link diffSnapshots}. Field order is the JSON output's key order. */
export interface SnapshotDiff {
  diffSchemaVersion: 1;
  old: DiffSide;
  new: DiffSide;
  summary: {
    /** Number of changes per kind; every kind present, zero included. */
    byKind: Record<ChangeKind, number>;
    total: number;
    /**
     * Changes that grant ORG_OWNER or GROUP_OWNER, a privileged database role, or open an IP access
     * list to the world.
     */
    escalations: number;
    joiners: number;
    leavers: number;
  };
  /** Orgs sorted by name then id; unchanged orgs are kept so the output shows they were compared. */
  organizations: OrgDiff[];
}

/** Optional file facts of the two sides, for the output's header. */
export interface DiffInputs {
  oldFile?: { file: string; sha256: string } | undefined;
  newFile?: { file: string; sha256: string } | undefined;
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareText);
}

/** Elements of `a` not in `b`, sorted. */
function minus(a: Iterable<string>, b: Iterable<string>): string[] {
  const bs = new Set(b);
  return sorted([...a].filter((x) => !bs.has(x)));
}

const KIND_RANK = new Map<ChangeKind, number>(CHANGE_KINDS.map((k, i) => [k, i]));

/** Lookups of one org used by both sides of the diff. */
interface OrgIndex {
  org: Organization;
  projectNames: Map<string, string>;
  teamNames: Map<string, string>;
  /** userId -> team ids, from both the users endpoint and the team-users endpoint. */
  userTeams: Map<string, Set<string>>;
  /** teamId -> `Project: ROLE` lines that the team grants. */
  teamGrants: Map<string, string[]>;
}

function indexOrg(org: Organization): OrgIndex {
  const projectNames = new Map(org.projects.map((p) => [p.id, p.name]));
  const teamNames = new Map(org.teams.map((t) => [t.id, t.name]));
  const userTeams = teamsOfUsers(org);
  const teamGrants = new Map<string, string[]>();
  for (const p of org.projects)
    for (const pt of p.teams) {
      const lines = pt.roles.map((r) => `${p.name}: ${r}`);
      teamGrants.set(pt.teamId, [...(teamGrants.get(pt.teamId) ?? []), ...lines]);
    }
  return { org, projectNames, teamNames, userTeams, teamGrants };
}

/**
 * Project role lines `Project name: ROLE`. Project names come from the newer side first, then the older
 * (a removed project still has a name), then the raw id.
 */
function roleLines(grants: Array<{ projectId: string; roles: string[] }>, names: Array<Map<string, string>>) {
  const name = (id: string) => {
    for (const m of names) {
      const n = m.get(id);
      if (n !== undefined) return n;
    }
    return id;
  };
  return sorted(grants.flatMap((g) => g.roles.map((r) => `${name(g.projectId)}: ${r}`)));
}

/** The privileged grants among added role lines (`ORG_OWNER` or `...: GROUP_OWNER`). */
function privileged(lines: string[]): string[] {
  return lines.filter((l) => PRIVILEGED_ROLES.some((r) => l === r || l.endsWith(`: ${r}`)));
}

const STATUS_LABELS: Record<string, string> = {
  'PENDING>ACTIVE': 'invitation accepted',
  'PENDING>INVITATION_EXPIRED': 'invitation expired',
  'PENDING>INVITATION_REJECTED': 'invitation rejected',
  'INVITATION_EXPIRED>PENDING': 're-invited',
  'INVITATION_REJECTED>PENDING': 're-invited',
  'INVITATION_EXPIRED>ACTIVE': 'invitation accepted',
  'INVITATION_REJECTED>ACTIVE': 'invitation accepted',
};

class OrgDiffer {
  readonly changes: Change[] = [];
  constructor(
    private readonly before: OrgIndex,
    private readonly after: OrgIndex,
  ) {}

  private push(
    kind: ChangeKind,
    subject: ChangeSubject,
    fields: Partial<Omit<Change, 'kind' | 'orgId' | 'orgName' | 'subject'>> = {},
  ): void {
    this.changes.push({
      kind,
      orgId: this.after.org.id,
      orgName: this.after.org.name,
      subject,
      from: fields.from ?? null,
      to: fields.to ?? null,
      label: fields.label ?? null,
      added: fields.added ?? [],
      removed: fields.removed ?? [],
      escalations: fields.escalations ?? [],
      previousId: fields.previousId ?? null,
    });
  }

  /** Database users and IP access lists (src/changes/diff-database.ts). */
  database(): void {
    for (const c of diffDatabaseAccess(this.before.org, this.after.org)) {
      const { kind, subject, ...fields } = c;
      this.push(kind, subject, fields);
    }
  }

  private userTeamNames(idx: OrgIndex, userId: string): string[] {
    return sorted([...(idx.userTeams.get(userId) ?? [])].map((t) => idx.teamNames.get(t) ?? t));
  }

  /** Privileged project grants a user receives by being in these teams of the newer snapshot. */
  private teamEscalations(teamIds: string[]): string[] {
    const out: string[] = [];
    for (const t of teamIds)
      for (const line of privileged(this.after.teamGrants.get(t) ?? []))
        out.push(`${line} via team ${this.after.teamNames.get(t) ?? t}`);
    return sorted(out);
  }

  private userAccess(idx: OrgIndex, u: User): { org: string[]; project: string[]; teams: string[] } {
    return {
      org: sorted(u.orgRoles),
      project: roleLines(u.projectRoles, [idx.projectNames]),
      teams: this.userTeamNames(idx, u.id),
    };
  }

  users(): void {
    const oldById = new Map(this.before.org.users.map((u) => [u.id, u]));
    const newById = new Map(this.after.org.users.map((u) => [u.id, u]));
    const pairs: Array<[User, User, string | null]> = [];
    const unmatchedOld: User[] = [];
    for (const u of this.before.org.users) {
      const n = newById.get(u.id);
      if (n) pairs.push([u, n, null]);
      else unmatchedOld.push(u);
    }
    const unmatchedNew = this.after.org.users.filter((u) => !oldById.has(u.id));
    // Fallback: an invitation accepted under a new id keeps its username (docs/review.md, `diff`).
    const byName = new Map(unmatchedNew.map((u) => [u.username.toLowerCase(), u]));
    const matchedNew = new Set<string>();
    const leavers: User[] = [];
    for (const u of unmatchedOld) {
      const n = u.status !== 'ACTIVE' ? byName.get(u.username.toLowerCase()) : undefined;
      if (n && !matchedNew.has(n.id)) {
        matchedNew.add(n.id);
        pairs.push([u, n, u.id]);
      } else leavers.push(u);
    }
    for (const u of unmatchedNew) {
      if (matchedNew.has(u.id)) continue;
      const a = this.userAccess(this.after, u);
      const added = [...a.org, ...a.project, ...a.teams.map((t) => `team ${t}`)];
      const teamIds = [...(this.after.userTeams.get(u.id) ?? [])];
      // A member who was not there before joined; an entry still an invitation was only sent.
      this.push(
        u.status === 'ACTIVE' ? 'user-joined' : 'invitation-sent',
        { type: 'user', id: u.id, name: u.username },
        {
          to: u.status,
          added,
          escalations: sorted([...privileged([...a.org, ...a.project]), ...this.teamEscalations(teamIds)]),
        },
      );
    }
    for (const u of leavers) {
      const a = this.userAccess(this.before, u);
      // A member removed left; an invitation that is gone was withdrawn or deleted: nobody left.
      this.push(
        u.status === 'ACTIVE' ? 'user-left' : 'invitation-removed',
        { type: 'user', id: u.id, name: u.username },
        { from: u.status, removed: [...a.org, ...a.project, ...a.teams.map((t) => `team ${t}`)] },
      );
    }
    for (const [o, n, previousId] of pairs) this.userPair(o, n, previousId);
  }

  private userPair(o: User, n: User, previousId: string | null): void {
    const subject: ChangeSubject = { type: 'user', id: n.id, name: n.username };
    if (o.status !== n.status || previousId !== null) {
      this.push('user-status-changed', subject, {
        from: o.status,
        to: n.status,
        label: STATUS_LABELS[`${o.status}>${n.status}`] ?? null,
        previousId,
      });
    }
    const addedOrg = minus(n.orgRoles, o.orgRoles);
    const removedOrg = minus(o.orgRoles, n.orgRoles);
    if (addedOrg.length + removedOrg.length > 0)
      this.push('user-org-roles-changed', subject, {
        added: addedOrg,
        removed: removedOrg,
        escalations: privileged(addedOrg),
      });
    const names = [this.after.projectNames, this.before.projectNames];
    const before = roleLines(o.projectRoles, names);
    const after = roleLines(n.projectRoles, names);
    const addedProj = minus(after, before);
    const removedProj = minus(before, after);
    if (addedProj.length + removedProj.length > 0)
      this.push('user-project-roles-changed', subject, {
        added: addedProj,
        removed: removedProj,
        escalations: privileged(addedProj),
      });
    // Teams compared by id, shown by name (a renamed team is not a membership change).
    const oldTeams = [...(this.before.userTeams.get(o.id) ?? [])];
    const newTeams = [...(this.after.userTeams.get(n.id) ?? [])];
    const joinedIds = minus(newTeams, oldTeams);
    const leftIds = minus(oldTeams, newTeams);
    if (joinedIds.length + leftIds.length > 0)
      this.push('user-teams-changed', subject, {
        added: sorted(joinedIds.map((t) => this.after.teamNames.get(t) ?? t)),
        removed: sorted(leftIds.map((t) => this.before.teamNames.get(t) ?? t)),
        escalations: this.teamEscalations(joinedIds),
      });
  }

  teams(): void {
    const oldById = new Map(this.before.org.teams.map((t) => [t.id, t]));
    const newById = new Map(this.after.org.teams.map((t) => [t.id, t]));
    const names = [this.after.projectNames, this.before.projectNames];
    const grants = (idx: OrgIndex, teamId: string) =>
      roleLines(
        idx.org.projects.flatMap((p) =>
          p.teams.filter((pt) => pt.teamId === teamId).map((pt) => ({ projectId: p.id, roles: pt.roles })),
        ),
        names,
      );
    for (const t of this.after.org.teams) {
      const subject: ChangeSubject = { type: 'team', id: t.id, name: t.name };
      const o = oldById.get(t.id);
      const now = grants(this.after, t.id);
      if (!o) {
        this.push('team-added', subject, { added: now, escalations: privileged(now) });
        continue;
      }
      if (o.name !== t.name) this.push('team-renamed', subject, { from: o.name, to: t.name });
      const then = grants(this.before, t.id);
      const added = minus(now, then);
      const removed = minus(then, now);
      if (added.length + removed.length > 0)
        this.push('team-project-roles-changed', subject, { added, removed, escalations: privileged(added) });
    }
    for (const t of this.before.org.teams)
      if (!newById.has(t.id))
        this.push(
          'team-removed',
          { type: 'team', id: t.id, name: t.name },
          { removed: grants(this.before, t.id) },
        );
  }

  projects(): void {
    const oldById = new Map(this.before.org.projects.map((p) => [p.id, p]));
    const newIds = new Set(this.after.org.projects.map((p) => p.id));
    for (const p of this.after.org.projects) {
      const o = oldById.get(p.id);
      const subject: ChangeSubject = { type: 'project', id: p.id, name: p.name };
      if (!o) this.push('project-added', subject);
      else if (o.name !== p.name) this.push('project-renamed', subject, { from: o.name, to: p.name });
    }
    for (const p of this.before.org.projects)
      if (!newIds.has(p.id)) this.push('project-removed', { type: 'project', id: p.id, name: p.name });
  }

  apiKeys(): void {
    const oldById = new Map(this.before.org.apiKeys.map((k) => [k.id, k]));
    const newIds = new Set(this.after.org.apiKeys.map((k) => k.id));
    const names = [this.after.projectNames, this.before.projectNames];
    const entries = (list: Array<{ cidrBlock: string | null; ipAddress: string | null }>) =>
      sorted(list.map((a) => a.cidrBlock ?? a.ipAddress ?? '').filter((x) => x !== ''));
    for (const k of this.after.org.apiKeys) {
      const subject: ChangeSubject = { type: 'apiKey', id: k.id, name: k.publicKey };
      const roles = [...sorted(k.orgRoles), ...roleLines(k.projectRoles, names)];
      const o = oldById.get(k.id);
      if (!o) {
        this.push('api-key-added', subject, { added: roles, escalations: privileged(roles) });
        continue;
      }
      const then = [...sorted(o.orgRoles), ...roleLines(o.projectRoles, names)];
      const added = minus(roles, then);
      const removed = minus(then, roles);
      if (added.length + removed.length > 0)
        this.push('api-key-roles-changed', subject, { added, removed, escalations: privileged(added) });
      const nowList = entries(k.accessList);
      const thenList = entries(o.accessList);
      const addedList = minus(nowList, thenList);
      const removedList = minus(thenList, nowList);
      if (addedList.length + removedList.length > 0)
        this.push('api-key-access-list-changed', subject, { added: addedList, removed: removedList });
    }
    for (const k of this.before.org.apiKeys)
      if (!newIds.has(k.id))
        this.push(
          'api-key-removed',
          { type: 'apiKey', id: k.id, name: k.publicKey },
          { removed: [...sorted(k.orgRoles), ...roleLines(k.projectRoles, names)] },
        );
  }

  serviceAccounts(): void {
    const oldById = new Map(this.before.org.serviceAccounts.map((s) => [s.clientId, s]));
    const newIds = new Set(this.after.org.serviceAccounts.map((s) => s.clientId));
    const names = [this.after.projectNames, this.before.projectNames];
    // Project roles are compared only when both snapshots read them (schema 1 did not): an upgraded
    // snapshot's empty lists are not a quarter in which every grant was added.
    const compareProjects =
      this.before.org.coverage.serviceAccountAccess && this.after.org.coverage.serviceAccountAccess;
    const rolesOf = (s: ServiceAccount, withProjects: boolean) =>
      withProjects ? [...sorted(s.orgRoles), ...roleLines(s.projectRoles, names)] : sorted(s.orgRoles);
    for (const s of this.after.org.serviceAccounts) {
      const subject: ChangeSubject = { type: 'serviceAccount', id: s.clientId, name: s.name };
      const o = oldById.get(s.clientId);
      if (!o) {
        const roles = rolesOf(s, this.after.org.coverage.serviceAccountAccess);
        this.push('service-account-added', subject, { added: roles, escalations: privileged(roles) });
        continue;
      }
      const roles = rolesOf(s, compareProjects);
      const then = rolesOf(o, compareProjects);
      const added = minus(roles, then);
      const removed = minus(then, roles);
      if (added.length + removed.length > 0)
        this.push('service-account-roles-changed', subject, {
          added,
          removed,
          escalations: privileged(added),
        });
      const addedSecrets = minus(
        s.secrets.map((x) => x.id),
        o.secrets.map((x) => x.id),
      );
      const removedSecrets = minus(
        o.secrets.map((x) => x.id),
        s.secrets.map((x) => x.id),
      );
      if (addedSecrets.length + removedSecrets.length > 0)
        this.push('service-account-secrets-changed', subject, {
          added: addedSecrets,
          removed: removedSecrets,
        });
    }
    for (const s of this.before.org.serviceAccounts)
      if (!newIds.has(s.clientId))
        this.push(
          'service-account-removed',
          { type: 'serviceAccount', id: s.clientId, name: s.name },
          { removed: rolesOf(s, this.before.org.coverage.serviceAccountAccess) },
        );
  }

  org(): void {
    const o = this.before.org;
    const n = this.after.org;
    const subject: ChangeSubject = { type: 'org', id: n.id, name: n.name };
    if (o.name !== n.name) this.push('org-renamed', subject, { from: o.name, to: n.name });
    if (o.settings && n.settings) {
      // Session timeouts are null both when unset and when not collected (schema 1): compared only
      // when both snapshots read them.
      const timeouts = o.coverage.sessionTimeouts && n.coverage.sessionTimeouts;
      for (const key of Object.keys(n.settings).sort(compareText) as Array<keyof typeof n.settings>) {
        if (!timeouts && SESSION_TIMEOUT_SETTINGS.has(key)) continue;
        const a = o.settings[key];
        const b = n.settings[key];
        if (a !== b)
          this.push('org-settings-changed', subject, {
            label: key,
            from: a === null ? null : String(a),
            to: b === null ? null : String(b),
          });
      }
    }
  }
}

const SESSION_TIMEOUT_SETTINGS: ReadonlySet<string> = new Set([
  'idleSessionTimeoutInSeconds',
  'absoluteSessionTimeoutInSeconds',
]);

function sortChanges(changes: Change[]): Change[] {
  return changes.sort(
    (a, b) =>
      (KIND_RANK.get(a.kind) ?? 0) - (KIND_RANK.get(b.kind) ?? 0) ||
      compareText(a.subject.name, b.subject.name) ||
      compareText(a.subject.id, b.subject.id) ||
      compareText(a.label ?? '', b.label ?? ''),
  );
}

/** Everything an org holds, as one change (used when the whole org appears or disappears). */
function wholeOrgChange(org: Organization, kind: 'org-added' | 'org-removed'): Change {
  const owners = org.users.filter((u) => u.orgRoles.includes('ORG_OWNER')).map((u) => u.username);
  const summary = [
    `${org.users.length} users`,
    `${org.teams.length} teams`,
    `${org.projects.length} projects`,
    `${org.apiKeys.length} API keys`,
    `${org.serviceAccounts.length} service accounts`,
  ];
  return {
    kind,
    orgId: org.id,
    orgName: org.name,
    subject: { type: 'org', id: org.id, name: org.name },
    from: null,
    to: null,
    label: null,
    added: kind === 'org-added' ? summary : [],
    removed: kind === 'org-removed' ? summary : [],
    escalations: kind === 'org-added' ? sorted(owners.map((u) => `ORG_OWNER ${u}`)) : [],
    previousId: null,
  };
}

function emptyByKind(): Record<ChangeKind, number> {
  return Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
}

/**
 * Compares two snapshots. Orgs are matched by id. An org present in one snapshot only is one
 * `org-added`/`org-removed` change (its contents are not listed member by member).
 */
export function diffSnapshots(before: Snapshot, after: Snapshot, inputs: DiffInputs = {}): SnapshotDiff {
  const oldOrgs = new Map(before.organizations.map((o) => [o.id, o]));
  const newOrgs = new Map(after.organizations.map((o) => [o.id, o]));
  const organizations: OrgDiff[] = [];
  for (const n of after.organizations) {
    const o = oldOrgs.get(n.id);
    if (!o) {
      organizations.push({
        orgId: n.id,
        orgName: n.name,
        status: 'added',
        changes: [wholeOrgChange(n, 'org-added')],
      });
      continue;
    }
    const differ = new OrgDiffer(indexOrg(o), indexOrg(n));
    differ.org();
    differ.users();
    differ.teams();
    differ.projects();
    differ.apiKeys();
    differ.serviceAccounts();
    differ.database();
    const changes = sortChanges(differ.changes);
    organizations.push({
      orgId: n.id,
      orgName: n.name,
      status: changes.length > 0 ? 'changed' : 'unchanged',
      changes,
    });
  }
  for (const o of before.organizations)
    if (!newOrgs.has(o.id))
      organizations.push({
        orgId: o.id,
        orgName: o.name,
        status: 'removed',
        changes: [wholeOrgChange(o, 'org-removed')],
      });
  organizations.sort((a, b) => compareText(a.orgName, b.orgName) || compareText(a.orgId, b.orgId));

  const byKind = emptyByKind();
  let total = 0;
  let escalations = 0;
  for (const od of organizations)
    for (const c of od.changes) {
      byKind[c.kind]++;
      total++;
      if (c.escalations.length > 0) escalations++;
    }
  return {
    diffSchemaVersion: 1,
    old: {
      collectedAt: before.collectedAt,
      sha256: inputs.oldFile?.sha256 ?? null,
      file: inputs.oldFile?.file ?? null,
    },
    new: {
      collectedAt: after.collectedAt,
      sha256: inputs.newFile?.sha256 ?? null,
      file: inputs.newFile?.file ?? null,
    },
    summary: {
      byKind,
      total,
      escalations,
      joiners: byKind['user-joined'],
      leavers: byKind['user-left'],
    },
    organizations,
  };
}
