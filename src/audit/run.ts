/**
 * The audit stage: Snapshot + rules + policy + waivers + now -> AuditResult. Pure (no I/O, no clock).
 */

import { compareText } from '../domain/compare-text.js';
import { findingKey } from '../domain/keys.js';
import { type FailOn, meetsFailOn, SEVERITIES, type Severity, severityRank } from '../domain/severity.js';
import type { SubjectKind } from '../domain/subject.js';
import type { Roster } from '../roster/roster.js';
import { rosterIndex } from '../roster/roster.js';
import type { EffectiveRule } from '../rules/effective-rule.js';
import { evaluateRules, type RuleSkip } from '../rules/evaluate.js';
import type { InputPart } from '../rules/facts/spec.js';
import { deriveSubjects, type FactValue, type Subject } from '../rules/facts.js';
import { controlsOf, type FrameworkCatalogue } from '../rules/frameworks.js';
import type { LoadedRuleSet } from '../rules/load.js';
import { missingCoverage, notEvaluatedReason } from '../rules/requirements.js';
import type { Snapshot } from '../snapshot/schema.js';
import { type Policy, presetSettings, resolveRules } from './policy.js';
import type {
  AuditFrameworks,
  AuditResult,
  Finding,
  NotEvaluated,
  RuleSummary,
  Waiver,
  WaiverReport,
} from './types.js';
import {
  isExpiringSoon,
  isWaiverActive,
  notAppliedReport,
  resolveWaivers,
  type WaiverResolution,
  waiverSubjects,
} from './waivers.js';

/** Finding keys of an earlier audit: only findings not in it count against the gate. */
export interface Baseline {
  file: string;
  keys: ReadonlySet<string>;
}

/**
 * Findings made outside the rule engine (today: `review verify`'s revocations not carried out), with
 * the rule rows that describe them. They join the rule findings before waivers, baseline and the gate,
 * so they are waived, baselined and counted exactly like any finding.
 */
export interface ExtraFindings {
  /** In the audit's Finding shape; `waived`, `waiver` and `isNew` are recomputed here. */
  findings: readonly Finding[];
  /** One row per rule id the findings use; ids must not repeat a catalogue rule. */
  rules: readonly RuleSummary[];
}

/** Everything one audit needs. `inputs` is recorded as-is for report metadata. */
export interface AuditInput {
  snapshot: Snapshot;
  rules: LoadedRuleSet;
  policy: Policy;
  waivers: Waiver[];
  baseline?: Baseline | null;
  /** Gate threshold; defaults to the policy's `failOn`, then `low` (any unwaived finding fails). */
  failOn?: FailOn;
  /** Findings from outside the catalogue that must count against the gate (e.g. a sign-off check). */
  extra?: ExtraFindings | null;
  /** Rule ids outside the catalogue the policy may name even without their findings (the review rules). */
  otherRuleIds?: readonly string[];
  now: Date;
  inputs: AuditResult['inputs'];
  /** The roster (`--roster`): joined to identities; its file, sha256 and row count go into `inputs`. */
  roster?: Roster | null;
  /**
   * The framework catalogues (rules/frameworks) and the `--framework` ids selected (validated by the
   * caller with selectFrameworks). Without them findings carry no control ids and no preset applies.
   */
  frameworks?: { catalogues: readonly FrameworkCatalogue[]; selected: readonly FrameworkCatalogue[] } | null;
}

/** A message template cut at its `{{name}}` placeholders: literal text at even indexes, names at odd. */
type TemplateParts = readonly string[];

const TEMPLATE_PARTS = new Map<string, TemplateParts>();

/** `template` cut once (the same placeholder pattern as ever), then reused for every finding of the rule. */
function templateParts(template: string): TemplateParts {
  let parts = TEMPLATE_PARTS.get(template);
  if (parts === undefined) {
    const cut: string[] = [];
    let from = 0;
    for (const m of template.matchAll(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g)) {
      cut.push(template.slice(from, m.index), m[1]!);
      from = m.index + m[0].length;
    }
    cut.push(template.slice(from));
    parts = cut;
    TEMPLATE_PARTS.set(template, parts);
  }
  return parts;
}

/**
 * Fills `{{name}}` placeholders from facts and params (a param wins over a fact of the same name);
 * lists are joined with ", ". The two records are looked up, not merged: a merged copy of every
 * finding's facts was most of this function's cost on a large estate, and the template is cut at its
 * placeholders once per rule rather than searched by a regular expression per finding.
 */
