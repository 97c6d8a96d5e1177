/**
 * The report model: a Snapshot and its AuditResult become one sorted, counted structure (STYLE.md
 * pipeline step "Snapshot + AuditResult -> ReportModel"). Every renderer (HTML, XLSX, JSON, CSV, JUnit,
 * Markdown, the email summary) only lays this model out, so two formats can never disagree on a number.
 *
 * Pure: no I/O, no clock (the generation time is passed in), deterministic ordering everywhere.
 * The JSON renderer writes this model as-is, so its shape is versioned by REPORT_SCHEMA_VERSION.
 */

import type { AuditResult, Finding, NotEvaluated, RuleSummary, Waiver } from '../audit/types.js';
import { gateVerdict } from '../audit/verdict.js';
import {
  compareFindings,
  type FindingComparison,
  type FindingIdentity,
  type FindingMark,
  findingIdentity,
  type ResolvedFinding,
} from '../changes/compare-findings.js';
import { CHANGE_KINDS, type ChangeKind, diffSnapshots } from '../changes/diff.js';
import { CHANGE_KIND_TITLES, type ChangeRow, diffTableRows } from '../changes/format-diff.js';
import { compareText } from '../domain/compare-text.js';
import { nonHumanUser } from '../domain/identities.js';
import { identityKey } from '../domain/keys.js';
import type { FailOn, Severity } from '../domain/severity.js';
import { meetsFailOn, SEVERITY_ORDER, severityRank } from '../domain/severity.js';
import type { IdentityKind, SubjectKind } from '../domain/subject.js';
import { teamsOfUsers } from '../domain/team-membership.js';
import type { EvidenceCheck } from '../evidence/signature.js';
import { type EvidenceSummary, summarizeEvidence } from '../evidence/summary.js';
import { COVERAGE_PARTS, type Coverage, type Organization, type Snapshot } from '../snapshot/schema.js';
import { TOOL } from '../version.js';

/**
 * Version of the report model (and so of the JSON report); bump on any incompatible change.
 * v2: `changes` compares with a previous snapshot and its audit; findings carry `sinceLastReview`.
 */
export const REPORT_SCHEMA_VERSION = 2 as const;

/** Severities from most to least severe: the order every section uses. */

/** Counts per severity, always with all four keys in SEVERITY_ORDER. */
export type SeverityCounts = Record<Severity, number>;

/** Identity counts of one org or of the whole estate. */
export interface IdentityCounts {
  /** Active members (status ACTIVE). */
  users: number;
  /** Pending invitations. */
  pendingInvitations: number;
  /** Expired or rejected invitations still listed by Atlas. */
  staleInvitations: number;
  apiKeys: number;
  serviceAccounts: number;
  /** Users Atlas created itself (e.g. Atlas Charts), counted in `users`. */
  nonHumanUsers: number;
  /** Service accounts Atlas manages itself, counted in `serviceAccounts`. */
  systemManagedServiceAccounts: number;
  /**
   * Invitations made through the deprecated project-invite endpoint (when collected). Listed for review
   * in their own table, not on the roster: a decision on one has no revocation in the plan yet.
   */
  projectInvitations: number;
  /** Every roster row. */
  total: number;
  /** Identities holding ORG_OWNER: humans (active users) and programmatic identities. */
  ownerUsers: number;
  ownerProgrammatic: number;
}

/** Findings counts of one org or of the whole estate. */
export interface FindingCounts {
  total: number;
  open: number;
  waived: number;
  /** Findings (waived included) per severity. */
  bySeverity: SeverityCounts;
  /** Unwaived findings per severity. */
  openBySeverity: SeverityCounts;
  /** Findings that make the CI gate fail (unwaived, new when a baseline was given, at or above failOn). */
  gating: number;
}

/** Completeness evidence for one listing, with the verdict precomputed. */
export interface CompletenessRow {
  endpoint: string;
  itemsRead: number;
  totalCount: number | null;
  pages: number;
  /** True when totalCount is null (nothing to compare) or equals itemsRead. */
  matches: boolean;
}

/**
 * Rules not evaluated in one org for the same reason: "no sign-in data" for never-signed-in,
 * stale-last-auth. Sorted by reason, rule ids sorted.
 */
export interface NotEvaluatedGroup {
  reason: string;
  rules: string[];
}

/**
 * A rule not evaluated in one organization (AuditResult.notEvaluated): the snapshot lacks data it
 * needs there. Neither a finding nor a pass; every format says "not evaluated: <reason>".
 */
export interface NotEvaluatedRow {
  orgId: string;
  orgName: string;
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  subjectKind: SubjectKind;
  /** Coverage parts the org lacks that the rule needs. */
  missing: string[];
  /** e.g. "no sign-in data". */
  reason: string;
}

/** One organization's summary. */
export interface OrgSummary {
  id: string;
  name: string;
  coverage: Coverage;
  /** Parts the source API could not provide (e.g. Cloud Manager: no teams, no sign-ins). */
  missingCoverage: string[];
  /** Rules not evaluated here, grouped by reason (empty when every enabled rule ran). */
  notEvaluated: NotEvaluatedGroup[];
  /** Optional datasets (`collect --include`) not in the snapshot: not asked for, or the endpoint is gone. */
  optionalNotCollected: string[];
  identities: IdentityCounts;
  teams: number;
  projects: number;
  findings: FindingCounts;
  settings: Organization['settings'];
  completeness: CompletenessRow[];
  /** True when every listing's itemsRead matches its totalCount. */
  complete: boolean;
  notes: string[];
}

