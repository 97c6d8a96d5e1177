/**
 * The revocation plan: for every Revoke and Modify of a sign-off, the exact Atlas Admin API calls that
 * would carry it out. The plan is data for a human or a change ticket; nothing in this tool executes it.
 *
 * Paths and versions come from /work/shared/atlas-openapi/NOTES.md §3 where it names them. None of
 * these write operations is in the spec extracts (which hold the 16 read operations only), so every call
 * says so in `spec`, and a version the notes do not give is null rather than guessed.
 *
 * Modify: the comment says what to change. Role and team names of the identity that the comment
 * mentions select the calls; when it mentions none, every removal the identity could need is listed as a
 * candidate for the operator to choose from.
 */
import type { Signoff, SignoffAction } from './signoff.js';

export const PLAN_SCHEMA_VERSION = 1 as const;

/** Note attached to every call: the write operations are outside the extracts we were given. */
export const NOT_IN_EXTRACT = 'not in the spec extract';

interface Operation {
  method: 'DELETE' | 'POST' | 'PATCH';
  template: string;
  /** `Accept: application/vnd.atlas.<version>+json`; null when no source we have states it. */
  version: string | null;
  /** Where the path comes from. */
  reference: string;
}

/** The write operations a plan may use (method + path; never operationIds, per NOTES.md §1). */
export const PLAN_OPERATIONS = {
  removeOrgUser: {
    method: 'DELETE',
    template: '/api/atlas/v2/orgs/{orgId}/users/{userId}',
    version: null,
    reference: 'review brief; removes the member or invitation and all its org, project and team access',
  },
  removeOrgTeamUser: {
    method: 'POST',
    template: '/api/atlas/v2/orgs/{orgId}/teams/{teamId}:removeUser',
    version: '2025-02-19',
    reference: 'NOTES.md §3 (removeOrgTeamUser, replaces DELETE /orgs/{orgId}/teams/{teamId}/users/{userId})',
  },
  addOrgUserRole: {
    method: 'POST',
    template: '/api/atlas/v2/orgs/{orgId}/users/{userId}:addRole',
    version: null,
    reference: 'NOTES.md §3 (replacement of PUT /orgs/{orgId}/users/{userId}/roles; version not stated)',
  },
  removeOrgUserRole: {
    method: 'POST',
    template: '/api/atlas/v2/orgs/{orgId}/users/{userId}:removeRole',
    version: null,
    reference: 'NOTES.md §3 (replacement of PUT /orgs/{orgId}/users/{userId}/roles; version not stated)',
  },
  removeGroupUserRole: {
    method: 'POST',
    template: '/api/atlas/v2/groups/{groupId}/users/{userId}:removeRole',
    version: null,
    reference: 'NOTES.md §3 (replacement of PUT /groups/{groupId}/users/{userId}/roles; version not stated)',
  },
  updateOrgApiKey: {
    method: 'PATCH',
    template: '/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}',
    version: null,
    reference: 'review brief (API key role change)',
  },
  deleteOrgApiKey: {
    method: 'DELETE',
    template: '/api/atlas/v2/orgs/{orgId}/apiKeys/{apiUserId}',
    version: null,
    reference: 'review brief',
  },
  updateGroupApiKeyRoles: {
    method: 'PATCH',
    template: '/api/atlas/v2/groups/{groupId}/apiKeys/{apiUserId}',
    version: null,
    reference: 'NOTES.md §4 lists GET /groups/{groupId}/apiKeys only; the PATCH is not in any source we hold',
  },
  removeGroupApiKey: {
    method: 'DELETE',
    template: '/api/atlas/v2/groups/{groupId}/apiKeys/{apiUserId}',
    version: null,
    reference:
      'NOTES.md §4 lists GET /groups/{groupId}/apiKeys only; the DELETE is not in any source we hold',
  },
  updateOrgServiceAccount: {
    method: 'PATCH',
    template: '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}',
    version: null,
    reference:
      "service account role change; path by analogy with the brief's DELETE, not in any source we hold",
  },
  deleteOrgServiceAccount: {
    method: 'DELETE',
    template: '/api/atlas/v2/orgs/{orgId}/serviceAccounts/{clientId}',
    version: null,
    reference: 'review brief',
  },
} as const satisfies Record<string, Operation>;
export type PlanOperation = keyof typeof PLAN_OPERATIONS;

/** One API call of the plan. */
export interface PlannedCall {
  operation: PlanOperation;
  method: Operation['method'];
  /** Path with ids filled in. */
  path: string;
  pathTemplate: string;
  /** Accept version, or null when not stated by any source we hold (check before use). */
  acceptVersion: string | null;
  /** JSON body, or null for none. Body shapes are not in the extracts either: check before use. */
  body: Record<string, unknown> | null;
  /** What the call does, in words. */
  purpose: string;
  /** True for a Modify whose comment did not say which of several removals it means: choose. */
  candidate: boolean;
  spec: { inExtract: false; note: typeof NOT_IN_EXTRACT; reference: string };
}

