/**
 * `review verify`: checks a later snapshot against the last sign-off. Every Revoke whose identity still
 * has access becomes a Finding (rule `review-revocation-not-done`), in the audit's own Finding shape, so
 * the next audit and report can carry it and the CI gate can fail on it.
 *
 * Fail closed (docs/architecture.md, principle 5): when the later snapshot cannot show whether access is gone (the
 * org was not collected, or the source API does not list that kind of identity), the revocation is
 * `unverifiable`, reported as its own finding, never counted as done.
 */
import type { Finding, RuleSummary } from '../audit/types.js';
import { compareText } from '../domain/compare-text.js';
import { databaseRoleText } from '../domain/database-roles.js';
import { findingKey } from '../domain/keys.js';
import type { Severity } from '../domain/severity.js';
import { severityRank } from '../domain/severity.js';
import { teamsOfUsers } from '../domain/team-membership.js';
import { InputError, UsageError } from '../errors.js';
import type { EvidenceSummary } from '../evidence/summary.js';
import type { Organization, Snapshot } from '../snapshot/schema.js';
import { terminalSafe as safe, terminalJson } from '../util/terminal.js';
import type { Signoff, SignoffAction } from './signoff.js';
import { signoffSnapshotProblem } from './signoff-check.js';
import { formatSignal } from './trust.js';

/** A snapshot as read, with the file name it is known by. */
interface NamedSnapshot {
  file: string;
  snapshot: Snapshot;
  sha256: string;
}

/**
 * The snapshot that was signed off, checked against the sign-off: the same sha256, and every action an
 * identity of it with counts that match it (an id that was never in it, or a record with decisions
 * missing, is refused). Throws InputError naming the file that does not fit.
 */
export function checkReviewedSnapshot(signoff: Signoff, signoffFile: string, reviewed: NamedSnapshot): void {
  if (reviewed.sha256 !== signoff.snapshot.sha256)
    throw new InputError(
      reviewed.file,
      '$',
      `is not the snapshot that was signed off: its sha256 is ${reviewed.sha256}, ${signoffFile} names ${signoff.snapshot.sha256}`,
      { hint: `--reviewed-snapshot takes the snapshot review import read (${safe(signoff.snapshot.file)})` },
    );
  const problem = signoffSnapshotProblem(signoff, reviewed.snapshot);
  if (problem)
    throw new InputError(signoffFile, problem.path, `${problem.problem}; refused`, {
      hint: 'use the signoff.json review import wrote, or run review import again',
    });
}

/** The later snapshot must be another one, collected no earlier than the one signed off (UsageError). */
export function checkLaterSnapshot(signoff: Signoff, later: NamedSnapshot): void {
  if (later.sha256 === signoff.snapshot.sha256)
    throw new UsageError(`${later.file} is the snapshot that was signed off, not a later one`, {
      hint: 'collect a new snapshot after carrying out the revocation plan',
    });
  if (later.snapshot.collectedAt < signoff.snapshot.collectedAt)
    throw new UsageError(
      `${later.file} was collected ${later.snapshot.collectedAt}, before the signed-off snapshot (${signoff.snapshot.collectedAt})`,
    );
}

const VERIFY_SCHEMA_VERSION = 1 as const;

/** The review rules, as data (their ids appear in findings, baselines and waivers). */
export const REVIEW_RULES = {
  'review-revocation-not-done': {
    title: 'Revocation decided in the last review was not carried out',
    severity: 'high' as Severity,
    rationale:
      'A reviewer decided to revoke this access and signed it off; the identity still holds it, so the review record and reality disagree.',
    remediation:
      'Carry out the revocation plan written by `review import` (or record why not with a waiver) and collect a new snapshot.',
  },
  'review-revocation-unverifiable': {
    title: 'Revocation from the last review cannot be verified',
    severity: 'medium' as Severity,
    rationale:
      'The later snapshot does not cover this identity (organization not collected, or the source API does not list this kind of identity), so the revocation cannot be shown to be done.',
    remediation:
      'Collect a snapshot that covers the organization with the Atlas Admin API v2 and verify again.',
  },
  'review-rubber-stamp': {
    title: 'Reviewer decisions look rubber-stamped',
    severity: 'low' as Severity,
    rationale:
      'A reviewer who kept every row, flagged ones included, or wrote one identical comment on many rows, may not have reviewed them; auditors reject such reviews (SOC 2 CC6.2, ISO/IEC 27001:2022 A.5.18).',
    remediation:
      'Ask the reviewer to look at the flagged rows again (or have another reviewer do it) and import or merge the review again; raise the severity in the policy to make it gate.',
  },
} as const;
type ReviewRuleId = keyof typeof REVIEW_RULES;