/** A finding as every format shows it. */
export interface FindingRow extends FindingIdentity {
  /** Evidence as ordered `[name, value]` pairs (keys sorted); arrays are joined with ", ". */
  evidence: Array<{ name: string; value: string }>;
  waived: boolean;
  waiver: Waiver | null;
  isNew: boolean;
  /** True when this finding makes the CI gate fail. */
  gating: boolean;
  /**
   * Compared with the previous review's audit (`--previous`): `new`, or `still-open` when the same
   * finding key fired then (waived or not). Null when no previous snapshot was given.
   */
  sinceLastReview: FindingMark | null;
}

/** Findings of one rule, with the rule's guidance. */
export interface RuleFindingGroup {
  ruleId: string;
  title: string;
  severity: Severity;
  rationale: string;
  remediation: string;
  references: string[];
  count: number;
  open: number;
  waived: number;
  findings: FindingRow[];
}

/** Findings of one severity, grouped by rule. Only severities with findings appear. */
export interface SeverityGroup {
  severity: Severity;
  count: number;
  open: number;
  waived: number;
  rules: RuleFindingGroup[];
}

/** Who an identity is: a person, a user Atlas created itself, or a programmatic identity. */
export type IdentityType = 'person' | 'non-human' | 'programmatic';

/** One reviewable identity: a user, an invitation, an API key or a service account. */
export interface RosterRow {
  /**
   * Stable identity key `orgId:subjectType:id` (subjectType as in findings: user, apiKey,
   * serviceAccount). The review workbook carries it so decisions can be read back.
   */
  key: string;
  orgId: string;
  orgName: string;
  kind: IdentityKind;
  /** The finding subject type for this identity. */
  subjectType: SubjectKind;
  id: string;
  /** Username, API key public key, or service account name. */
  name: string;
  /** Full name, API key or service account description. */
  displayName: string;
  identityType: IdentityType;
  /**
   * What manages the identity when the organization does not: "Atlas Charts" (the user it creates),
   * "Atlas" (a system-managed service account); null otherwise. Still reviewed like any identity.
   */
  managedBy: string | null;
  status: string;
  orgRoles: string[];
  /** `Project name: ROLE_A, ROLE_B`, sorted by project name. */
  projectRoles: string[];
  teams: string[];
  createdAt: string | null;
  /** Last sign-in (users) or the latest last-used time (API key access list, service account secrets). */
  lastActivity: string | null;
  /** Whole days from lastActivity to the model's asOf (generatedAt unless given); null when there was no activity. */
  daysSinceActivity: number | null;
  /** Invitation expiry, or the earliest service account secret expiry. */
  expiresAt: string | null;
  findingCount: number;
  openFindingCount: number;
  /** Most severe open finding, or null. */
  maxSeverity: Severity | null;
  /** Rule ids of the findings on this identity, sorted. */
  findingRules: string[];
  /**
   * Rules of this identity's kind not evaluated in its org, as "<reason>: <rule>, <rule>" (e.g. a
   * Cloud Manager user: "no sign-in data: never-signed-in, stale-last-auth"). Empty when all ran.
   */
  notEvaluated: string[];
}

/** A team and where it grants access. */
export interface TeamRow {
  orgId: string;
  orgName: string;
  id: string;
  name: string;
  memberCount: number;
  /** Member usernames, sorted (ids when a member is not among the org's users). */
  members: string[];
  /** `Project name: ROLE_A, ROLE_B`, sorted. */
  projectRoles: string[];
  findingCount: number;
}

/** Extra detail for API keys and service accounts. */
export interface ProgrammaticRow {
  key: string;
  orgId: string;
  orgName: string;
  kind: 'apiKey' | 'serviceAccount';
  id: string;
  name: string;
  description: string;
  orgRoles: string[];
  projectRoles: string[];
  /** Access list entries (CIDR or IP). */
  accessList: string[];
  /** False when the access list was not collected (service accounts in a snapshot upgraded from schema 1). */
  accessListCollected: boolean;
  /** "Atlas" for a system-managed service account; null otherwise. */
  managedBy: string | null;
  /** Service accounts: number of secrets. API keys: 0. */
  secrets: number;
  createdAt: string | null;
  lastUsedAt: string | null;
  /** Earliest secret expiry (service accounts). */
  expiresAt: string | null;
  findingCount: number;
  maxSeverity: Severity | null;
}

/** An invitation to one project made through the deprecated project-invite endpoint. */
export interface ProjectInvitationRow {
  orgId: string;
  orgName: string;
  id: string;
  projectId: string;
  projectName: string;
  username: string;
  roles: string[];
  createdAt: string | null;
  expiresAt: string | null;
  inviterUsername: string | null;
  /** Whole days from createdAt to the model's asOf; null when unknown. */
  daysPending: number | null;
  /** The expiry has passed at the model's asOf. */
  expired: boolean;
}

/** Rule coverage row. */
export interface RuleRow {
  id: string;
  title: string;
  severity: Severity;
  subjectKind: SubjectKind;
  enabled: boolean;
  /** What the rule checks, why it matters and how to fix a finding (SARIF rule metadata). */
  description: string;
  rationale: string;
  remediation: string;
  subjectsChecked: number;
  passed: number;
  failed: number;
  waived: number;
  /** Organizations where the rule was not evaluated (their subjects are in none of the counts). */
  notEvaluated: Array<{ orgId: string; orgName: string; reason: string }>;
  references: string[];
  /** Effective params as `name=value` strings, sorted by name. */
  params: string[];
}

/** One waiver and what it matched. */
export interface WaiverRow {
  /**
   * `notApplied`: the waiver names a subject but does not identify it safely (see `problem`).
   * `expiringSoon`: applied, and expires soon. Every waiver is one row.
   */
  status: 'applied' | 'expired' | 'unused' | 'expiringSoon' | 'notApplied';
  /** For `notApplied`: why, and how to fix the waiver. */
  problem?: string;
  ruleId: string;
  /** The subject's name and id, "name (id)", when known; else the waiver's subject as written. */
  subject: string;
  reason: string;
  approver: string;
  ticket: string | null;
  expiresOn: string;
  findingCount: number;
}