/** The calls for one identity. */
export interface PlannedIdentity {
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
  /** Always false: this tool never executes the plan. */
  executed: false;
  createdAt: string;
  snapshotSha256: string;
  workbookSha256: string;
  counts: { identities: number; calls: number; candidateCalls: number; revoke: number; modify: number };
  identities: PlannedIdentity[];
}

function call(
  operation: PlanOperation,
  ids: Record<string, string>,
  body: Record<string, unknown> | null,
  purpose: string,
  candidate = false,
): PlannedCall {
  const op: Operation = PLAN_OPERATIONS[operation];
  const path = op.template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = ids[name];
    if (v === undefined) throw new Error(`internal: no value for {${name}} in ${op.template}`);
    return encodeURIComponent(v);
  });
  return {
    operation,
    method: op.method,
    path,
    pathTemplate: op.template,
    acceptVersion: op.version,
    body,
    purpose,
    candidate,
    spec: { inExtract: false, note: NOT_IN_EXTRACT, reference: op.reference },
  };
}

function revokeCalls(a: SignoffAction): PlannedCall[] {
  const orgId = a.orgId;
  switch (a.subjectType) {
    case 'user':
      return [
        call(
          'removeOrgUser',
          { orgId, userId: a.id },
          null,
          a.kind === 'invitation'
            ? `withdraw the invitation of ${a.name}`
            : `remove ${a.name} from ${a.orgName} (all org, project and team access)`,
        ),
      ];
    case 'apiKey':
      return [call('deleteOrgApiKey', { orgId, apiUserId: a.id }, null, `delete API key ${a.name}`)];
    case 'serviceAccount':
      return [
        call('deleteOrgServiceAccount', { orgId, clientId: a.id }, null, `delete service account ${a.name}`),
      ];
  }
}