export function renderMessage(
  template: string,
  facts: Record<string, unknown>,
  params: Record<string, unknown> = {},
): string {
  const parts = templateParts(template);
  // Pieces joined once, not `+=`: joining makes a flat string, where `+=` makes a rope that every
  // output's escaping then flattens (71,000 messages in a 50,000-user audit).
  const out = new Array<string>(parts.length);
  out[0] = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    const v = Object.hasOwn(params, name)
      ? params[name]
      : Object.hasOwn(facts, name)
        ? facts[name]
        : undefined;
    if (Array.isArray(v)) out[i] = v.length ? v.join(', ') : '(none)';
    else if (v === null || v === undefined) out[i] = 'n/a';
    else out[i] = String(v);
    out[i + 1] = parts[i + 1]!;
  }
  return out.join('');
}

/** Sort order of AuditResult.findings: severity desc, ruleId, orgId, subject name, subject id. */
function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.orgId, b.orgId) ||
    compareText(a.subject.name, b.subject.name) ||
    compareText(a.subject.id, b.subject.id)
  );
}

function buildFinding(rule: EffectiveRule, subject: Subject): Finding {
  const evidence: Finding['evidence'] = {};
  for (const name of rule.evidenceFacts) {
    const v: FactValue | undefined = subject.facts[name];
    evidence[name] = v === undefined ? null : v;
  }
  return {
    ruleId: rule.id,
    ruleTitle: rule.title,
    severity: rule.severity,
    orgId: subject.orgId,
    orgName: subject.orgName,
    subject: subject.ref,
    message: renderMessage(rule.message, subject.facts, rule.params),
    evidence,
    waived: false,
    waiver: null,
    key: findingKey(rule.id, subject.orgId, subject.ref.type, subject.ref.id),
    isNew: true,
  };
}

/**
 * Extra findings are built by code, not read from a user's file, so a clash is a bug: two rows for
 * one rule id, or a finding without a row, would make every output disagree with itself.
 */
function checkExtra(extra: ExtraFindings, catalogue: readonly EffectiveRule[]): void {
  const ids = new Set(catalogue.map((r) => r.id));
  for (const r of extra.rules) {
    if (ids.has(r.id)) throw new Error(`extra rule id "${r.id}" repeats a catalogue rule`);
    ids.add(r.id);
  }
  const extraIds = new Set(extra.rules.map((r) => r.id));
  for (const f of extra.findings) {
    if (!extraIds.has(f.ruleId)) throw new Error(`extra finding of rule "${f.ruleId}" has no rule row`);
  }
}

/** The rules that cannot run in an org: the snapshot lacks data they need there. */
function notEvaluatedRules(
  rules: readonly EffectiveRule[],
  snapshot: Snapshot,
  given: ReadonlySet<InputPart>,
): NotEvaluated[] {
  const notEvaluated: NotEvaluated[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const notGiven = rule.inputs.filter((p) => !given.has(p));
    for (const org of snapshot.organizations) {
      const missing = [...missingCoverage(rule.requires, org.coverage), ...notGiven];
      if (missing.length === 0) continue;
      notEvaluated.push({
        ruleId: rule.id,
        ruleTitle: rule.title,
        severity: rule.severity,
        subjectKind: rule.subject,
        orgId: org.id,
        orgName: org.name,
        missing,
        reason: notEvaluatedReason(missing),
      });
    }
  }
  return notEvaluated.sort(compareNotEvaluated);
}

function compareNotEvaluated(a: NotEvaluated, b: NotEvaluated): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.orgId, b.orgId) ||
    compareText(a.reason, b.reason)
  );
}

/** How many subjects' reasons a not-evaluated row names before "and N more". */
const SKIP_REASONS_SHOWN = 3;

/**
 * Subjects a rule could not judge in an org whose coverage holds what it needs (a database user
 * reaching a cluster without access history): one row per rule and org, naming the first subjects.
 */
function notEvaluatedSubjects(skips: readonly RuleSkip[]): NotEvaluated[] {
  const byRuleOrg = new Map<string, RuleSkip[]>();
  for (const s of skips) {
    const k = `${s.rule.id}|${s.subject.orgId}`;
    const list = byRuleOrg.get(k);
    if (list) list.push(s);
    else byRuleOrg.set(k, [s]);
  }
  return [...byRuleOrg.values()].map((list) => {
    const { rule, subject } = list[0]!;
    const reasons = list.map((s) => s.reason).sort(compareText);
    const more = reasons.length - SKIP_REASONS_SHOWN;
    const shown = reasons.slice(0, SKIP_REASONS_SHOWN).join('; ');
    return {
      ruleId: rule.id,
      ruleTitle: rule.title,
      severity: rule.severity,
      subjectKind: rule.subject,
      orgId: subject.orgId,
      orgName: subject.orgName,
      missing: [],
      reason: more > 0 ? `${shown}; and ${more} more` : shown,
    };
  });
}