/** Number of snapshot changes of one kind (only kinds that occurred, in CHANGE_KINDS order). */
export interface ChangeKindCount {
  kind: ChangeKind;
  /** Human title, e.g. "Joiner", "Org roles changed". */
  change: string;
  count: number;
}

/**
 * "Changes since the last review" (issue 6): the previous snapshot, diffed against this one, and the
 * previous snapshot's audit (same rules, policy, waivers and clock) compared with this audit.
 */
export interface ReportChanges {
  /** The previous review's snapshot. */
  previous: {
    /** The file as the user named it; null when the caller did not read it from a file. */
    file: string | null;
    collectedAt: string;
    snapshotSha256: string;
    /** Identities on its roster (users and invitations, API keys, service accounts). */
    identities: number;
    /** Findings of its audit, waived included. */
    findings: number;
  };
  /** Counts of the snapshot diff. */
  summary: {
    total: number;
    /** Changes that grant ORG_OWNER or GROUP_OWNER. */
    escalations: number;
    joiners: number;
    leavers: number;
    byKind: ChangeKindCount[];
  };
  /**
   * Every snapshot change as a table row: privilege escalations first, then by organization, change
   * kind (CHANGE_KINDS order) and subject, as the diff sorts them.
   */
  rows: ChangeRow[];
  /** How the findings moved: every current finding is `new` or `still-open`; `resolved` are gone. */
  findings: {
    new: number;
    stillOpen: number;
    resolved: number;
    /** New findings that are not waived. */
    newOpen: number;
  };
  /** Previous findings that no longer fire, most severe first, then by key. */
  resolved: ResolvedFinding[];
  /** Open findings now minus open findings then, per severity and in total. */
  openDelta: SeverityCounts & { total: number };
  /** Roster size now minus then. */
  identitiesDelta: number;
}

/** The whole report. Field order here is the JSON report's key order. */
export interface ReportModel {
  reportSchemaVersion: typeof REPORT_SCHEMA_VERSION;
  meta: {
    tool: { name: string; version: string };
    /** Tool that collected the snapshot. */
    collectedBy: { name: string; version: string };
    title: string;
    generatedAt: string;
    collectedAt: string;
    evaluatedAt: string;
    snapshotSha256: string;
    /** The snapshot file as the user named it (github annotations, SARIF); null when not read from a file. */
    snapshotFile: string | null;
    /** Whether the evidence read (snapshot, previous snapshot, sign-off) was signature-checked. */
    evidence: EvidenceSummary;
    source: Snapshot['source'];
    collectionStats: Snapshot['stats'];
    inputs: AuditResult['inputs'];
  };
  verdict: {
    /** fail when the gate fails; attention when there are open findings below the gate; pass otherwise. */
    status: 'pass' | 'attention' | 'fail';
    failOn: FailOn;
    failing: number;
    headline: string;
    /** The gate in words: "fail on high", or "off (--fail-on never)" (src/audit/verdict.ts). */
    gate: string;
  };
  summary: {
    organizations: number;
    teams: number;
    projects: number;
    identities: IdentityCounts;
    findings: FindingCounts;
    waivers: { applied: number; expired: number; unused: number; expiringSoon: number };
    rules: { total: number; enabled: number; failing: number };
    /**
     * Rule checks (rule x org) not evaluated for lack of data, the distinct rules, and the orgs.
     * Not counted as passed anywhere; the verdict headline mentions them.
     */
    notEvaluated: { checks: number; rules: number; organizations: number };
    /** Orgs whose listings did not all match totalCount, or with partial coverage. */
    incompleteOrgs: number;
  };
  organizations: OrgSummary[];
  findings: SeverityGroup[];
  roster: RosterRow[];
  teams: TeamRow[];
  programmatic: ProgrammaticRow[];
  /** Project invitations the users listing does not show (collected with `--include project-invitations`). */
  projectInvitations: ProjectInvitationRow[];
  rules: RuleRow[];
  /** Every rule x org not evaluated, by organization then severity and rule. */
  notEvaluated: NotEvaluatedRow[];
  waivers: WaiverRow[];
  changes: ReportChanges | null;
}

/**
 * The previous review, as `--previous <snapshot>` provides it: its snapshot and that snapshot's audit
 * run with the same rules, policy, waivers and clock as the current one (src/cli/previous.ts reads it).
 */
export interface PreviousReview {
  snapshot: Snapshot;
  /** sha256 of the previous snapshot file's exact bytes. */
  snapshotSha256: string;
  /** The file as the user named it, shown in the report; null when not read from a file. */
  file: string | null;
  audit: Pick<AuditResult, 'findings'>;
}

/** Inputs of {@link buildReportModel}. */
export interface BuildReportModelInput {
  snapshot: Snapshot;
  /** sha256 of the snapshot file's exact bytes. */
  snapshotSha256: string;
  /** The snapshot file as the user named it; omitted when the snapshot was not read from a file. */
  snapshotFile?: string | undefined;
  audit: AuditResult;
  /** When the report is generated (the CLI passes its wall clock). */
  generatedAt: Date;
  /**
   * The clock day counts (days since activity, days pending) are taken at; default `generatedAt`.
   * `run` passes the collection's start, the clock its audit uses, while `generatedAt` stays the wall
   * clock, so "Generated" is never earlier than "Collected".
   */
  asOf?: Date | undefined;
  /** The previous review's snapshot and audit, to show changes since then. */
  previous?: PreviousReview | undefined;
  /**
   * What the signature checks of the files read found (the snapshot first). Absent or empty: nothing
   * was checked, and the report says the evidence is unsigned.
   */
  evidence?: readonly EvidenceCheck[] | undefined;
}

