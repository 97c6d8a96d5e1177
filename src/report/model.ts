/**
 * The report model: a Snapshot and its AuditResult become one sorted, counted structure (the
 * pipeline step between the audit and every renderer). Every renderer (HTML, XLSX, JSON, CSV, JUnit,
 * Markdown, the email summary) only lays this model out, so two formats can never disagree on a number.
 *
 * Pure: no I/O, no clock (the generation time is passed in), deterministic ordering everywhere.
 * The JSON renderer writes this model as-is, so its shape is versioned by REPORT_SCHEMA_VERSION.
 */

import type { ControlReportRow } from '../audit/controls.js';
import type { PresetSetting } from '../audit/policy.js';
import type { AuditResult, NotEvaluated, Waiver } from '../audit/types.js';
import {
  compareFindings,
  type FindingIdentity,
  type FindingMark,
  type ResolvedFinding,
} from '../changes/compare-findings.js';
import type { ChangeKind } from '../changes/diff.js';
import type { ChangeRow } from '../changes/format-diff.js';
import type { DatabaseSubjectKind, NetworkExposure } from '../domain/database-access.js';
import type { FailOn, Severity } from '../domain/severity.js';
import type { IdentityKind, SubjectKind } from '../domain/subject.js';
import type { EvidenceCheck } from '../evidence/signature.js';
import type { EvidenceSummary } from '../evidence/summary.js';
import type { ControlRef } from '../rules/frameworks.js';
import type { Coverage, Organization, Snapshot } from '../snapshot/schema.js';
import { computeChanges } from './model/changes.js';
import { controlRows, reportFrameworks } from './model/controls.js';
import { countEstate } from './model/counts.js';
import { groupFindings } from './model/finding-groups.js';
import { buildFindingRows, indexFindings } from './model/finding-rows.js';
import { notEvaluatedRows, ruleRows } from './model/rules.js';
import { minPrefixOf } from './model/sections/database-access.js';
import { buildSections } from './model/sections/index.js';
import { once, pushTo } from './model/shared.js';
import { buildMeta, buildSummary, buildVerdict, notEvaluatedCounts } from './model/summary.js';
import { waiverRows } from './model/waivers.js';

/**
 * Version of the report model (and so of the JSON report); bump on any incompatible change.
 * v2: `changes` compares with a previous snapshot and its audit; findings carry `sinceLastReview`.
 */