/**
 * Controls the review cycle itself evidences (sign-off and verification): periodic review of user and
 * of application/system accounts, and the removal of access found inappropriate.
 */
export const REVIEW_REFERENCES = [
  'SOC 2 CC6.2',
  'SOC 2 CC6.3',
  'ISO/IEC 27001:2022 A.5.18',
  'ISO/IEC 27001:2022 A.8.2',
  'PCI DSS v4.0 7.2.4',
  'PCI DSS v4.0 7.2.5.1',
] as const;

/** Params of the review rules: their defaults, overridable in the policy (`rules.<id>.params`). */
export const REVIEW_RULE_PARAMS: Readonly<Record<ReviewRuleId, Readonly<Record<string, number>>>> = {
  'review-revocation-not-done': {},
  'review-revocation-unverifiable': {},
  // At least this many rows with one identical comment by one reviewer (src/review/trust.ts).
  'review-rubber-stamp': { identicalCommentRows: 100 },
};

/**
 * The rubber-stamp signals a sign-off records, as findings of `review-rubber-stamp`: about the
 * reviewer, in the first organization of the sign-off (the review, not an Atlas identity, is at fault).
 */
export function rubberStampFindings(signoff: Signoff): Finding[] {
  const org = signoff.snapshot.organizations[0];
  if (!org) return [];
  const rule = REVIEW_RULES['review-rubber-stamp'];
  return (signoff.signals ?? []).map((s) => ({
    ruleId: 'review-rubber-stamp',
    ruleTitle: rule.title,
    severity: rule.severity,
    orgId: org.id,
    orgName: org.name,
    subject: { type: 'user', id: `${s.reviewer}#${s.signal}`, name: s.reviewer },
    message: `${formatSignal(s)} (sign-off of ${signoff.signedOffAt.slice(0, 10)})`,
    evidence: { reviewer: s.reviewer, signal: s.signal, rows: s.rows, count: s.count, comment: s.comment },
    waived: false,
    waiver: null,
    key: findingKey('review-rubber-stamp', org.id, 'user', `${s.reviewer}#${s.signal}`),
    isNew: true,
  }));
}

/** RuleSummary entries for the review rules, so a report's rule table can list them. */
export function reviewRuleSummaries(findings: Finding[]): RuleSummary[] {
  return (Object.keys(REVIEW_RULES) as ReviewRuleId[]).map((id) => {
    const r = REVIEW_RULES[id];
    const failed = findings.filter((f) => f.ruleId === id).length;
    return {
      id,
      title: r.title,
      severity: r.severity,
      subjectKind: 'user',
      description: r.title,
      rationale: r.rationale,
      remediation: r.remediation,
      // The review itself is the evidence of the periodic-review controls.
      references: [...REVIEW_REFERENCES],
      enabled: true,
      params: { ...REVIEW_RULE_PARAMS[id] },
      subjectsChecked: 0,
      passed: 0,
      failed,
    };
  });
}

/** What the later snapshot shows for one Revoke. */
interface RevocationCheck {
  key: string;
  orgId: string;
  orgName: string;
  kind: SignoffAction['kind'];
  id: string;
  name: string;
  reviewer: string;
  reviewedOn: string;
  comment: string | null;
  outcome: 'done' | 'not-done' | 'unverifiable';
  /** Why, in words (e.g. "no longer a member", "still ACTIVE with ORG_OWNER"). */
  reason: string;
  /** Access still held (org roles, `Project: ROLE`, `team X`); empty when done. */
  remaining: string[];
  /** The identity's id in the later snapshot when it was matched by username (invitation accepted). */
  matchedId: string | null;
}

export interface VerifyResult {
  verifySchemaVersion: typeof VERIFY_SCHEMA_VERSION;
  checkedAt: string;
  /**
   * The sign-off verified: `sha256` of its file's exact bytes (what an evidence pack chains verify.json
   * to; null when the caller passed the sign-off without its bytes), its time, and what it names.
   */
  signoff: { sha256: string | null; signedOffAt: string; snapshotSha256: string; workbookSha256: string };
  snapshot: { file: string; sha256: string; collectedAt: string };
  summary: {
    revocations: number;
    done: number;
    notDone: number;
    unverifiable: number;
    modifications: number;
  };
  /** Sorted by outcome (not-done, unverifiable, done), org, name. */
  checks: RevocationCheck[];
  /** Findings for not-done and unverifiable checks, sorted like an audit's. */
  findings: Finding[];
  /** True when any Revoke was not carried out or cannot be verified (exit 1). */
  failed: boolean;
  /** Whether the sign-off and snapshots were signature-checked (set by the CLI, which read them). */
  evidence?: EvidenceSummary | undefined;
}