const DAY_MS = 86_400_000;

function zeroSeverities(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0 };
}

function zeroFindingCounts(): FindingCounts {
  return {
    total: 0,
    open: 0,
    waived: 0,
    bySeverity: zeroSeverities(),
    openBySeverity: zeroSeverities(),
    gating: 0,
  };
}

function zeroIdentities(): IdentityCounts {
  return {
    users: 0,
    pendingInvitations: 0,
    staleInvitations: 0,
    apiKeys: 0,
    serviceAccounts: 0,
    nonHumanUsers: 0,
    systemManagedServiceAccounts: 0,
    projectInvitations: 0,
    total: 0,
    ownerUsers: 0,
    ownerProgrammatic: 0,
  };
}

/** The latest of some ISO timestamps (ISO UTC strings sort chronologically), or null. */
function latest(values: Array<string | null>): string | null {
  let best: string | null = null;
  for (const v of values) if (v !== null && (best === null || v > best)) best = v;
  return best;
}

function earliest(values: Array<string | null>): string | null {
  let best: string | null = null;
  for (const v of values) if (v !== null && (best === null || v < best)) best = v;
  return best;
}

function daysBetween(fromIso: string | null, to: Date): number | null {
  if (fromIso === null) return null;
  return Math.max(0, Math.floor((to.getTime() - Date.parse(fromIso)) / DAY_MS));
}

function evidenceValue(value: Finding['evidence'][string]): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** "person", "non-human, managed by Atlas Charts", "programmatic", "programmatic, managed by Atlas". */
export function identityTypeText(r: Pick<RosterRow, 'identityType' | 'managedBy'>): string {
  return r.managedBy === null ? r.identityType : `${r.identityType}, managed by ${r.managedBy}`;
}

/** Appends to the list under `key`, creating it on first use. */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function addFinding(counts: FindingCounts, row: FindingRow): void {
  counts.total++;
  counts.bySeverity[row.severity]++;
  if (row.waived) counts.waived++;
  else {
    counts.open++;
    counts.openBySeverity[row.severity]++;
  }
  if (row.gating) counts.gating++;
}

/** Access-list entries as CIDR blocks or addresses, sorted. */
function accessListLines(
  entries: ReadonlyArray<{ cidrBlock: string | null; ipAddress: string | null }>,
): string[] {
  return entries
    .map((a) => a.cidrBlock ?? a.ipAddress ?? '')
    .filter((x) => x !== '')
    .sort(compareText);
}

function projectRoleLines(
  grants: Array<{ projectId: string; roles: string[] }>,
  projectNames: Map<string, string>,
): string[] {
  return grants
    .map(
      (g) => `${projectNames.get(g.projectId) ?? g.projectId}: ${[...g.roles].sort(compareText).join(', ')}`,
    )
    .sort(compareText);
}