export const REPORT_SCHEMA_VERSION = 2 as const;

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
  /** Database users of the org's projects, counted in `total`: each is a Review row. */
  databaseUsers: number;
  /** IP access list entries a rule flagged, counted in `total`: each is a Review row. */
  accessListEntries: number;
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
   * The controls its rule evidences: of the `--framework` selection, else of every framework
   * (resolved from the rule's references against rules/frameworks).
   */
  controls: ControlRef[];
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
  /** The rule's references as controls (see FindingRow.controls). */
  controls: ControlRef[];
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
type IdentityType = 'person' | 'non-human' | 'programmatic' | 'database';

/** One reviewable identity: a user, an invitation, an API key or a service account. */
export interface RosterRow {
  /**
   * Stable identity key `orgId:subjectType:id` (subjectType as in findings: user, apiKey,
   * serviceAccount). The review workbook carries it so decisions can be read back.
   */
  key: string;
  orgId: string;
  orgName: string;
  /** A database user is a Review row like any identity; so is an access list entry a rule flagged. */
  kind: IdentityKind | 'databaseUser' | 'networkAccessEntry';
  /** The finding subject type for this identity. */
  subjectType: SubjectKind | DatabaseSubjectKind;
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

/**
 * Whether a database user's last use can be told from access history: `used` (a successful
 * authentication in the window), `unused` (every cluster it can reach has `collected` history and
 * none shows one), or `unknown` (some reachable cluster's history is not requested, unsupported or
 * truncated, so "no success seen" proves nothing).
 */
export type DatabaseUse = 'used' | 'unused' | 'unknown';

/** One cluster a database user can reach, and what its access history says about the user. */
export interface DatabaseUserClusterUse {
  cluster: string;
  status: 'collected' | 'not-requested' | 'unsupported' | 'truncated';
  lastSuccessAt: string | null;
  successes: number;
  failures: number;
}

/** A database user of one project, as the report shows it. */
export interface DatabaseUserRow {
  /** `orgId:databaseUser:projectId/databaseName/username` (src/domain/database-access.ts). */
  key: string;
  orgId: string;
  orgName: string;
  projectId: string;
  projectName: string;
  username: string;
  databaseName: string;
  authKind: string;
  /** `role@db` or `role@db.collection`, sorted. */
  roles: string[];
  /** Privileged built-in roles held, directly or through a custom role, sorted. */
  privilegedRoles: string[];
  /** Cluster, data lake or stream names it is limited to, sorted; empty: every one of the project. */
  scopes: string[];
  deleteAfterDate: string | null;
  description: string | null;
  /** Earliest expiry of its Atlas-managed X.509 certificates; null when none. */
  certificateExpiresAt: string | null;
  use: DatabaseUse;
  /** The latest successful authentication on any reachable cluster in the window, or null. */
  lastSuccessAt: string | null;
  /** Per reachable cluster, sorted by name. */
  clusters: DatabaseUserClusterUse[];
  /** "cluster: not requested; other: unsupported (M0)": why the use is `unknown`; empty otherwise. */
  useNote: string;
  findingCount: number;
  maxSeverity: Severity | null;
  findingRules: string[];
}

/** A custom database role of one project. */
export interface CustomRoleRow {
  orgId: string;
  orgName: string;
  projectId: string;
  projectName: string;
  roleName: string;
  /** `action on db.collection` (or `on cluster`), sorted. */
  actions: string[];
  /** `role@db`, sorted. */
  inheritedRoles: string[];
  privilegedRoles: string[];
  findingCount: number;
}

/** One entry of a project's IP access list. */
export interface NetworkAccessRow {
  orgId: string;
  orgName: string;
  projectId: string;
  projectName: string;
  /** The CIDR block, address or AWS security group, as Atlas shows it. */
  entry: string;
  exposure: NetworkExposure;
  comment: string | null;
  deleteAfterDate: string | null;
  findingCount: number;
  maxSeverity: Severity | null;
}

/** A cluster and whether its access history was read. */
export interface ClusterRow {
  name: string;
  tier: string | null;
  historyStatus: DatabaseUserClusterUse['status'];
  reason: string | null;
  from: string | null;
  to: string | null;
}

/** Database access counts of one project, one org or the estate. */
export interface DatabaseAccessCounts {
  users: number;
  privileged: number;
  /** Users with no successful authentication where every reachable cluster's history was collected. */
  unused: number;
  /** Users whose use cannot be told (history not collected everywhere they can reach). */
  useUnknown: number;
  customRoles: number;
  networkEntries: number;
  /** Entries open to the whole internet (`0.0.0.0/0`, `::/0`). */
  worldOpen: number;
  /** Entries wider than the policy's prefix length. */
  wide: number;
}

/** One project's database access, as the HTML section shows it. */
export interface DatabaseProjectRow {
  orgId: string;
  orgName: string;
  projectId: string;
  projectName: string;
  counts: DatabaseAccessCounts;
  /** Users per auth kind, kinds sorted. */
  byAuthKind: Array<{ authKind: string; count: number }>;
  users: DatabaseUserRow[];
  customRoles: CustomRoleRow[];
  /** World-open entries first, then wide, then the rest, each by entry. */
  networkAccess: NetworkAccessRow[];
  clusters: ClusterRow[];
}

/** Database access of the estate; `collected` says which datasets the snapshot has. */
export interface DatabaseAccess {
  /** Per dataset: true when every organization's snapshot has it. */
  collected: {
    databaseUsers: boolean;
    customRoles: boolean;
    networkAccess: boolean;
    clusters: boolean;
    accessHistory: boolean;
  };
  counts: DatabaseAccessCounts;
  /** Projects sorted by organization, then project name and id. */
  projects: DatabaseProjectRow[];
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
  /** The references as controls (see FindingRow.controls). */
  controls: ControlRef[];
  /** Effective params as `name=value` strings, sorted by name. */
  params: string[];
}

/** The `--framework` selection as the report states it. */
export interface ReportFrameworks {
  /** The frameworks selected, in the order given; empty: none (every framework's control ids shown). */
  selected: Array<{ id: string; name: string }>;
  /** What the presets set: each rule param, its value, and which framework's control (or the policy) set it. */
  settings: PresetSetting[];
  /**
   * The strictest review cadence of the selected frameworks (PCI DSS 7.2.4: at least every six
   * months), with the date the next review is due counted from the snapshot's collection; null: none states one.
   */
  reviewCadence: {
    framework: string;
    control: string;
    maxDays: number;
    text: string;
    nextReviewBy: string;
  } | null;
}

export type { ControlReportRow } from '../audit/controls.js';

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
  /** The day the approver approved it (YYYY-MM-DD), as the waivers file records it; null when it does not. */
  approvedOn: string | null;
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
 * "Changes since the last review" (docs/report.md): the previous snapshot, diffed against this one, and the
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
    /** Changes that grant ORG_OWNER, GROUP_OWNER or a privileged database role, or open an access list to the world. */
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
    /** The `--framework` selection, its presets and review cadence. */
    frameworks: ReportFrameworks;
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
    /** Database users, privileged, unused, world-open entries... of the estate (model.databaseAccess.counts). */
    databaseAccess: DatabaseAccessCounts;
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
  /** Database users, custom roles, network access and clusters per project (snapshot schema 3). */
  databaseAccess: DatabaseAccess;
  rules: RuleRow[];
  /**
   * Every control of the frameworks in scope (the selection, else every framework profile) in
   * catalogue order, then controls cited outside it; those no rule tests are listed, not evaluated.
   */
  controls: ControlReportRow[];
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

/** "person", "non-human, managed by Atlas Charts", "programmatic", "programmatic, managed by Atlas". */
export function identityTypeText(r: Pick<RosterRow, 'identityType' | 'managedBy'>): string {
  return r.managedBy === null ? r.identityType : `${r.identityType}, managed by ${r.managedBy}`;
}

/**
 * Builds the report model. Pure and deterministic: the same inputs give a deep-equal model (and so
 * byte-identical JSON, HTML, Markdown and JUnit). Each phase is a pure function in src/report/model/:
 * finding rows and their index, then counts (organizations, summary), built now; the sections with
 * rows (findings by rule, roster, teams, programmatic identities, project invitations, database
 * access per project), rules, controls, waivers and the changes since the previous review are
 * memoised getters, built on first read (docs/report.md, "The report model"): `audit --format text`
 * reads counts and findings only and so never builds a roster row. The getters are enumerable, so
 * JSON, spread and deep equality see plain values in the documented key order. The inputs are read
 * when a section is first read: they must not change after this call (nothing in the pipeline does).
 */
export function buildReportModel(input: BuildReportModelInput): ReportModel {
  const { snapshot, audit, previous } = input;
  const comparison = previous ? compareFindings(previous.audit, audit) : null;
  const findingRows = buildFindingRows(audit, comparison);
  const findingIndex = indexFindings(findingRows);
  const notEvaluatedByOrg = new Map<string, NotEvaluated[]>();
  for (const n of audit.notEvaluated) pushTo(notEvaluatedByOrg, n.orgId, n);
  const minPrefix = minPrefixOf(audit.rules.find((r) => r.id === 'network-access-wide-cidr')?.params);
  const estate = countEstate(snapshot, notEvaluatedByOrg, findingIndex, minPrefix);
  const asOf = input.asOf ?? input.generatedAt;
  const sections = once(() => buildSections(snapshot, notEvaluatedByOrg, findingIndex, asOf, minPrefix));
  const findings = once(() => groupFindings(findingRows, audit.rules));
  const rules = once(() => ruleRows(audit, findingRows));
  const controls = once(() => controlRows(audit));
  const waivers = once(() => waiverRows(audit));
  const notEvaluated = notEvaluatedRows(audit);
  const notEvaluatedCount = notEvaluatedCounts(notEvaluated);
  const changes = once(() =>
    previous && comparison ? computeChanges(model, snapshot, previous, comparison) : null,
  );
  const model: ReportModel = {
    reportSchemaVersion: REPORT_SCHEMA_VERSION,
    meta: { ...buildMeta(input, estate.organizations), frameworks: reportFrameworks(audit, snapshot) },
    verdict: buildVerdict(audit, notEvaluatedCount),
    summary: buildSummary(audit, estate, findingIndex.overall, notEvaluatedCount),
    organizations: estate.organizations,
    get findings() {
      return findings();
    },
    get roster() {
      return sections().roster;
    },
    get teams() {
      return sections().teams;
    },
    get programmatic() {
      return sections().programmatic;
    },
    get projectInvitations() {
      return sections().projectInvitations;
    },
    databaseAccess: {
      ...estate.databaseAccess,
      get projects() {
        return sections().databaseProjects;
      },
    },
    get rules() {
      return rules();
    },
    get controls() {
      return controls();
    },
    notEvaluated,
    get waivers() {
      return waivers();
    },
    get changes() {
      return changes();
    },
  };
  return model;
}