function userAccessLines(org: Organization, userId: string): string[] {
  const u = org.users.find((x) => x.id === userId);
  if (!u) return [];
  const projectNames = new Map(org.projects.map((p) => [p.id, p.name]));
  const teams = teamsOfUsers(org).get(userId) ?? new Set<string>();
  const teamNames = new Map(org.teams.map((t) => [t.id, t.name]));
  return [
    ...[...u.orgRoles].sort(compareText),
    ...u.projectRoles
      .flatMap((g) => g.roles.map((r) => `${projectNames.get(g.projectId) ?? g.projectId}: ${r}`))
      .sort(compareText),
    ...[...teams].map((t) => `team ${teamNames.get(t) ?? t}`).sort(compareText),
  ];
}

/** What `check` finds for one Revoke (the action's own fields are added by the caller). */
type CheckOutcome = Pick<RevocationCheck, 'outcome' | 'reason' | 'remaining' | 'matchedId'>;

const unverifiable = (reason: string): CheckOutcome => ({
  outcome: 'unverifiable',
  reason,
  remaining: [],
  matchedId: null,
});

/** Org roles, then project roles as "<project>: <ROLE>", each sorted. */
function roleLines(
  org: Organization,
  orgRoles: readonly string[],
  projectRoles: ReadonlyArray<{ projectId: string; roles: readonly string[] }>,
): string[] {
  const projectNames = new Map(org.projects.map((p) => [p.id, p.name]));
  return [
    ...[...orgRoles].sort(compareText),
    ...projectRoles
      .flatMap((g) => g.roles.map((r) => `${projectNames.get(g.projectId) ?? g.projectId}: ${r}`))
      .sort(compareText),
  ];
}

function checkUser(a: SignoffAction, org: Organization): CheckOutcome {
  if (!org.coverage.users) return unverifiable('the later snapshot has no users for this organization');
  let u = org.users.find((x) => x.id === a.id);
  let matchedId: string | null = null;
  // An invitation accepted after the review carries a new id but the same username (as in `diff`).
  if (!u && a.kind === 'invitation') {
    u = org.users.find((x) => x.username.toLowerCase() === a.name.toLowerCase());
    if (u) matchedId = u.id;
  }
  if (!u)
    return {
      outcome: 'done',
      reason: 'no longer a member or invitation of the organization',
      remaining: [],
      matchedId,
    };
  if (u.status === 'INVITATION_EXPIRED' || u.status === 'INVITATION_REJECTED')
    return {
      outcome: 'done',
      reason: `the invitation is ${u.status === 'INVITATION_EXPIRED' ? 'expired' : 'rejected'} and grants no access`,
      remaining: [],
      matchedId,
    };
  const remaining = userAccessLines(org, u.id);
  return {
    outcome: 'not-done',
    reason: `still ${u.status}${remaining.length > 0 ? ` with ${remaining.join(', ')}` : ''}`,
    remaining,
    matchedId,
  };
}

function checkApiKey(a: SignoffAction, org: Organization): CheckOutcome {
  if (!org.coverage.apiKeys) return unverifiable('the later snapshot has no API keys for this organization');
  const k = org.apiKeys.find((x) => x.id === a.id);
  if (!k) return { outcome: 'done', reason: 'API key deleted', remaining: [], matchedId: null };
  const remaining = roleLines(org, k.orgRoles, k.projectRoles);
  return {
    outcome: 'not-done',
    reason: `API key still exists with ${remaining.join(', ') || 'no roles'}`,
    remaining,
    matchedId: null,
  };
}

function checkServiceAccount(a: SignoffAction, org: Organization): CheckOutcome {
  if (!org.coverage.serviceAccounts)
    return unverifiable('the later snapshot has no service accounts for this organization');
  const s = org.serviceAccounts.find((x) => x.clientId === a.id);
  if (!s) return { outcome: 'done', reason: 'service account deleted', remaining: [], matchedId: null };
  const remaining = roleLines(org, s.orgRoles, s.projectRoles);
  return {
    outcome: 'not-done',
    reason: `service account still exists with ${remaining.join(', ') || 'no roles'} and ${s.secrets.length} secret(s)`,
    remaining,
    matchedId: null,
  };
}

/**
 * A database user is gone when its project no longer lists it (same `databaseName` and `username`), or
 * when the project itself is gone from an org whose projects were listed. Without the later snapshot's
 * database users (coverage) nothing can be concluded.
 */
