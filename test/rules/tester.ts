/**
 * The shared rule tester (ESLint RuleTester-style). Each rule has a case table in cases/<rule-id>.ts:
 * `valid` organizations on which the rule must not fire, `invalid` ones on which it must fire on
 * exactly the named subjects, and `notEvaluated` ones whose snapshot lacks data the rule needs, where it
 * must be reported as not evaluated with the given reason (and neither fire nor pass). The tester runs
 * the real pipeline (facts, policy, engine) with every other rule disabled, so a case proves the rule
 * file itself works.
 */
import { expect } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import type { Organization } from '../../src/snapshot/schema.js';
import { snapshotSchema } from '../../src/snapshot/schema.js';
import { BUILDER_NOW, snapshot } from '../builders/snapshot.js';

export interface RuleCase {
  name: string;
  /** Builds the organization (a function, so ids are fresh per case). */
  org: () => Organization;
  /** Policy fields besides the rule enable switches (allowed domains, param overrides...). */
  policy?: Partial<Policy>;
  /** Invalid cases: names of the subjects the rule must fire on, exactly. */
  fires?: string[];
  /** Invalid cases: substrings the rendered message must contain. */
  message?: string[];
}

/** A case where the snapshot lacks data the rule needs: `reason` is the expected not-evaluated reason. */
export interface NotEvaluatedCase extends Omit<RuleCase, 'fires' | 'message'> {
  reason: string;
}

export interface RuleCases {
  valid: RuleCase[];
  invalid: RuleCase[];
  /** Required when the rule needs coverage beyond its subject listing (see catalogue.test.ts). */
  notEvaluated?: NotEvaluatedCase[];
}

/** Runs `ruleId` alone over one case's organization and returns its findings. */
export async function runCase(rules: LoadedRuleSet, ruleId: string, c: RuleCase): Promise<Finding[]> {
  return (await auditCase(rules, ruleId, c)).findings;
}

/** Runs `ruleId` alone over one case's organization and returns the whole audit. */
export async function auditCase(
  rules: LoadedRuleSet,
  ruleId: string,
  c: Pick<RuleCase, 'org' | 'policy'>,
): Promise<AuditResult> {
  const snap = snapshotSchema.parse(snapshot([c.org()]));
  const ruleOverrides: Policy['rules'] = {};
  for (const r of rules.rules)
    ruleOverrides[r.id] = { ...(c.policy?.rules?.[r.id] ?? {}), enabled: r.id === ruleId };
  const policy: Policy = { ...DEFAULT_POLICY, ...c.policy, rules: ruleOverrides };
  return auditSnapshot({
    snapshot: snap,
    rules,
    policy,
    waivers: [],
    now: BUILDER_NOW,
    inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
  });
}

/** Asserts a not-evaluated case: no finding, one not-evaluated entry with the reason, nothing passed. */
export async function checkNotEvaluated(
  rules: LoadedRuleSet,
  ruleId: string,
  c: NotEvaluatedCase,
): Promise<void> {
  const result = await auditCase(rules, ruleId, c);
  expect(result.findings.map((f) => f.message)).toEqual([]);
  expect(result.notEvaluated.map((n) => `${n.ruleId}: ${n.reason}`)).toEqual([`${ruleId}: ${c.reason}`]);
  const summary = result.rules.find((r) => r.id === ruleId)!;
  expect([summary.subjectsChecked, summary.passed, summary.failed]).toEqual([0, 0, 0]);
}

/** Asserts one case's outcome. */
export async function checkCase(
  rules: LoadedRuleSet,
  ruleId: string,
  c: RuleCase,
  valid: boolean,
): Promise<void> {
  const findings = await runCase(rules, ruleId, c);
  for (const f of findings) expect(f.ruleId).toBe(ruleId);
  if (valid) {
    expect(findings.map((f) => f.message)).toEqual([]);
    return;
  }
  expect(c.fires, `invalid case "${c.name}" must list the subjects that fire`).toBeDefined();
  expect(findings.map((f) => f.subject.name).sort()).toEqual([...(c.fires ?? [])].sort());
  for (const f of findings) {
    expect(f.message).not.toMatch(/\{\{|\}\}|undefined/);
    for (const part of c.message ?? []) expect(f.message).toContain(part);
  }
}
