/**
 * The revocation plan: for every Revoke and Modify of a sign-off, the exact Atlas Admin API calls that
 * carry it out. `review import` writes it; `review apply` rebuilds it from the sign-off, checks that it
 * equals the plan file, and sends its calls.
 *
 * Every call names an operation of the write-operation table (src/atlas/write-operations.ts, checked
 * against the spec extracts): its operationId, the one version it is sent with (`Accept`, and
 * `Content-Type` when it has a body), a body in that version's request schema, and the least role
 * (`x-rolesRequirements`) the applying identity needs.
 *
 * The spec's rules (operation descriptions) shape the calls:
 * - a project user keeps at least one project role: removing the last one removes the user from the
 *   project (removeGroupUser), never `:removeRole`;
 * - an org user keeps at least one org role: ORG_MEMBER is added before the last other role is removed;
 * - a pending user (invitation) is removed with removeOrgUser 2025-02-19 (older versions remove active
 *   users only);
 * - API keys and service accounts get their remaining roles (PATCH, plain role names); with no project
 *   role left they are removed from the project (DELETE); with no org role left they keep ORG_MEMBER.
 *
 * Modify: the comment says what to change. Role and team names of the identity that the comment
 * mentions select the calls (a role held in several projects is limited to the projects the comment
 * names, if it names any); when it mentions none, every single removal is listed as a candidate for
 * the operator to choose from. Candidates are never executed by `review apply`.
 */
import {
  atlasMediaType,
  type WriteOperation,
  type WriteOperationId,
  writeOperations,
} from '../atlas/write-operations.js';
import { databaseRoleText } from '../domain/database-roles.js';
import { terminalSafe } from '../util/terminal.js';
import type { Signoff, SignoffAction } from './signoff.js';

/** 2: operationId/version/media types per call, the sign-off's sha256, no `executed` flag. */
export const PLAN_SCHEMA_VERSION = 2 as const;

/** An org role every org identity may keep: the spec requires at least one org role. */
const LEAST_ORG_ROLE = 'ORG_MEMBER';

/** One API call of the plan. */
export interface PlannedCall {
  /** The spec's operationId (key of the write-operation table). */
  operationId: WriteOperationId;
  method: WriteOperation['method'];
  /** Path with ids filled in (URL-encoded). */
  path: string;
  pathTemplate: string;
  /** The operation's version: `Accept` (and `Content-Type` with a body) `application/vnd.atlas.<version>+json`. */
  version: string;
  accept: string;
  /** Null when the call has no body. */
  contentType: string | null;
  /** JSON body in the version's request schema, or null for none. */
  body: Record<string, unknown> | null;
  /** What the call does, in words. */
  purpose: string;
  /** True for a Modify whose comment did not say which of several removals it means: choose. */
  candidate: boolean;
  /** `x-rolesRequirements` of the operation: the least role that may send this call. */
  leastRoles: string[];
}

/** The calls for one identity. */
interface PlannedIdentity {
  key: string;
  orgId: string;
  orgName: string;
  kind: SignoffAction['kind'];
  id: string;
  name: string;
  decision: SignoffAction['decision'];
  reviewer: string;
  reviewedOn: string;
  comment: string | null;
  calls: PlannedCall[];
  /** Steps with no API call (e.g. nothing the comment names is held). */
  notes: string[];
}

/** The revocation plan (`review import` writes it as JSON and as text). */
export interface RevocationPlan {
  planSchemaVersion: typeof PLAN_SCHEMA_VERSION;
  createdAt: string;
  snapshotSha256: string;
  workbookSha256: string;
  /** sha256 of the sign-off JSON file the plan was built from (`review apply` checks it). */
  signoffSha256: string;
  counts: { identities: number; calls: number; candidateCalls: number; revoke: number; modify: number };
  /** Least roles of the calls `review apply` would send (candidates excluded), sorted. */
  rolesNeeded: string[];
  identities: PlannedIdentity[];
}

function call(
  operationId: WriteOperationId,
  ids: Record<string, string>,
  body: Record<string, unknown> | null,
  purpose: string,
  candidate: boolean,
): PlannedCall {
  const op: WriteOperation = writeOperations[operationId];
  if ((body === null) !== (op.requestSchema === null))
    throw new Error(`internal: ${operationId} ${op.requestSchema ? 'needs' : 'takes no'} body`);
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = ids[name];
    if (v === undefined) throw new Error(`internal: no value for {${name}} in ${op.path}`);
    return encodeURIComponent(v);
  });
  const media = atlasMediaType(op.version);
  return {
    operationId,
    method: op.method,
    path,
    pathTemplate: op.path,
    version: op.version,
    accept: media,
    contentType: body === null ? null : media,
    body,
    purpose,
    candidate,
    leastRoles: [...op.roles],
  };
}