function checkDatabaseUser(a: SignoffAction, org: Organization): CheckOutcome {
  const d = a.databaseUser;
  if (!d) return unverifiable('the sign-off does not say which project and database the user was in');
  if (!org.coverage.databaseUsers)
    return unverifiable('the later snapshot has no database users for this organization');
  const project = org.projects.find((p) => p.id === d.projectId);
  if (!project) {
    if (!org.coverage.projects)
      return unverifiable('the later snapshot has no projects for this organization');
    return {
      outcome: 'done',
      reason: `project ${d.projectName} no longer exists`,
      remaining: [],
      matchedId: null,
    };
  }
  const u = project.databaseUsers.find((x) => x.databaseName === d.databaseName && x.username === d.username);
  if (!u) return { outcome: 'done', reason: 'database user deleted', remaining: [], matchedId: null };
  const remaining = u.roles.map(databaseRoleText).sort(compareText);
  return {
    outcome: 'not-done',
    reason: `database user still exists in project ${project.name} with ${remaining.join(', ') || 'no roles'}`,
    remaining,
    matchedId: null,
  };
}

/** An access list entry is gone when its project's list no longer has it (or the project is gone). */
function checkNetworkAccess(a: SignoffAction, org: Organization): CheckOutcome {
  const n = a.networkAccess;
  if (!n) return unverifiable('the sign-off does not say which project the entry was in');
  if (!org.coverage.networkAccess)
    return unverifiable('the later snapshot has no network access lists for this organization');
  const project = org.projects.find((p) => p.id === n.projectId);
  if (!project) {
    if (!org.coverage.projects)
      return unverifiable('the later snapshot has no projects for this organization');
    return {
      outcome: 'done',
      reason: `project ${n.projectName} no longer exists`,
      remaining: [],
      matchedId: null,
    };
  }
  const still = project.networkAccess.filter((e) =>
    [e.awsSecurityGroup, e.cidrBlock, e.ipAddress].includes(n.entryValue),
  );
  if (still.length === 0)
    return { outcome: 'done', reason: 'removed from the IP access list', remaining: [], matchedId: null };
  return {
    outcome: 'not-done',
    reason: `still on the IP access list of project ${project.name}`,
    remaining: [`${project.name}: ${n.entryValue}`],
    matchedId: null,
  };
}

/** Whether the later snapshot shows a Revoke carried out: done, not done, or unverifiable (fail closed). */
function check(a: SignoffAction, org: Organization | undefined): CheckOutcome {
  if (!org) return unverifiable('organization not in the later snapshot');
  if (a.subjectType === 'databaseUser') return checkDatabaseUser(a, org);
  if (a.subjectType === 'networkAccessEntry') return checkNetworkAccess(a, org);
  if (a.subjectType === 'user') return checkUser(a, org);
  if (a.subjectType === 'apiKey') return checkApiKey(a, org);
  return checkServiceAccount(a, org);
}

/**
 * The finding's subject: the identity the Revoke named, of its own kind. Database users and access
 * list entries have no Atlas id; their id is the sign-off's (`<projectId>/<databaseName>/<username>`,
 * `<projectId>/<entry>`, src/domain/keys.ts `databaseAccessId`), the same id the audit's own
 * `databaseUser` and `networkAccessEntry` findings carry, so the key, baselines and waivers match them.
 */
function findingSubject(a: SignoffAction, subjectId: string, name: string): Finding['subject'] {
  return { type: a.subjectType, id: subjectId, name };
}

function toFinding(c: RevocationCheck, a: SignoffAction): Finding {
  const ruleId: ReviewRuleId =
    c.outcome === 'not-done' ? 'review-revocation-not-done' : 'review-revocation-unverifiable';
  const rule = REVIEW_RULES[ruleId];
  const subjectId = c.matchedId ?? c.id;
  const message =
    c.outcome === 'not-done'
      ? `${c.name} was marked Revoke by ${c.reviewer} on ${c.reviewedOn} but is ${c.reason}`
      : `${c.name} was marked Revoke by ${c.reviewer} on ${c.reviewedOn}; cannot verify: ${c.reason}`;
  return {
    ruleId,
    ruleTitle: rule.title,
    severity: rule.severity,
    orgId: c.orgId,
    orgName: c.orgName,
    subject: findingSubject(a, subjectId, c.name),
    message,
    evidence: {
      decision: 'Revoke',
      reviewer: c.reviewer,
      reviewedOn: c.reviewedOn,
      comment: c.comment,
      remainingAccess: c.remaining,
      accessAtReview: [
        ...a.access.orgRoles,
        ...a.access.projectRoles.flatMap((p) => p.roles.map((r) => `${p.projectName}: ${r}`)),
        ...a.access.teams.map((t) => `team ${t.name}`),
      ],
    },
    waived: false,
    waiver: null,
    key: findingKey(ruleId, c.orgId, a.subjectType, subjectId),
    isNew: true,
  };
}

