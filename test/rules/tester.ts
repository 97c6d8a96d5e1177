/**
 * The shared rule tester (ESLint RuleTester-style). Each rule has a case table in cases/<rule-id>.ts:
 * `valid` organizations on which the rule must not fire, `invalid` ones on which it must fire on
 * exactly the named subjects, and `notEvaluated` ones whose snapshot lacks data the rule needs, where it
 * must be reported as not evaluated with the given reason (and neither fire nor pass). The tester runs
 * the real pipeline (facts, policy, engine) with every other rule disabled, so a case proves the rule
 * file itself works.
 *
 * Off-by-one errors live at limits, so every limit a rule has needs a case sitting exactly on it
 * (`atLimit`, see limitsOf): each numeric param (a subject whose compared fact equals the param's
 * value), and each clock fact compared with a constant, such as a secret's expiry (a date in the case
 * exactly at `now`).
 */
import { expect } from 'vitest';
import { DEFAULT_POLICY, type Policy } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import type { AuditResult, Finding } from '../../src/audit/types.js';
import { parseRoster, rosterIndex } from '../../src/roster/roster.js';
import { deriveSubjects, FACTS } from '../../src/rules/facts.js';
import type { LoadedRule, LoadedRuleSet } from '../../src/rules/load.js';
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
  /** The limits (numeric param names, clock fact names; see limitsOf) this case sits exactly on. */
  atLimit?: string[];
  /** A roster export (CSV text, as `--roster` reads it); absent: no roster. */
  roster?: string;
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
  c: Pick<RuleCase, 'org' | 'policy' | 'roster'>,
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
    roster: c.roster === undefined ? null : parseRoster(c.roster, 'roster.csv'),
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

/** One comparison in a rule's conditions. */
interface Leaf {
  fact: string;
  value: unknown;
}

function leaves(c: unknown): Leaf[] {
  if (typeof c !== 'object' || c === null) return [];
  const o = c as Record<string, unknown>;
  if (typeof o.fact === 'string') return [{ fact: o.fact, value: o.value }];
  return [
    ...((o.all as unknown[]) ?? []),
    ...((o.any as unknown[]) ?? []),
    ...(o.not ? [o.not] : []),
  ].flatMap(leaves);
}

const paramOf = (v: unknown): string | null =>
  typeof v === 'object' && v !== null && typeof (v as { param?: unknown }).param === 'string'
    ? (v as { param: string }).param
    : null;

/**
 * The limits a rule has, read from its params and conditions: every numeric param (with the facts
 * compared with it), and every fact computed from the clock (FactSpec.clock) that a condition compares
 * with a constant rather than a param.
 */
export function limitsOf(rule: LoadedRule): { params: Map<string, string[]>; clockFacts: string[] } {
  const params = new Map<string, string[]>();
  for (const [name, spec] of Object.entries(rule.params ?? {}))
    if (spec.type === 'integer' || spec.type === 'number') params.set(name, []);
  const clockFacts = new Set<string>();
  for (const leaf of leaves(rule.conditions)) {
    const param = paramOf(leaf.value);
    if (param !== null) params.get(param)?.push(leaf.fact);
    else if (FACTS[rule.subject][leaf.fact]?.clock) clockFacts.add(leaf.fact);
  }
  return { params, clockFacts: [...clockFacts].sort() };
}

/** The limits of `rule` that no case of `cases` claims to sit on. */
export function missingLimits(rule: LoadedRule, cases: RuleCases): string[] {
  const { params, clockFacts } = limitsOf(rule);
  const claimed = new Set([...cases.valid, ...cases.invalid].flatMap((c) => c.atLimit ?? []));
  return [...params.keys(), ...clockFacts].filter((l) => !claimed.has(l));
}

/** Every ISO timestamp anywhere in `value`. */
function timestamps(value: unknown): string[] {
  if (typeof value === 'string') return /^\d{4}-\d{2}-\d{2}T/.test(value) ? [value] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(timestamps);
}

/**
 * Asserts that a case claiming limits sits on them: for a param, some subject's compared fact equals
 * the param's value (the policy's override, else the default); for a clock fact, a date in the
 * organization is exactly `now`.
 */
export function checkAtLimit(rules: LoadedRuleSet, ruleId: string, c: RuleCase): void {
  const rule = rules.rules.find((r) => r.id === ruleId)!;
  const { params, clockFacts } = limitsOf(rule);
  const org = c.org();
  const snap = snapshotSchema.parse(snapshot([org]));
  const subjects = deriveSubjects(snap, {
    now: BUILDER_NOW,
    allowedEmailDomains: c.policy?.allowedEmailDomains ?? DEFAULT_POLICY.allowedEmailDomains,
    extraKnownRoles: c.policy?.extraKnownRoles ?? DEFAULT_POLICY.extraKnownRoles,
    roster: c.roster === undefined ? null : rosterIndex(parseRoster(c.roster, 'roster.csv')),
  })[rule.subject];
  for (const limit of c.atLimit ?? []) {
    const facts = params.get(limit);
    if (facts) {
      const value = c.policy?.rules?.[ruleId]?.params?.[limit] ?? rule.params?.[limit]?.default;
      const on = subjects.filter((s) => facts.some((f) => s.facts[f] === value));
      expect(
        on.length,
        `"${c.name}" claims the limit ${limit} = ${value}: no subject's ${facts} equals it`,
      ).toBe(1 * Math.max(1, on.length));
      continue;
    }
    expect(clockFacts, `"${c.name}" claims ${limit}, which is not a limit of ${ruleId}`).toContain(limit);
    expect(
      timestamps(org),
      `"${c.name}" claims the limit of ${limit}: no date in it is exactly now (${BUILDER_NOW.toISOString()})`,
    ).toContain(BUILDER_NOW.toISOString());
  }
}