/** Where a database user action points: its recorded address, checked to be there (sign-off schema). */
function databaseUserOf(a: SignoffAction): NonNullable<SignoffAction['databaseUser']> {
  if (!a.databaseUser) throw new Error(`internal: database user action ${a.key} without its address`);
  return a.databaseUser;
}

/** The path ids of a database user: the project, the authentication database and the username. */
function databaseUserIds(d: NonNullable<SignoffAction['databaseUser']>): Record<string, string> {
  return { groupId: d.projectId, databaseName: d.databaseName, username: d.username };
}

/**
 * The `CloudDatabaseUser` body of a roles update: the user's name, authentication database and
 * project (required by the schema) and the roles it keeps. Never a password or any other field, so
 * the update changes the roles alone.
 */
function databaseRolesBody(
  d: NonNullable<SignoffAction['databaseUser']>,
  roles: NonNullable<SignoffAction['databaseUser']>['roles'],
): Record<string, unknown> {
  return {
    databaseName: d.databaseName,
    groupId: d.projectId,
    username: d.username,
    roles: roles.map((r) => ({
      roleName: r.roleName,
      databaseName: r.databaseName,
      ...(r.collectionName ? { collectionName: r.collectionName } : {}),
    })),
  };
}

function revokeCalls(a: SignoffAction): PlannedCall[] {
  const orgId = a.orgId;
  switch (a.subjectType) {
    case 'networkAccessEntry': {
      if (!a.networkAccess) throw new Error(`internal: network access action ${a.key} without its entry`);
      const n = a.networkAccess;
      return [
        call(
          'deleteGroupAccessListEntry',
          { groupId: n.projectId, entryValue: n.entryValue },
          null,
          `remove ${n.entryValue} from the IP access list of project ${n.projectName}`,
          false,
        ),
      ];
    }
    case 'databaseUser': {
      const d = databaseUserOf(a);
      return [
        call(
          'deleteGroupDatabaseUser',
          databaseUserIds(d),
          null,
          `delete database user ${d.username} (${d.databaseName}) of project ${d.projectName}`,
          false,
        ),
      ];
    }
    case 'user':
      return [
        call(
          'removeOrgUser',
          { orgId, userId: a.id },
          null,
          a.kind === 'invitation'
            ? `withdraw the invitation of ${a.name}`
            : `remove ${a.name} from ${a.orgName} (all org, project and team access)`,
          false,
        ),
      ];
    case 'apiKey':
      return [call('deleteOrgApiKey', { orgId, apiUserId: a.id }, null, `delete API key ${a.name}`, false)];
    case 'serviceAccount':
      return [
        call(
          'deleteOrgServiceAccount',
          { orgId, clientId: a.id },
          null,
          `delete service account ${a.name}`,
          false,
        ),
      ];
  }
}