/** Groups not-evaluated entries by reason: [{reason, rules}] sorted by reason, rule ids sorted. */
function groupByReason(list: readonly NotEvaluated[]): NotEvaluatedGroup[] {
  const byReason = new Map<string, string[]>();
  for (const n of list) pushTo(byReason, n.reason, n.ruleId);
  return [...byReason]
    .map(([reason, rules]) => ({ reason, rules: [...rules].sort(compareText) }))
    .sort((a, b) => compareText(a.reason, b.reason));
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
/** Parts read only when asked for (`collect --include`): not collecting them is not a gap. */
const OPTIONAL_COVERAGE_PARTS: Array<keyof Coverage> = ['projectInvitations'];
/** Coverage parts that are details of another part. */
const PART_OF: Partial<Record<keyof Coverage, keyof Coverage>> = {
  serviceAccountAccess: 'serviceAccounts',
  systemManagedServiceAccounts: 'serviceAccounts',
  sessionTimeouts: 'settings',
};
/** Parts every collection should cover; a missing one makes the org's evidence partial. */
const REQUIRED_COVERAGE_PARTS = COVERAGE_PARTS.filter((p) => !OPTIONAL_COVERAGE_PARTS.includes(p));

/** What manages a user that is not a person, e.g. "Atlas Charts"; null for a person. */
function userManagedBy(username: string): string | null {
  return nonHumanUser(username)?.label ?? null;
}

/**
 * Builds the report model. Pure and deterministic: the same inputs give a deep-equal model (and so
 * byte-identical JSON, HTML, Markdown and JUnit).
 */
export function buildReportModel(input: BuildReportModelInput): ReportModel {
  const { snapshot, audit, generatedAt, previous } = input;
  const asOf = input.asOf ?? generatedAt;
  const failOn = audit.gate.failOn;
  const comparison = previous ? compareFindings(previous.audit, audit) : null;

  // Findings rows, in the audit's order (severity desc, rule, org, subject), re-sorted defensively.
  const findingRows: FindingRow[] = audit.findings.map((f) => ({
    ...findingIdentity(f),
    evidence: Object.keys(f.evidence)
      .sort(compareText)
      .map((name) => ({ name, value: evidenceValue(f.evidence[name] ?? null) })),
    waived: f.waived,
    waiver: f.waiver,
    isNew: f.isNew,
    gating: !f.waived && f.isNew && meetsFailOn(f.severity, failOn),
    sinceLastReview: comparison ? (comparison.marks.get(f.key) ?? 'new') : null,
  }));
  findingRows.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.subjectName, b.subjectName) ||
      compareText(a.subjectId, b.subjectId) ||
      compareText(a.key, b.key),
  );

  // Not evaluated: by org, and by org + subject kind for the roster.
  const notEvaluatedByOrg = new Map<string, NotEvaluated[]>();
  for (const n of audit.notEvaluated) pushTo(notEvaluatedByOrg, n.orgId, n);
  const rosterNotEvaluated = (orgId: string, kind: SubjectKind): string[] =>
    groupByReason((notEvaluatedByOrg.get(orgId) ?? []).filter((n) => n.subjectKind === kind)).map(
      (g) => `${g.reason}: ${g.rules.join(', ')}`,
    );

  // Index findings by subject (identity key) and by org, counted once here.
  const bySubject = new Map<string, FindingRow[]>();
  const orgCounts = new Map<string, FindingCounts>();
  const overallFindings = zeroFindingCounts();
  for (const row of findingRows) {
    const k = identityKey(row.orgId, row.subjectType, row.subjectId);
    pushTo(bySubject, k, row);
    let oc = orgCounts.get(row.orgId);
    if (!oc) {
      oc = zeroFindingCounts();
      orgCounts.set(row.orgId, oc);
    }
    addFinding(oc, row);
    addFinding(overallFindings, row);
  }

  const subjectStats = (k: string) => {
    const list = bySubject.get(k) ?? [];
    let open = 0;
    let max: Severity | null = null;
    for (const r of list) {
      if (r.waived) continue;
      open++;
      if (max === null || severityRank(r.severity) > severityRank(max)) max = r.severity;
    }
    const rules = [...new Set(list.map((r) => r.ruleId))].sort(compareText);
    return { count: list.length, open, max, rules };
  };

  const roster: RosterRow[] = [];
  const teams: TeamRow[] = [];
  const programmatic: ProgrammaticRow[] = [];
  const projectInvitations: ProjectInvitationRow[] = [];
  const organizations: OrgSummary[] = [];
  const overallIds = zeroIdentities();
  let teamTotal = 0;
  let projectTotal = 0;

  const orgs = [...snapshot.organizations].sort(
    (a, b) => compareText(a.name, b.name) || compareText(a.id, b.id),
  );
  for (const org of orgs) {
    const ids = zeroIdentities();
    const projectNames = new Map(org.projects.map((p) => [p.id, p.name]));
    const teamNames = new Map(org.teams.map((t) => [t.id, t.name]));
    const usernames = new Map(org.users.map((u) => [u.id, u.username]));
    // Membership from both sides: the users endpoint's teamIds and the team-users endpoint.
    const userTeams = teamsOfUsers(org);
    const orgRosterStart = roster.length;

    const userNotEvaluated = rosterNotEvaluated(org.id, 'user');
    const keyNotEvaluated = rosterNotEvaluated(org.id, 'apiKey');
    const saNotEvaluated = rosterNotEvaluated(org.id, 'serviceAccount');
    for (const u of org.users) {
      const kind: IdentityKind = u.status === 'ACTIVE' ? 'user' : 'invitation';
      if (u.status === 'ACTIVE') ids.users++;
      else if (u.status === 'PENDING') ids.pendingInvitations++;
      else ids.staleInvitations++;
      const isOwner = u.orgRoles.includes('ORG_OWNER');
      if (isOwner && u.status === 'ACTIVE') ids.ownerUsers++;
      const managedBy = userManagedBy(u.username);
      if (managedBy !== null) ids.nonHumanUsers++;
      const key = identityKey(org.id, 'user', u.id);
      const st = subjectStats(key);
      const fullName = [u.firstName, u.lastName].filter((x): x is string => !!x).join(' ');
      roster.push({
        key,
        orgId: org.id,
        orgName: org.name,
        kind,
        subjectType: 'user',
        id: u.id,
        name: u.username,
        displayName: fullName,
        identityType: managedBy === null ? 'person' : 'non-human',
        managedBy,
        status: u.status,
        orgRoles: [...u.orgRoles].sort(compareText),
        projectRoles: projectRoleLines(u.projectRoles, projectNames),
        teams: [...(userTeams.get(u.id) ?? [])].map((t) => teamNames.get(t) ?? t).sort(compareText),
        createdAt: u.createdAt ?? u.invitationCreatedAt,
        lastActivity: u.lastAuth,
        daysSinceActivity: daysBetween(u.lastAuth, asOf),
        expiresAt: u.invitationExpiresAt,
        findingCount: st.count,
        openFindingCount: st.open,
        maxSeverity: st.max,
        findingRules: st.rules,
        notEvaluated: userNotEvaluated,
      });
    }

    for (const k of org.apiKeys) {
      ids.apiKeys++;
      if (k.orgRoles.includes('ORG_OWNER')) ids.ownerProgrammatic++;
      const key = identityKey(org.id, 'apiKey', k.id);
      const st = subjectStats(key);
      const lastUsed = latest(k.accessList.map((a) => a.lastUsedAt));
      const orgRoles = [...k.orgRoles].sort(compareText);
      const projectRoles = projectRoleLines(k.projectRoles, projectNames);
      roster.push({
        key,
        orgId: org.id,
        orgName: org.name,
        kind: 'apiKey',
        subjectType: 'apiKey',
        id: k.id,
        name: k.publicKey,
        displayName: k.description ?? '',
        identityType: 'programmatic',
        managedBy: null,
        status: 'ACTIVE',
        orgRoles,
        projectRoles,
        teams: [],
        createdAt: earliest(k.accessList.map((a) => a.createdAt)),
        lastActivity: lastUsed,
        daysSinceActivity: daysBetween(lastUsed, asOf),
        expiresAt: null,
        findingCount: st.count,
        openFindingCount: st.open,
        maxSeverity: st.max,
        findingRules: st.rules,
        notEvaluated: keyNotEvaluated,
      });
      programmatic.push({
        key,
        orgId: org.id,
        orgName: org.name,
        kind: 'apiKey',
        id: k.id,
        name: k.publicKey,
        description: k.description ?? '',
        orgRoles,
        projectRoles,
        accessList: accessListLines(k.accessList),
        accessListCollected: true,
        managedBy: null,
        secrets: 0,
        createdAt: null,
        lastUsedAt: lastUsed,
        expiresAt: null,
        findingCount: st.count,
        maxSeverity: st.max,
      });
    }

    for (const sa of org.serviceAccounts) {
      ids.serviceAccounts++;
      if (sa.orgRoles.includes('ORG_OWNER')) ids.ownerProgrammatic++;
      if (sa.systemManaged) ids.systemManagedServiceAccounts++;
      const managedBy = sa.systemManaged ? 'Atlas' : null;
      const key = identityKey(org.id, 'serviceAccount', sa.clientId);
      const st = subjectStats(key);
      const lastUsed = latest(sa.secrets.map((s) => s.lastUsedAt));
      const expires = earliest(sa.secrets.map((s) => s.expiresAt));
      const orgRoles = [...sa.orgRoles].sort(compareText);
      const projectRoles = projectRoleLines(sa.projectRoles, projectNames);
      roster.push({
        key,
        orgId: org.id,
        orgName: org.name,
        kind: 'serviceAccount',
        subjectType: 'serviceAccount',
        id: sa.clientId,
        name: sa.name,
        displayName: sa.description ?? '',
        identityType: 'programmatic',
        managedBy,
        status: sa.secrets.length === 0 ? 'NO_SECRETS' : 'ACTIVE',
        orgRoles,
        projectRoles,
        teams: [],
        createdAt: sa.createdAt,
        lastActivity: lastUsed,
        daysSinceActivity: daysBetween(lastUsed, asOf),
        expiresAt: expires,
        findingCount: st.count,
        openFindingCount: st.open,
        maxSeverity: st.max,
        findingRules: st.rules,
        notEvaluated: saNotEvaluated,
      });
      programmatic.push({
        key,
        orgId: org.id,
        orgName: org.name,
        kind: 'serviceAccount',
        id: sa.clientId,
        name: sa.name,
        description: sa.description ?? '',
        orgRoles,
        projectRoles,
        accessList: accessListLines(sa.accessList),
        accessListCollected: org.coverage.serviceAccountAccess,
        managedBy,
        secrets: sa.secrets.length,
        createdAt: sa.createdAt,
        lastUsedAt: lastUsed,
        expiresAt: expires,
        findingCount: st.count,
        maxSeverity: st.max,
      });
    }
    ids.total = roster.length - orgRosterStart;

    for (const inv of org.projectInvitations) {
      ids.projectInvitations++;
      projectInvitations.push({
        orgId: org.id,
        orgName: org.name,
        id: inv.id,
        projectId: inv.projectId,
        projectName: projectNames.get(inv.projectId) ?? inv.projectId,
        username: inv.username,
        roles: [...inv.roles].sort(compareText),
        createdAt: inv.createdAt,
        expiresAt: inv.expiresAt,
        inviterUsername: inv.inviterUsername,
        daysPending: daysBetween(inv.createdAt, asOf),
        expired: inv.expiresAt !== null && Date.parse(inv.expiresAt) <= asOf.getTime(),
      });
    }

    // Project grants per team, from the projects side (GET /groups/{id}/teams).
    const teamGrants = new Map<string, Array<{ projectId: string; roles: string[] }>>();
    for (const p of org.projects) {
      for (const pt of p.teams) {
        pushTo(teamGrants, pt.teamId, { projectId: p.id, roles: pt.roles });
      }
    }
    for (const t of org.teams) {
      teams.push({
        orgId: org.id,
        orgName: org.name,
        id: t.id,
        name: t.name,
        memberCount: t.memberIds.length,
        members: t.memberIds.map((m) => usernames.get(m) ?? m).sort(compareText),
        projectRoles: projectRoleLines(teamGrants.get(t.id) ?? [], projectNames),
        findingCount: bySubject.get(identityKey(org.id, 'team', t.id))?.length ?? 0,
      });
    }

    const completeness: CompletenessRow[] = org.completeness.map((c) => ({
      endpoint: c.endpoint,
      itemsRead: c.itemsRead,
      totalCount: c.totalCount,
      pages: c.pages,
      matches: c.totalCount === null || c.totalCount === c.itemsRead,
    }));
    // A part of a dataset that was not read at all is not named again (no service accounts: no need to
    // add "no service accounts' access lists").
    const missingCoverage = REQUIRED_COVERAGE_PARTS.filter(
      (p) => !org.coverage[p] && !(PART_OF[p] !== undefined && !org.coverage[PART_OF[p]]),
    );
    organizations.push({
      id: org.id,
      name: org.name,
      coverage: org.coverage,
      missingCoverage,
      notEvaluated: groupByReason(notEvaluatedByOrg.get(org.id) ?? []),
      optionalNotCollected: OPTIONAL_COVERAGE_PARTS.filter((p) => !org.coverage[p]),
      identities: ids,
      teams: org.teams.length,
      projects: org.projects.length,
      findings: orgCounts.get(org.id) ?? zeroFindingCounts(),
      settings: org.settings,
      completeness,
      complete: completeness.every((c) => c.matches),
      notes: [...org.notes],
    });
    teamTotal += org.teams.length;
    projectTotal += org.projects.length;
    for (const f of Object.keys(ids) as Array<keyof IdentityCounts>) overallIds[f] += ids[f];
  }

  const kindOrder: Record<IdentityKind, number> = { user: 0, invitation: 1, apiKey: 2, serviceAccount: 3 };
  roster.sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      kindOrder[a.kind] - kindOrder[b.kind] ||
      compareText(a.name, b.name) ||
      compareText(a.id, b.id),
  );
  teams.sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.name, b.name) ||
      compareText(a.id, b.id),
  );
  programmatic.sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.kind, b.kind) ||
      compareText(a.name, b.name) ||
      compareText(a.id, b.id),
  );
  projectInvitations.sort(
    (a, b) =>
      compareText(a.orgName, b.orgName) ||
      compareText(a.orgId, b.orgId) ||
      compareText(a.projectName, b.projectName) ||
      compareText(a.username, b.username) ||
      compareText(a.id, b.id),
  );

  const findings = groupFindings(findingRows, audit.rules);

  const waivedByRule = new Map<string, number>();
  for (const r of findingRows)
    if (r.waived) waivedByRule.set(r.ruleId, (waivedByRule.get(r.ruleId) ?? 0) + 1);
  const rules: RuleRow[] = [...audit.rules]
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || compareText(a.id, b.id))
    .map((r) => ({
      id: r.id,
      title: r.title,
      severity: r.severity,
      subjectKind: r.subjectKind,
      enabled: r.enabled,
      description: r.description,
      rationale: r.rationale,
      remediation: r.remediation,
      subjectsChecked: r.subjectsChecked,
      passed: r.passed,
      failed: r.failed,
      waived: waivedByRule.get(r.id) ?? 0,
      notEvaluated: audit.notEvaluated
        .filter((n) => n.ruleId === r.id)
        .map((n) => ({ orgId: n.orgId, orgName: n.orgName, reason: n.reason }))
        .sort((a, b) => compareText(a.orgName, b.orgName) || compareText(a.orgId, b.orgId)),
      references: [...r.references],
      params: Object.keys(r.params)
        .sort(compareText)
        .map((k) => `${k}=${JSON.stringify(r.params[k])}`),
    }));

  const waivers = waiverRows(audit);
  const incompleteOrgs = organizations.filter((o) => !o.complete || o.missingCoverage.length > 0).length;

  const gate = gateVerdict(audit);
  const notEvaluatedRows: NotEvaluatedRow[] = audit.notEvaluated
    .map((n) => ({
      orgId: n.orgId,
      orgName: n.orgName,
      ruleId: n.ruleId,
      ruleTitle: n.ruleTitle,
      severity: n.severity,
      subjectKind: n.subjectKind,
      missing: [...n.missing],
      reason: n.reason,
    }))
    .sort(
      (a, b) =>
        compareText(a.orgName, b.orgName) ||
        compareText(a.orgId, b.orgId) ||
        severityRank(b.severity) - severityRank(a.severity) ||
        compareText(a.ruleId, b.ruleId),
    );
  const notEvaluated = {
    checks: notEvaluatedRows.length,
    rules: new Set(notEvaluatedRows.map((n) => n.ruleId)).size,
    organizations: new Set(notEvaluatedRows.map((n) => n.orgId)).size,
  };
  // A pass over part of the rules must say so where the verdict is read.
  const partial =
    notEvaluated.checks === 0
      ? ''
      : `; ${plural(notEvaluated.rules, 'rule', 'rules')} not evaluated in ${plural(notEvaluated.organizations, 'organization', 'organizations')} (no data for them)`;
  const headline = gate.headline + partial;

  const model: ReportModel = {
    reportSchemaVersion: REPORT_SCHEMA_VERSION,
    meta: {
      tool: { name: TOOL.name, version: TOOL.version },
      collectedBy: { name: snapshot.tool.name, version: snapshot.tool.version },
      title: `Atlas access review: ${orgs.length === 1 ? orgs[0]!.name : `${orgs.length} organizations`}`,
      generatedAt: generatedAt.toISOString(),
      collectedAt: snapshot.collectedAt,
      evaluatedAt: audit.evaluatedAt,
      snapshotSha256: input.snapshotSha256,
      snapshotFile: input.snapshotFile ?? null,
      evidence: summarizeEvidence(input.evidence ?? []),
      source: { ...snapshot.source },
      collectionStats: { ...snapshot.stats },
      inputs: { ...audit.inputs },
    },
    verdict: { status: gate.status, failOn, failing: gate.failing, headline, gate: gate.gate },
    summary: {
      organizations: orgs.length,
      teams: teamTotal,
      projects: projectTotal,
      identities: overallIds,
      findings: overallFindings,
      waivers: {
        applied: audit.waivers.applied.length,
        expired: audit.waivers.expired.length,
        unused: audit.waivers.unused.length,
        expiringSoon: audit.waivers.expiringSoon.length,
      },
      rules: {
        total: audit.rules.length,
        enabled: audit.rules.filter((r) => r.enabled).length,
        failing: audit.rules.filter((r) => r.failed > 0).length,
      },
      notEvaluated,
      incompleteOrgs,
    },
    organizations,
    findings,
    roster,
    teams,
    programmatic,
    projectInvitations,
    rules,
    notEvaluated: notEvaluatedRows,
    waivers,
    changes: null,
  };
  if (previous && comparison) model.changes = computeChanges(model, snapshot, previous, comparison);
  return model;
}

