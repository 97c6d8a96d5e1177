import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, resolveRules } from '../../src/audit/policy.js';
import { DEFAULT_RULES_DIR, RULE_SCHEMA_FILE, readRulesDir } from '../../src/input/audit-inputs.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import { SUBJECT_LISTING } from '../../src/rules/requirements.js';
import { ruleJsonSchema } from '../../src/rules/schema.js';
import { checkCase, checkNotEvaluated, type RuleCases } from './tester.js';

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

describe.each(ruleIds)('rule %s', (id) => {
  it('has at least one valid and one invalid case, and each behaves', async () => {
    expect(caseIds.has(id), `test/rules/cases/${id}.ts is missing`).toBe(true);
    const { cases } = (await import(`./cases/${id}.ts`)) as { cases: RuleCases };
    expect(cases.valid.length).toBeGreaterThan(0);
    expect(cases.invalid.length).toBeGreaterThan(0);
    for (const c of cases.valid) await checkCase(rules, id, c, true);
    for (const c of cases.invalid) await checkCase(rules, id, c, false);
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
    for (const c of cases.notEvaluated ?? []) await checkNotEvaluated(rules, id, c);
  });
});