/** Whole-word, case-insensitive mention of `term` in `text` (role and team names contain `_` and `-`). */
function mentions(text: string, term: string): boolean {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}($|[^A-Za-z0-9_-])`, 'i').test(text);
}

/** One thing an identity holds that a Modify can take away. */
type Held =
  | { kind: 'orgRole'; role: string }
  | { kind: 'projectRole'; role: string; projectId: string; projectName: string }
  | { kind: 'team'; teamId: string; teamName: string };

function heldItems(a: SignoffAction): Held[] {
  return [
    ...a.access.orgRoles.map((role): Held => ({ kind: 'orgRole', role })),
    ...a.access.projectRoles.flatMap((p) =>
      p.roles.map(
        (role): Held => ({ kind: 'projectRole', role, projectId: p.projectId, projectName: p.projectName }),
      ),
    ),
    ...a.access.teams.map((t): Held => ({ kind: 'team', teamId: t.id, teamName: t.name })),
  ];
}

/**
 * What the comment names. A role is matched by name; a project role held in several projects is
 * limited to the projects whose names the comment also mentions, when it mentions any of them.
 */
function chosenItems(held: Held[], comment: string): Held[] {
  return held.filter((h) => {
    if (h.kind === 'team') return mentions(comment, h.teamName);
    if (!mentions(comment, h.role)) return false;
    if (h.kind === 'orgRole') return true;
    const projectsWithRole = held.filter(
      (x): x is Extract<Held, { kind: 'projectRole' }> => x.kind === 'projectRole' && x.role === h.role,
    );
    const named = projectsWithRole.filter((x) => mentions(comment, x.projectName));
    return named.length === 0 || named.some((x) => x.projectId === h.projectId);
  });
}

/** The roles that remain once `removed` are taken from `held` (order of `held`). */
function without(held: readonly string[], removed: ReadonlySet<string>): string[] {
  return held.filter((r) => !removed.has(r));
}

/** Calls and notes of one removal phase. */
interface Removal {
  calls: PlannedCall[];
  notes: string[];
}

/** How the plan names an identity: a user by username, a key or account with its kind. */
function identityLabel(a: SignoffAction): string {
  if (a.subjectType === 'user') return a.name;
  return a.subjectType === 'apiKey' ? `API key ${a.name}` : `service account ${a.name}`;
}

/** Org roles taken away. Every org member keeps one org role: the least one when none would remain. */
function orgRoleRemoval(
  a: SignoffAction,
  orgRemoved: ReadonlySet<string>,
  candidate: boolean,
  out: Removal,
): void {
  const { orgId } = a;
  const label = identityLabel(a);
  const remaining = without(a.access.orgRoles, orgRemoved);
  const keepsMember = remaining.length === 0;
  if (keepsMember && a.access.orgRoles.length === 1 && a.access.orgRoles[0] === LEAST_ORG_ROLE) {
    out.notes.push(
      `${LEAST_ORG_ROLE} is the least org role and ${label} must keep one: Revoke the identity to remove all its access`,
    );
  } else if (a.subjectType === 'user') {
    if (keepsMember && !a.access.orgRoles.includes(LEAST_ORG_ROLE))
      out.calls.push(
        call(
          'addOrgUserRole',
          { orgId, userId: a.id },
          { orgRole: LEAST_ORG_ROLE },
          `keep ${a.name} as ${LEAST_ORG_ROLE} (an org user must keep one org role)`,
          candidate,
        ),
      );
    for (const role of a.access.orgRoles)
      if (orgRemoved.has(role) && !(keepsMember && role === LEAST_ORG_ROLE))
        out.calls.push(
          call(
            'removeOrgUserRole',
            { orgId, userId: a.id },
            { orgRole: role },
            `remove org role ${role} from ${a.name}`,
            candidate,
          ),
        );
    if (keepsMember && orgRemoved.has(LEAST_ORG_ROLE))
      out.notes.push(`${LEAST_ORG_ROLE} stays: an org user must keep one org role`);
  } else {
    const roles = keepsMember ? [LEAST_ORG_ROLE] : remaining;
    const removed = a.access.orgRoles.filter((r) => orgRemoved.has(r));
    const kept = keepsMember ? ` (${LEAST_ORG_ROLE} kept: it needs one org role)` : '';
    const purpose = `set the org roles of ${label} without ${removed.join(', ')}${kept}`;
    out.calls.push(
      a.subjectType === 'apiKey'
        ? call('updateOrgApiKey', { orgId, apiUserId: a.id }, { roles }, purpose, candidate)
        : call('updateOrgServiceAccount', { orgId, clientId: a.id }, { roles }, purpose, candidate),
    );
  }
}

/** Roles taken away in one project; the last one goes with the project membership. */
function projectRoleRemoval(
  a: SignoffAction,
  p: SignoffAction['access']['projectRoles'][number],
  chosen: ReadonlySet<string>,
  candidate: boolean,
): PlannedCall[] {
  // The roles of the project's first entry (a project is listed once per identity).
  const held = a.access.projectRoles.find((x) => x.projectId === p.projectId)?.roles ?? [];
  const remaining = without(held, chosen);
  const removed = p.roles.filter((r) => chosen.has(r));
  const where = `project ${p.projectName}`;
  const label = identityLabel(a);
  if (a.subjectType === 'user') {
    if (remaining.length === 0)
      return [
        call(
          'removeGroupUser',
          { groupId: p.projectId, userId: a.id },
          null,
          `remove ${a.name} from ${where} (${removed.join(', ')}: the last project role goes with the membership)`,
          candidate,
        ),
      ];
    return removed.map((role) =>
      call(
        'removeGroupUserRole',
        { groupId: p.projectId, userId: a.id },
        { groupRole: role },
        `remove ${role} in ${where} from ${a.name}`,
        candidate,
      ),
    );
  }
  const purpose = `set the roles of ${label} in ${where} without ${removed.join(', ')}`;
  if (a.subjectType === 'apiKey') {
    const ids = { groupId: p.projectId, apiUserId: a.id };
    return [
      remaining.length === 0
        ? call('removeGroupApiKey', ids, null, `remove ${label} from ${where}`, candidate)
        : call('updateGroupApiKeyRoles', ids, { roles: remaining }, purpose, candidate),
    ];
  }
  const ids = { groupId: p.projectId, clientId: a.id };
  return [
    remaining.length === 0
      ? call('deleteGroupServiceAccount', ids, null, `remove ${label} from ${where}`, candidate)
      : call('updateGroupServiceAccount', ids, { roles: remaining }, purpose, candidate),
  ];
}

/**
 * The calls that take `items` away from `a` together (they may interact: the last project role of a
 * user goes with the user's project membership): org roles, then project roles one project at a time
 * (in the order the sign-off lists them), then teams (users only). Returns calls and notes.
 */
function removalCalls(a: SignoffAction, items: Held[], candidate: boolean): Removal {
  const out: Removal = { calls: [], notes: [] };
  const orgRemoved = new Set(items.filter((i) => i.kind === 'orgRole').map((i) => i.role));
  if (orgRemoved.size > 0) orgRoleRemoval(a, orgRemoved, candidate, out);
  const byProject = new Map<string, Set<string>>();
  for (const i of items)
    if (i.kind === 'projectRole') {
      const roles = byProject.get(i.projectId) ?? new Set<string>();
      roles.add(i.role);
      byProject.set(i.projectId, roles);
    }
  for (const p of a.access.projectRoles) {
    const chosen = byProject.get(p.projectId);
    if (chosen) out.calls.push(...projectRoleRemoval(a, p, chosen, candidate));
  }
  for (const i of items)
    if (i.kind === 'team')
      out.calls.push(
        call(
          'removeOrgTeamUser',
          { orgId: a.orgId, teamId: i.teamId },
          { id: a.id },
          `remove ${a.name} from team ${i.teamName}`,
          candidate,
        ),
      );
  return out;
}

/**
 * Modify of a database user: the roles the comment names (`readWrite`, or `readWrite@sales` to pick
 * one database) are taken away with one PATCH of the roles that remain. A database user keeps at
 * least one role here: taking every role away is a Revoke, so the plan says so instead of a call.
 * When the comment names none, each single removal is a candidate.
 */
function databaseUserModifyCalls(a: SignoffAction): Removal {
  const d = databaseUserOf(a);
  const comment = a.comment ?? '';
  const update = (removed: typeof d.roles, candidate: boolean): Removal => {
    const kept = d.roles.filter((r) => !removed.includes(r));
    if (kept.length === 0)
      return {
        calls: [],
        notes: [
          `removing ${removed.map(databaseRoleText).join(', ')} leaves ${d.username} no role: Revoke the database user to remove it`,
        ],
      };
    return {
      calls: [
        call(
          'updateGroupDatabaseUser',
          databaseUserIds(d),
          databaseRolesBody(d, kept),
          `set the roles of database user ${d.username} in project ${d.projectName} without ${removed.map(databaseRoleText).join(', ')}`,
          candidate,
        ),
      ],
      notes: [],
    };
  };
  // `readWrite@sales` names one grant; a bare `readWrite` every grant of that role, unless the
  // comment also names grants exactly (then only those).
  const exact = d.roles.filter((r) => mentions(comment, databaseRoleText(r)));
  const chosen = exact.length > 0 ? exact : d.roles.filter((r) => mentions(comment, r.roleName));
  if (chosen.length > 0) return update(chosen, false);
  if (d.roles.length === 0)
    return { calls: [], notes: [`${d.username} holds no role; act on the comment by hand`] };
  const out: Removal = {
    calls: [],
    notes: ['the comment names none of the roles held; every removal is listed as a candidate'],
  };
  for (const r of d.roles) {
    const one = update([r], true);
    out.calls.push(...one.calls);
    out.notes.push(...one.notes);
  }
  return out;
}

function modifyCalls(a: SignoffAction): { calls: PlannedCall[]; notes: string[] } {
  if (a.subjectType === 'databaseUser') return databaseUserModifyCalls(a);
  // review import refuses it; a sign-off written by hand gets no call.
  if (a.subjectType === 'networkAccessEntry')
    return { calls: [], notes: ['an access list entry is kept or removed (Revoke); Modify changes nothing'] };
  const held = heldItems(a);
  const chosen = chosenItems(held, a.comment ?? '');
  if (chosen.length > 0) return removalCalls(a, chosen, false);
  if (held.length === 0)
    return {
      calls: [],
      notes: [`${a.name} holds no role or team this tool can change; act on the comment by hand`],
    };
  const calls: PlannedCall[] = [];
  const notes = ['the comment names none of the roles or teams held; every removal is listed as a candidate'];
  for (const h of held) {
    const one = removalCalls(a, [h], true);
    calls.push(...one.calls);
    notes.push(...one.notes);
  }
  return { calls, notes };
}

/** Builds the plan for every Revoke and Modify of a sign-off. Pure and deterministic. */
export function buildRevocationPlan(signoff: Signoff, signoffSha256: string): RevocationPlan {
  const identities: PlannedIdentity[] = signoff.actions.map((a) => {
    const { calls, notes } = a.decision === 'Revoke' ? { calls: revokeCalls(a), notes: [] } : modifyCalls(a);
    return {
      key: a.key,
      orgId: a.orgId,
      orgName: a.orgName,
      kind: a.kind,
      id: a.id,
      name: a.name,
      decision: a.decision,
      reviewer: a.reviewer,
      reviewedOn: a.reviewedOn,
      comment: a.comment,
      calls,
      notes,
    };
  });
  const calls = identities.flatMap((i) => i.calls);
  return {
    planSchemaVersion: PLAN_SCHEMA_VERSION,
    createdAt: signoff.signedOffAt,
    snapshotSha256: signoff.snapshot.sha256,
    workbookSha256: signoff.workbook.sha256,
    signoffSha256,
    counts: {
      identities: identities.length,
      calls: calls.length,
      candidateCalls: calls.filter((c) => c.candidate).length,
      revoke: identities.filter((i) => i.decision === 'Revoke').length,
      modify: identities.filter((i) => i.decision === 'Modify').length,
    },
    rolesNeeded: [...new Set(calls.filter((c) => !c.candidate).flatMap((c) => c.leastRoles))].sort(),
    identities,
  };
}

/** The plan as JSON. */
export function serializePlan(p: RevocationPlan): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}

/** One call as two or three lines: method and path; operation, version and purpose; body. */
export function formatCallLines(c: PlannedCall, indent: string): string[] {
  const lines = [`${indent}${c.candidate ? '[candidate] ' : ''}${c.method} ${terminalSafe(c.path)}`];
  const media = c.contentType ? `Accept and Content-Type ${c.accept}` : `Accept ${c.accept}`;
  lines.push(`${indent}   ${terminalSafe(c.purpose)}; ${c.operationId}, ${media}`);
  if (c.body) lines.push(`${indent}   body ${terminalSafe(JSON.stringify(c.body))}`);
  return lines;
}

/** The plan as a readable list, one block per identity, grouped by organization. */
export function formatPlanText(p: RevocationPlan): string {
  const lines = [
    'Revocation plan (not executed: `review apply` carries it out, and only with --yes)',
    `snapshot sha256 ${p.snapshotSha256}`,
    `workbook sha256 ${p.workbookSha256}`,
    `sign-off sha256 ${p.signoffSha256}`,
    `${p.counts.revoke} revoke, ${p.counts.modify} modify; ${p.counts.calls} call(s), ${p.counts.candidateCalls} candidate(s) to choose from (never applied)`,
    `Least role of the applying identity: ${p.rolesNeeded.length > 0 ? p.rolesNeeded.join(', ') : 'none (no calls)'} (x-rolesRequirements of each call)`,
    '',
  ];
  let org = '';
  for (const i of p.identities) {
    if (i.orgId !== org) {
      org = i.orgId;
      lines.push(`== ${terminalSafe(i.orgName)} (${terminalSafe(i.orgId)})`);
    }
    lines.push(`${i.decision.toUpperCase()} ${i.kind} ${terminalSafe(i.name)} (${terminalSafe(i.id)})`);
    lines.push(
      `   decided by ${terminalSafe(i.reviewer)} on ${i.reviewedOn}${i.comment ? `: ${terminalSafe(i.comment)}` : ''}`,
    );
    for (const c of i.calls) lines.push(...formatCallLines(c, '   '));
    for (const n of i.notes) lines.push(`   note: ${terminalSafe(n)}`);
    lines.push('');
  }
  if (p.identities.length === 0) lines.push('No Revoke or Modify decisions: nothing to do.');
  return `${lines.join('\n').trimEnd()}\n`;
}