function groupFindings(rows: FindingRow[], rules: RuleSummary[]): SeverityGroup[] {
  const ruleInfo = new Map(rules.map((r) => [r.id, r]));
  const groups: SeverityGroup[] = [];
  for (const severity of SEVERITY_ORDER) {
    const ofSeverity = rows.filter((r) => r.severity === severity);
    if (ofSeverity.length === 0) continue;
    const byRule = new Map<string, FindingRow[]>();
    for (const r of ofSeverity) {
      pushTo(byRule, r.ruleId, r);
    }
    const ruleGroups: RuleFindingGroup[] = [...byRule.keys()].sort(compareText).map((ruleId) => {
      const list = byRule.get(ruleId)!;
      const info = ruleInfo.get(ruleId);
      const waived = list.filter((r) => r.waived).length;
      return {
        ruleId,
        title: info?.title ?? list[0]!.ruleTitle,
        severity,
        rationale: info?.rationale ?? '',
        remediation: info?.remediation ?? '',
        references: info ? [...info.references] : [],
        count: list.length,
        open: list.length - waived,
        waived,
        findings: list,
      };
    });
    const waived = ofSeverity.filter((r) => r.waived).length;
    groups.push({
      severity,
      count: ofSeverity.length,
      open: ofSeverity.length - waived,
      waived,
      rules: ruleGroups,
    });
  }
  return groups;
}

