/**
 * The contract between the audit stage and everything after it (report model, email, review).
 * Owned by src/audit; later stages import these types and never redefine them.
 * Fields may be added; renaming or removing one breaks the report and review stages.
 */

import type * as z from 'zod';
import type { FailOn, Severity } from '../domain/severity.js';
import type { SubjectKind, SubjectRef } from '../domain/subject.js';
import type { InputPart } from '../rules/facts/spec.js';
import type { ControlRef } from '../rules/frameworks.js';
import type { CoveragePart } from '../snapshot/schema.js';
import type { PresetSetting } from './policy.js';
import type { waiverSchema } from './waivers.js';

/**
 * A waiver as read from the waivers file (dates as YYYY-MM-DD), defaults applied: the type is the
 * schema's output (src/audit/waivers.ts waiverSchema), so the two cannot drift.
 */
export type Waiver = z.output<typeof waiverSchema>;

/** Why a waiver that names a subject was not applied (src/audit/waivers.ts resolveWaivers). */
export type WaiverProblem = 'name-not-id' | 'ambiguous' | 'no-approval-date' | 'created-after-approval';

/** A waiver not applied: its findings stay open and count against the gate. */
export type WaiverNotApplied = Waiver & {
  problem: WaiverProblem;
  /** One sentence saying why and how to fix the waiver. */
  detail: string;
  /** Findings it would have waived. */
  findingKeys: string[];
};

/** The roster an audit used, as every output names it: its file, sha256 and number of people. */
interface RosterInput {
  file: string;
  sha256: string;
  rows: number;
}

/** One rule violation for one subject. */
export interface Finding {
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  orgId: string;
  orgName: string;
  subject: SubjectRef;
  /** Rendered message template, e.g. "alice@example.com last signed in 120 days ago (limit 90)". */
  message: string;
  /** The fact values that made the rule fire, for evidence columns. */
  evidence: Record<string, string | number | boolean | null | string[]>;
  waived: boolean;
  /** The waiver that applies, when waived. */
  waiver: Waiver | null;
  /** Stable key (ruleId + orgId + subject type/id) used by baselines and diffs. */
  key: string;
  /** True when a `--baseline` was given and the finding is not in it. Always true without a baseline. */
  isNew: boolean;
}

/**
 * A rule that was not evaluated in one organization, because the snapshot lacks data the rule needs
 * there (e.g. Cloud Manager v1.0 reports no sign-ins). Neither a finding nor a pass: its subjects in
 * that org are not counted as checked or passed, and it never touches the gate.
 */
export interface NotEvaluated {
  ruleId: string;
  ruleTitle: string;
  severity: Severity;
  subjectKind: SubjectKind;
  orgId: string;
  orgName: string;
  /**
   * The coverage parts the org lacks and the rule needs, in coverage order, then the inputs not given
   * (`roster`). Empty when the org has them but some subjects' evidence does not (a database user
   * reaching a cluster without access history): the reason then names those subjects.
   */
  missing: Array<CoveragePart | InputPart>;
  /** In words, e.g. "no sign-in data" or "no sign-in data, no team data". */
  reason: string;
}

/**
 * Per-rule coverage: what ran, over how many subjects, with what outcome. Subjects of orgs where the
 * rule was not evaluated (AuditResult.notEvaluated) are in none of the counts.
 */
export interface RuleSummary {
  id: string;
  title: string;
  severity: Severity;
  subjectKind: SubjectKind;
  description: string;
  rationale: string;
  remediation: string;
  /** Compliance control references, e.g. ["SOC 2 CC6.2", "ISO/IEC 27001:2022 A.5.18", "PCI DSS v4.0 7.2.4"]. */
  references: string[];
  /**
   * The references resolved against the framework catalogues: of the `--framework` selection when one
   * was given, else of every framework (references no catalogue knows are left out). Absent when the
   * audit was given no catalogues.
   */
  controls?: ControlRef[];
  enabled: boolean;
  /** Effective params after policy and framework presets. */
  params: Record<string, unknown>;
  subjectsChecked: number;
  passed: number;
  failed: number;
}

export interface WaiverReport {
  applied: Array<Waiver & { findingKeys: string[] }>;
  expired: Waiver[];
  unused: Waiver[];
  expiringSoon: Waiver[];
  /** Waivers that name a subject but were not applied (by name where an id is needed, ambiguous, ...). */
  notApplied?: WaiverNotApplied[];
}

interface AuditSummary {
  bySeverity: Record<Severity, number>;
  /** All findings, waived included. */
  total: number;
  waived: number;
  /** Unwaived findings. */
  open: number;
}

/** A framework the audit was held to (`--framework`), or one whose controls are shown. */
interface AuditFramework {
  id: string;
  name: string;
  /** Its catalogue's controls, id and title, in catalogue order. */
  controls: Array<{ id: string; title: string }>;
  /** How often the framework requires the review itself, where it says so (PCI DSS 7.2.4: 183 days). */
  reviewCadence: { maxDays: number; control: string; text: string } | null;
}

/** The framework selection of an audit and what its presets set. */
export interface AuditFrameworks {
  /** The `--framework` ids in the order given; empty when none was selected. */
  selected: string[];
  /** The selected frameworks, or, with none selected, every selectable one (the controls shown). */
  scope: AuditFramework[];
  /** Rule params the presets set (or the policy kept), by rule id and param. */
  settings: PresetSetting[];
}

export interface AuditResult {
  /** ISO time the audit was evaluated at (the `now` passed in). */
  evaluatedAt: string;
  /** Sorted: severity desc, ruleId, orgId, subject name, subject id. */
  findings: Finding[];
  rules: RuleSummary[];
  /** Enabled rules not evaluated in an org, one entry per rule x org; sorted like findings (severity desc, ruleId, orgId). */
  notEvaluated: NotEvaluated[];
  waivers: WaiverReport;
  summary: AuditSummary;
  gate: {
    failOn: FailOn;
    /** True when the exit code should be 1. */
    failed: boolean;
    /** Unwaived (and, with a baseline, new) findings at or above failOn. */
    failing: number;
  };
  /** The `--framework` selection and its presets; absent when the audit was given no catalogues. */
  frameworks?: AuditFrameworks;
  /** Where rules and policy came from, for report metadata. */
  inputs: {
    rulesDir: string;
    policyFile: string | null;
    waiversFile: string | null;
    baselineFile: string | null;
    /** Sign-off record whose revocations were verified (`--signoff`); absent or null when none. */
    signoffFile?: string | null;
    /** The roster (`--roster`) the audit joined identities to; absent or null when none. */
    roster?: RosterInput | null;
  };
}