/**
 * Checks every Revoke of a sign-off against a later snapshot. Modify decisions are counted but not
 * checked: their intent is free text (the plan lists what they would remove).
 */
export function verifySignoff(
  signoff: Signoff,
  later: { snapshot: Snapshot; sha256: string; file: string },
  checkedAt: Date,
  /** sha256 of the sign-off file's exact bytes, recorded in the result (null: not read from a file). */
  signoffSha256: string | null = null,
): VerifyResult {
  const orgs = new Map(later.snapshot.organizations.map((o) => [o.id, o]));
  const checks: RevocationCheck[] = [];
  const findings: Finding[] = [];
  for (const a of signoff.actions) {
    if (a.decision !== 'Revoke') continue;
    const r = check(a, orgs.get(a.orgId));
    const c: RevocationCheck = {
      key: a.key,
      orgId: a.orgId,
      orgName: orgs.get(a.orgId)?.name ?? a.orgName,
      kind: a.kind,
      id: a.id,
      name: a.name,
      reviewer: a.reviewer,
      reviewedOn: a.reviewedOn,
      comment: a.comment,
      ...r,
    };
    checks.push(c);
    if (c.outcome !== 'done') findings.push(toFinding(c, a));
  }
  const order = { 'not-done': 0, unverifiable: 1, done: 2 } as const;
  checks.sort(
    (a, b) =>
      order[a.outcome] - order[b.outcome] ||
      compareText(a.orgName, b.orgName) ||
      compareText(a.name, b.name) ||
      compareText(a.key, b.key),
  );
  findings.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.subject.name, b.subject.name) ||
      compareText(a.subject.id, b.subject.id),
  );
  const notDone = checks.filter((c) => c.outcome === 'not-done').length;
  const unverifiable = checks.filter((c) => c.outcome === 'unverifiable').length;
  return {
    verifySchemaVersion: VERIFY_SCHEMA_VERSION,
    checkedAt: checkedAt.toISOString(),
    signoff: {
      sha256: signoffSha256,
      signedOffAt: signoff.signedOffAt,
      snapshotSha256: signoff.snapshot.sha256,
      workbookSha256: signoff.workbook.sha256,
    },
    snapshot: { file: later.file, sha256: later.sha256, collectedAt: later.snapshot.collectedAt },
    summary: {
      revocations: checks.length,
      done: checks.length - notDone - unverifiable,
      notDone,
      unverifiable,
      modifications: signoff.actions.filter((a) => a.decision === 'Modify').length,
    },
    checks,
    findings,
    failed: notDone + unverifiable > 0,
  };
}

/** Text output of `review verify`. */
function formatVerifyText(r: VerifyResult): string {
  const s = r.summary;
  const lines = [
    `sign-off of snapshot ${r.signoff.snapshotSha256.slice(0, 12)} (signed off ${r.signoff.signedOffAt})`,
    `checked against ${safe(r.snapshot.file)} collected ${r.snapshot.collectedAt} sha256 ${r.snapshot.sha256.slice(0, 12)}`,
    `${s.revocations} revocation(s): ${s.done} done, ${s.notDone} not done, ${s.unverifiable} unverifiable; ${s.modifications} modification(s) not checked`,
    ...(r.evidence ? [r.evidence.statement] : []),
    '',
  ];
  const label = { 'not-done': 'NOT DONE', unverifiable: 'UNVERIFIABLE', done: 'done' } as const;
  for (const c of r.checks)
    lines.push(
      `${label[c.outcome].padEnd(12)} ${safe(c.orgName)} · ${c.kind} ${safe(c.name)} — ${safe(c.reason)}`,
    );
  if (r.checks.length === 0) lines.push('No Revoke decisions in the sign-off.');
  return `${lines.join('\n').trimEnd()}\n`;
}

/** JSON output of `review verify` (the findings are in the audit's Finding shape). */
function formatVerifyJson(r: VerifyResult): string {
  return `${terminalJson(r)}\n`;
}

export const VERIFY_FORMATS = ['text', 'json'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];
export const VERIFY_FORMATTERS: Record<VerifyFormat, (r: VerifyResult) => string> = {
  text: formatVerifyText,
  json: formatVerifyJson,
};