/** The findings with waivers applied and `isNew` set, sorted; which waiver waived which finding keys. */
interface WaivedFindings {
  findings: Finding[];
  applied: Map<Waiver, string[]>;
  /** Active waivers (not expired at `now`). */
  active: Waiver[];
  resolution: WaiverResolution;
  failedPerRule: Map<string, number>;
}

/** Waivers: expired ones never apply; active ones apply to the subjects they identify (waivers.ts). */
function applyWaivers(
  input: AuditInput,
  rules: readonly EffectiveRule[],
  extra: ExtraFindings,
  candidates: readonly Finding[],
): WaivedFindings {
  const active = input.waivers.filter((w) => isWaiverActive(w, input.now));
  const kinds = new Map<string, Set<SubjectKind>>(
    rules.filter((r) => r.enabled).map((r) => [r.id, new Set([r.subject])]),
  );
  for (const r of extra.rules) kinds.set(r.id, new Set([r.subjectKind]));
  for (const f of extra.findings) kinds.get(f.ruleId)?.add(f.subject.type);
  // Every subject of the snapshot is listed only for waivers to match against (a tenth of a 50,000-user
  // audit's time): with no active waiver there is nothing to match.
  const subjects = active.length > 0 ? waiverSubjects(input.snapshot, extra.findings) : [];
  const resolution = resolveWaivers(active, subjects, kinds);
  const applied = new Map<Waiver, string[]>();
  const findings: Finding[] = [];
  const failedPerRule = new Map<string, number>();
  for (const finding of candidates) {
    const s = finding.subject;
    const waiver = resolution.waiverFor(finding.ruleId, finding.orgId, s.type, s.id);
    if (waiver) {
      finding.waived = true;
      finding.waiver = waiver;
      const keys = applied.get(waiver) ?? [];
      keys.push(finding.key);
      applied.set(waiver, keys);
    }
    if (input.baseline) finding.isNew = !input.baseline.keys.has(finding.key);
    findings.push(finding);
    failedPerRule.set(finding.ruleId, (failedPerRule.get(finding.ruleId) ?? 0) + 1);
  }
  findings.sort(compareFindings);
  return { findings, applied, active, resolution, failedPerRule };
}

/** Applied, expired, unused, expiring and not-applied waivers, each sorted by expiry, rule, subject. */
function waiverReport(all: readonly Waiver[], w: WaivedFindings, now: Date): WaiverReport {
  const waiverCmp = (a: Waiver, b: Waiver): number =>
    compareText(a.expiresOn, b.expiresOn) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.subject, b.subject);
  return {
    applied: [...w.applied.entries()]
      .map(([x, keys]) => ({ ...x, findingKeys: keys.sort() }))
      .sort(waiverCmp),
    expired: all.filter((x) => !isWaiverActive(x, now)).sort(waiverCmp),
    unused: w.active.filter((x) => !w.applied.has(x) && !w.resolution.notApplied.has(x)).sort(waiverCmp),
    expiringSoon: w.active.filter((x) => isExpiringSoon(x, now)).sort(waiverCmp),
    notApplied: notAppliedReport(w.resolution, w.findings).sort(waiverCmp),
  };
}

/** One row per rule: the catalogue's with their counts, then the extra rows (their own coverage). */
function ruleSummaries(
  rules: readonly EffectiveRule[],
  extra: ExtraFindings,
  checked: ReadonlyMap<string, number>,
  failedPerRule: ReadonlyMap<string, number>,
): RuleSummary[] {
  const catalogueSummaries: RuleSummary[] = rules.map((r) => {
    const subjectsChecked = checked.get(r.id) ?? 0;
    const failed = failedPerRule.get(r.id) ?? 0;
    return {
      id: r.id,
      title: r.title,
      severity: r.severity,
      subjectKind: r.subject,
      description: r.description,
      rationale: r.rationale,
      remediation: r.remediation,
      references: r.references,
      enabled: r.enabled,
      params: r.params,
      subjectsChecked,
      passed: subjectsChecked - failed,
      failed,
    };
  });
  // `failed` of an extra row is recounted so it always matches the findings.
  return [...catalogueSummaries, ...extra.rules.map((r) => ({ ...r, failed: failedPerRule.get(r.id) ?? 0 }))];
}

