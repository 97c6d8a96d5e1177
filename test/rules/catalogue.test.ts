import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, resolveRules } from '../../src/audit/policy.js';
import { SUBJECT_KINDS, type SubjectKind } from '../../src/domain/subject.js';
import { DEFAULT_RULES_DIR, RULE_SCHEMA_FILE, readRulesDir } from '../../src/input/audit-inputs.js';
import { deriveSubjects, FACTS } from '../../src/rules/facts.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import { SUBJECT_LISTING } from '../../src/rules/requirements.js';
import { ruleJsonSchema } from '../../src/rules/schema.js';
import { type Organization, snapshotSchema } from '../../src/snapshot/schema.js';
import { BUILDER_NOW, snapshot } from '../builders/snapshot.js';
import { checkAtLimit, checkCase, checkNotEvaluated, missingLimits, type RuleCases } from './tester.js';

const casesDir = join(import.meta.dirname, 'cases');
const ruleIds = readdirSync(DEFAULT_RULES_DIR)
  .filter((f) => f.endsWith('.json') && f !== RULE_SCHEMA_FILE)
  .map((f) => f.slice(0, -'.json'.length))
  .sort();
const caseIds = new Set(readdirSync(casesDir).map((f) => f.replace(/\.ts$/, '')));

let rules: LoadedRuleSet;
beforeAll(async () => {
  rules = await readRulesDir(DEFAULT_RULES_DIR);
});

describe('the built-in catalogue', () => {
  it('loads and covers the required checks', () => {
    expect(rules.rules.map((r) => r.id)).toEqual(ruleIds);
    expect(ruleIds.length).toBeGreaterThanOrEqual(20);
  });

  it('has a case table for every rule, and none without a rule', () => {
    expect(ruleIds.filter((id) => !caseIds.has(id))).toEqual([]);
    expect([...caseIds].filter((id) => !ruleIds.includes(id))).toEqual([]);
  });

  it('rules/rule.schema.json is generated from the zod schema (regenerate: rules schema --output rules/rule.schema.json --force)', () => {
    const onDisk = JSON.parse(readFileSync(join(DEFAULT_RULES_DIR, RULE_SCHEMA_FILE), 'utf8'));
    expect(onDisk).toEqual(ruleJsonSchema());
  });

  it('every rule cites compliance references and explains itself', () => {
    for (const r of rules.rules) {
      expect(r.references.length, r.id).toBeGreaterThan(0);
      expect(r.rationale.length, r.id).toBeGreaterThan(20);
    }
  });
});

describe('clock facts (the limits the tester asks cases for)', () => {
  it('every fact that moves with the clock is declared clock', async () => {
    // Every case table's organizations, derived at now and a day and a millisecond later: a fact whose
    // value changes reads the clock, and an undeclared one would escape the at-the-limit requirement.
    const orgs: Organization[] = [];
    for (const id of ruleIds) {
      const { cases } = (await import(`./cases/${id}.ts`)) as { cases: RuleCases };
      for (const c of [...cases.valid, ...cases.invalid]) orgs.push(c.org());
    }
    const snap = snapshotSchema.parse(snapshot(orgs));
    const at = (now: Date) =>
      deriveSubjects(snap, { now, allowedEmailDomains: ['example.com'], extraKnownRoles: [] });
    const before = at(BUILDER_NOW);
    const after = at(new Date(BUILDER_NOW.getTime() + 86_400_001));
    const moved = new Set<string>();
    for (const kind of SUBJECT_KINDS)
      before[kind].forEach((s, i) => {
        for (const [fact, value] of Object.entries(s.facts))
          if (JSON.stringify(value) !== JSON.stringify(after[kind][i]!.facts[fact]))
            moved.add(`${kind}.${fact}`);
      });
    const undeclared = [...moved].filter((k) => {
      const [kind, fact] = k.split('.') as [SubjectKind, string];
      return !FACTS[kind][fact]?.clock;
    });
    expect(moved.size).toBeGreaterThan(0);
    expect(undeclared, 'declare these facts with clock(...) in src/rules/facts/').toEqual([]);
  });
});

describe.each(ruleIds)('rule %s', (id) => {
  it('has at least one valid and one invalid case, and each behaves', async () => {
    expect(caseIds.has(id), `test/rules/cases/${id}.ts is missing`).toBe(true);
    const { cases } = (await import(`./cases/${id}.ts`)) as { cases: RuleCases };
    expect(cases.valid.length).toBeGreaterThan(0);
    expect(cases.invalid.length).toBeGreaterThan(0);
    for (const c of cases.valid) await checkCase(rules, id, c, true);
    for (const c of cases.invalid) await checkCase(rules, id, c, false);
  });

  it('has a case exactly at each of its limits (numeric params, clock facts compared with a constant)', async () => {
    const { cases } = (await import(`./cases/${id}.ts`)) as { cases: RuleCases };
    const rule = rules.rules.find((r) => r.id === id)!;
    expect(
      missingLimits(rule, cases),
      `${id}: add a case with atLimit: [<limit>] to test/rules/cases/${id}.ts for each limit listed`,
    ).toEqual([]);
    for (const c of [...cases.valid, ...cases.invalid]) checkAtLimit(rules, id, c);
  });

  it('proves it is reported as not evaluated where the snapshot lacks data it needs', async () => {
    const { cases } = (await import(`./cases/${id}.ts`)) as { cases: RuleCases };
    const rule = resolveRules(rules, DEFAULT_POLICY, null).find((r) => r.id === id)!;
    // Needs beyond the subject's own listing come from the rule's facts or its `requires`: each must
    // be shown to hold, or a rule could read meaningless values (null lastAuth from Cloud Manager).
    const extra = rule.requires.filter((p) => p !== SUBJECT_LISTING[rule.subject]);
    if (extra.length > 0)
      expect(
        cases.notEvaluated?.length ?? 0,
        `${id} needs ${extra.join(', ')}: add notEvaluated cases`,
      ).toBeGreaterThan(0);
    // A rule reading roster facts must prove it is not evaluated without `--roster`.
    if (rule.inputs.length > 0)
      expect(
        (cases.notEvaluated ?? []).some((c) => c.roster === undefined),
        `${id} needs ${rule.inputs.join(', ')}: add a notEvaluated case without it`,
      ).toBe(true);
    for (const c of cases.notEvaluated ?? []) await checkNotEvaluated(rules, id, c);
  });
});