function waiverRows(audit: AuditResult): WaiverRow[] {
  const byKey = new Map(audit.findings.map((f) => [f.key, f]));
  // "name (id)" of the subject a waiver covers: from its findings when it matched any (one subject),
  // else from the waiver's own subject and subjectId. A bare name or a bare id alone is ambiguous.
  const subjectText = (w: Waiver, findingKeys: readonly string[]): string => {
    const subjects = new Map<string, { name: string; id: string }>();
    for (const k of findingKeys) {
      const f = byKey.get(k);
      if (f) subjects.set(`${f.subject.type}\u0000${f.subject.id}`, f.subject);
    }
    const only = subjects.size === 1 ? [...subjects.values()][0]! : null;
    const name = only?.name ?? w.subject;
    const id = only?.id ?? w.subjectId ?? null;
    return id && id !== name ? `${name} (${id})` : name;
  };
  const row = (status: WaiverRow['status'], w: Waiver, findingKeys: readonly string[]): WaiverRow => ({
    status,
    ruleId: w.ruleId,
    subject: subjectText(w, findingKeys),
    reason: w.reason,
    approver: w.approver,
    ticket: w.ticket,
    expiresOn: w.expiresOn,
    findingCount: findingKeys.length,
  });
  // Each waiver once: an applied waiver that expires soon is listed as expiringSoon (it is still
  // applied, and counted so); one expiring soon but unused or not applied keeps that status.
  const identity = (w: Waiver): string =>
    JSON.stringify([
      w.ruleId,
      w.subject,
      w.orgId ?? null,
      w.subjectId ?? null,
      w.expiresOn,
      w.approver,
      w.reason,
    ]);
  const soon = new Set(audit.waivers.expiringSoon.map(identity));
  const rows: WaiverRow[] = [
    ...audit.waivers.applied.map((w) =>
      row(soon.has(identity(w)) ? 'expiringSoon' : 'applied', w, w.findingKeys),
    ),
    ...audit.waivers.expired.map((w) => row('expired', w, [])),
    ...audit.waivers.unused.map((w) => row('unused', w, [])),
    ...(audit.waivers.notApplied ?? []).map((w) => ({
      ...row('notApplied', w, w.findingKeys),
      problem: `${w.problem}: ${w.detail}`,
    })),
  ];
  const order: Record<WaiverRow['status'], number> = {
    notApplied: 0,
    expired: 1,
    expiringSoon: 2,
    unused: 3,
    applied: 4,
  };
  return rows.sort(
    (a, b) =>
      order[a.status] - order[b.status] ||
      compareText(a.expiresOn, b.expiresOn) ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.subject, b.subject),
  );
}