/** Whole-word, case-insensitive mention of `term` in `text` (role and team names contain `_` and `-`). */
function mentions(text: string, term: string): boolean {
  const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}($|[^A-Za-z0-9_-])`, 'i').test(text);
}

type RemovalOption = { term: string[]; make: (candidate: boolean) => PlannedCall[] };

/**
 * For a programmatic identity (API key or service account), one option per org role: set its roles to
 * the others. Atlas needs at least one org role, so removing the last one keeps ORG_MEMBER.
 */
function orgRoleRemovals(
  orgRoles: readonly string[],
  operation: PlanOperation,
  ids: Record<string, string>,
  label: string,
  article: string,
): RemovalOption[] {
  return orgRoles.map((role) => {
    const remaining = orgRoles.filter((r) => r !== role);
    const kept = remaining.length > 0 ? '' : ` (ORG_MEMBER kept: ${article} needs one org role)`;
    return {
      term: [role],
      make: (cand) => [
        call(
          operation,
          ids,
          { roles: remaining.length > 0 ? remaining : ['ORG_MEMBER'] },
          `set the org roles of ${label} without ${role}${kept}`,
          cand,
        ),
      ],
    };
  });
}

function modifyCalls(a: SignoffAction): { calls: PlannedCall[]; notes: string[] } {
  const comment = a.comment ?? '';
  const orgId = a.orgId;
  const acc = a.access;
  const notes: string[] = [];
  // What the identity holds, each with the call(s) that remove it.
  const options: RemovalOption[] = [];
  if (a.subjectType === 'user') {
    for (const role of acc.orgRoles)
      options.push({
        term: [role],
        make: (cand) => {
          const out: PlannedCall[] = [];
          // An org member keeps at least one org role: removing the last one needs ORG_MEMBER first.
          if (acc.orgRoles.length === 1 && role !== 'ORG_MEMBER')
            out.push(
              call(
                'addOrgUserRole',
                { orgId, userId: a.id },
                { orgRole: 'ORG_MEMBER' },
                `keep ${a.name} as ORG_MEMBER`,
                cand,
              ),
            );
          out.push(
            call(
              'removeOrgUserRole',
              { orgId, userId: a.id },
              { orgRole: role },
              `remove org role ${role} from ${a.name}`,
              cand,
            ),
          );
          return out;
        },
      });
    for (const p of acc.projectRoles)
      for (const role of p.roles)
        options.push({
          term: [role],
          make: (cand) => [
            call(
              'removeGroupUserRole',
              { groupId: p.projectId, userId: a.id },
              { groupRole: role },
              `remove ${role} in project ${p.projectName} from ${a.name}`,
              cand,
            ),
          ],
        });
    for (const t of acc.teams)
      options.push({
        term: [t.name],
        make: (cand) => [
          call(
            'removeOrgTeamUser',
            { orgId, teamId: t.id },
            { id: a.id },
            `remove ${a.name} from team ${t.name}`,
            cand,
          ),
        ],
      });
  } else if (a.subjectType === 'apiKey') {
    options.push(
      ...orgRoleRemovals(
        acc.orgRoles,
        'updateOrgApiKey',
        { orgId, apiUserId: a.id },
        `API key ${a.name}`,
        'a key',
      ),
    );
    for (const p of acc.projectRoles)
      for (const role of p.roles) {
        const remaining = p.roles.filter((r) => r !== role);
        options.push({
          term: [role],
          make: (cand) => [
            remaining.length > 0
              ? call(
                  'updateGroupApiKeyRoles',
                  { groupId: p.projectId, apiUserId: a.id },
                  { roles: remaining.map((roleName) => ({ roleName })) },
                  `set the roles of API key ${a.name} in project ${p.projectName} without ${role}`,
                  cand,
                )
              : call(
                  'removeGroupApiKey',
                  { groupId: p.projectId, apiUserId: a.id },
                  null,
                  `remove API key ${a.name} from project ${p.projectName}`,
                  cand,
                ),
          ],
        });
      }
  } else {
    options.push(
      ...orgRoleRemovals(
        acc.orgRoles,
        'updateOrgServiceAccount',
        { orgId, clientId: a.id },
        `service account ${a.name}`,
        'an account',
      ),
    );
  }
  const chosen = options.filter((o) => o.term.some((t) => mentions(comment, t)));
  if (chosen.length > 0) return { calls: chosen.flatMap((o) => o.make(false)), notes };
  if (options.length === 0) {
    notes.push(`${a.name} holds no role or team this tool can change; act on the comment by hand`);
    return { calls: [], notes };
  }
  notes.push('the comment names none of the roles or teams held; every removal is listed as a candidate');
  return { calls: options.flatMap((o) => o.make(true)), notes };
}

/** Builds the plan for every Revoke and Modify of a sign-off. Pure. */
export function buildRevocationPlan(signoff: Signoff): RevocationPlan {
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
    executed: false,
    createdAt: signoff.signedOffAt,
    snapshotSha256: signoff.snapshot.sha256,
    workbookSha256: signoff.workbook.sha256,
    counts: {
      identities: identities.length,
      calls: calls.length,
      candidateCalls: calls.filter((c) => c.candidate).length,
      revoke: identities.filter((i) => i.decision === 'Revoke').length,
      modify: identities.filter((i) => i.decision === 'Modify').length,
    },
    identities,
  };
}

/** The plan as JSON. */
export function serializePlan(p: RevocationPlan): string {
  return `${JSON.stringify(p, null, 2)}\n`;
}

/** Control characters would let a hostile name rewrite a terminal line. */
function safe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** The plan as a readable list, one block per identity, grouped by organization. */
export function formatPlanText(p: RevocationPlan): string {
  const lines = [
    'Revocation plan (NOT EXECUTED: this tool never calls these endpoints)',
    `snapshot sha256 ${p.snapshotSha256}`,
    `workbook sha256 ${p.workbookSha256}`,
    `${p.counts.revoke} revoke, ${p.counts.modify} modify; ${p.counts.calls} call(s), ${p.counts.candidateCalls} candidate(s) to choose from`,
    `Every path below is ${NOT_IN_EXTRACT} (the extracts hold read operations only): check it against the full Atlas Admin API spec before use.`,
    '',
  ];
  let org = '';
  for (const i of p.identities) {
    if (i.orgId !== org) {
      org = i.orgId;
      lines.push(`== ${safe(i.orgName)} (${i.orgId})`);
    }
    lines.push(`${i.decision.toUpperCase()} ${i.kind} ${safe(i.name)} (${i.id})`);
    lines.push(
      `   decided by ${safe(i.reviewer)} on ${i.reviewedOn}${i.comment ? `: ${safe(i.comment)}` : ''}`,
    );
    for (const c of i.calls) {
      const version = c.acceptVersion
        ? `Accept: application/vnd.atlas.${c.acceptVersion}+json`
        : 'Accept version: not stated in our sources';
      lines.push(`   ${c.candidate ? '[candidate] ' : ''}${c.method} ${c.path}`);
      lines.push(`      ${safe(c.purpose)}; ${version}`);
      if (c.body) lines.push(`      body ${safe(JSON.stringify(c.body))}`);
    }
    for (const n of i.notes) lines.push(`   note: ${safe(n)}`);
    lines.push('');
  }
  if (p.identities.length === 0) lines.push('No Revoke or Modify decisions: nothing to do.');
  return `${lines.join('\n').trimEnd()}\n`;
}