/** Counts by severity and waived, and the CI gate: open new findings at or above `failOn`. */
function summaryAndGate(findings: readonly Finding[], failOn: FailOn): Pick<AuditResult, 'summary' | 'gate'> {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let waived = 0;
  for (const f of findings) {
    bySeverity[f.severity] += 1;
    if (f.waived) waived += 1;
  }
  const failing = findings.filter((f) => !f.waived && f.isNew && meetsFailOn(f.severity, failOn)).length;
  return {
    summary: { bySeverity, total: findings.length, waived, open: findings.length - waived },
    gate: { failOn, failed: failing > 0, failing },
  };
}

/** The selection as the result records it; the scope is every selectable framework when none is selected. */
function auditFrameworks(input: AuditInput): AuditFrameworks | null {
  const fw = input.frameworks;
  if (!fw) return null;
  const scope = fw.selected.length > 0 ? fw.selected : fw.catalogues.filter((c) => c.selectable);
  return {
    selected: fw.selected.map((c) => c.id),
    scope: scope.map((c) => ({
      id: c.id,
      name: c.name,
      controls: c.controls.map((x) => ({ id: x.id, title: x.title })),
      reviewCadence: c.reviewCadence,
    })),
    settings: presetSettings(fw.selected, input.rules, input.policy),
  };
}

/** Each rule row with its references resolved to the controls of the selection (or of every framework). */
function withControls(rules: RuleSummary[], input: AuditInput): RuleSummary[] {
  const fw = input.frameworks;
  if (!fw) return rules;
  const only = fw.selected.length > 0 ? fw.selected.map((c) => c.id) : null;
  return rules.map((r) => ({ ...r, controls: controlsOf(r.references, fw.catalogues, only) }));
}

/** Runs the audit. Async because json-rules-engine is; otherwise pure and deterministic. */
export async function auditSnapshot(input: AuditInput): Promise<AuditResult> {
  const { snapshot, policy, now } = input;
  const frameworks = auditFrameworks(input);
  const rules = resolveRules(input.rules, policy, input.inputs.policyFile, frameworks?.settings, [
    ...(input.otherRuleIds ?? []),
    ...(input.extra?.rules.map((r) => r.id) ?? []),
  ]);
  const subjects = deriveSubjects(snapshot, {
    now,
    allowedEmailDomains: policy.allowedEmailDomains,
    extraKnownRoles: policy.extraKnownRoles,
    roster: input.roster ? rosterIndex(input.roster) : null,
  });
  // A rule runs in an org only where the snapshot (and the inputs it reads) hold what it needs;
  // elsewhere it is not evaluated.
  const given = new Set<InputPart>(input.roster ? ['roster'] : []);
  const notEvaluated = notEvaluatedRules(rules, snapshot, given);
  const skipped = new Map<string, Set<string>>();
  for (const n of notEvaluated) skipped.set(n.ruleId, (skipped.get(n.ruleId) ?? new Set()).add(n.orgId));
  const evaluation = await evaluateRules(rules, subjects, (rule) => skipped.get(rule.id));
  const { hits, checked } = evaluation;
  notEvaluated.push(...notEvaluatedSubjects(evaluation.skipped));
  notEvaluated.sort(compareNotEvaluated);
  const extra = input.extra ?? { findings: [], rules: [] };
  checkExtra(extra, rules);
  const candidates: Finding[] = [
    ...hits.map(({ rule, subject }) => buildFinding(rule, subject)),
    ...extra.findings.map((f) => ({ ...f, waived: false, waiver: null, isNew: true })),
  ];
  const waived = applyWaivers(input, rules, extra, candidates);
  return {
    evaluatedAt: now.toISOString(),
    findings: waived.findings,
    rules: withControls(ruleSummaries(rules, extra, checked, waived.failedPerRule), input),
    notEvaluated,
    waivers: waiverReport(input.waivers, waived, now),
    ...summaryAndGate(waived.findings, input.failOn ?? policy.failOn ?? 'low'),
    ...(frameworks ? { frameworks } : {}),
    inputs: {
      ...input.inputs,
      ...(input.roster
        ? {
            roster: {
              file: input.roster.file,
              sha256: input.roster.sha256,
              rows: input.roster.people.length,
            },
          }
        : {}),
    },
  };
}