/** Roster size of a snapshot, counted as the roster counts it (every user row, key and account). */
function rosterSize(snapshot: Snapshot): number {
  let n = 0;
  for (const o of snapshot.organizations) n += o.users.length + o.apiKeys.length + o.serviceAccounts.length;
  return n;
}

function computeChanges(
  model: ReportModel,
  snapshot: Snapshot,
  previous: PreviousReview,
  comparison: FindingComparison,
): ReportChanges {
  const diff = diffSnapshots(previous.snapshot, snapshot);
  // Escalations first, so a reader of a long table sees them without filtering; the sort is stable, so
  // the diff's own order (org, change kind, subject) holds within each part.
  const rows = diffTableRows(diff).sort(
    (a, b) => (a.escalation === '' ? 1 : 0) - (b.escalation === '' ? 1 : 0),
  );
  const byKind: ChangeKindCount[] = CHANGE_KINDS.filter((k) => diff.summary.byKind[k] > 0).map((kind) => ({
    kind,
    change: CHANGE_KIND_TITLES[kind],
    count: diff.summary.byKind[kind],
  }));
  let newOpen = 0;
  for (const g of model.findings)
    for (const r of g.rules)
      for (const f of r.findings) if (f.sinceLastReview === 'new' && !f.waived) newOpen++;
  const then = zeroSeverities();
  let thenOpen = 0;
  for (const f of previous.audit.findings) {
    if (f.waived) continue;
    then[f.severity]++;
    thenOpen++;
  }
  const now = model.summary.findings.openBySeverity;
  const previousIdentities = rosterSize(previous.snapshot);
  return {
    previous: {
      file: previous.file,
      collectedAt: previous.snapshot.collectedAt,
      snapshotSha256: previous.snapshotSha256,
      identities: previousIdentities,
      findings: previous.audit.findings.length,
    },
    summary: {
      total: diff.summary.total,
      escalations: diff.summary.escalations,
      joiners: diff.summary.joiners,
      leavers: diff.summary.leavers,
      byKind,
    },
    rows,
    findings: {
      new: comparison.counts.new,
      stillOpen: comparison.counts.stillOpen,
      resolved: comparison.counts.resolved,
      newOpen,
    },
    resolved: comparison.resolved,
    openDelta: {
      critical: now.critical - then.critical,
      high: now.high - then.high,
      medium: now.medium - then.medium,
      low: now.low - then.low,
      total: model.summary.findings.open - thenOpen,
    },
    identitiesDelta: model.summary.identities.total - previousIdentities,
  };
}
