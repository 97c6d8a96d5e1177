/**
 * evaluateRules asks json-rules-engine once per distinct combination of the values a rule reads
 * (src/rules/evaluate.ts OutcomeMemo). Values that differ for some operator must never share an answer;
 * these cases compare the memoised evaluation with the engine run on every subject.
 */
import { Engine } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import type { EffectiveRule } from '../../src/rules/effective-rule.js';
import { evaluateRules } from '../../src/rules/evaluate.js';
import type { FactRecord, Subject, SubjectsByKind } from '../../src/rules/facts.js';
import type { TopLevelCondition } from '../../src/rules/schema.js';

function rule(id: string, conditions: TopLevelCondition): EffectiveRule {
  return {
    id,
    title: id,
    severity: 'low',
    subject: 'user',
    description: id,
    rationale: id,
    remediation: id,
    references: [],
    enabled: true,
    params: {},
    conditions,
    message: id,
    evidenceFacts: [],
    requires: [],
    inputs: [],
  };
}

function subjects(values: FactRecord[]): SubjectsByKind {
  const user: Subject[] = values.map((facts, i) => ({
    kind: 'user',
    orgId: 'o',
    orgName: 'o',
    ref: { type: 'user', id: `u${i}`, name: `u${i}` },
    aliases: [],
    facts,
  }));
  return { user } as unknown as SubjectsByKind;
}

/** The same rule run by the engine on each subject, without any memo. */
async function unmemoised(r: EffectiveRule, facts: FactRecord[]): Promise<number[]> {
  const fired: number[] = [];
  for (const [i, f] of facts.entries()) {
    const engine = new Engine([], { allowUndefinedFacts: false });
    engine.addRule({ name: r.id, conditions: r.conditions, event: { type: r.id } });
    for (const name of ['a', 'b']) engine.addFact(name, () => f[name] ?? null);
    const { events } = await engine.run();
    if (events.length > 0) fired.push(i);
  }
  return fired;
}

// Values that look alike as text or compare alike loosely, each twice, in both facts.
const VALUES = [1, true, '1', null, 0, -0, 'true', ['a'], '["a"]', ['a', 'b'], 'a,b', [], '', 'null', 2];

describe('evaluateRules memo', () => {
  const facts: FactRecord[] = [];
  for (const a of VALUES) for (const b of VALUES) facts.push({ a, b }, { a, b });
  const rules = [
    rule('a-equals-1', { all: [{ fact: 'a', operator: 'equal', value: 1 }] }),
    rule('a-equals-text-1', { all: [{ fact: 'a', operator: 'equal', value: '1' }] }),
    rule('a-is-true', { all: [{ fact: 'a', operator: 'equal', value: true }] }),
    rule('a-is-null', { all: [{ fact: 'a', operator: 'equal', value: null }] }),
    rule('a-holds-a', { all: [{ fact: 'a', operator: 'contains', value: 'a' }] }),
    rule('a-in-list', { all: [{ fact: 'a', operator: 'in', value: ['["a"]', 'a,b', ''] }] }),
    rule('b-below-1-and-a-set', {
      all: [
        { fact: 'b', operator: 'lessThan', value: 1 },
        { not: { fact: 'a', operator: 'equal', value: null } },
      ],
    }),
  ];

  it('gives every subject the outcome the engine gives it alone', async () => {
    const evaluation = await evaluateRules(rules, subjects(facts));
    for (const r of rules) {
      const memoised = evaluation.hits
        .filter((h) => h.rule === r)
        .map((h) => Number(h.subject.ref.id.slice(1)));
      expect({ rule: r.id, fired: memoised }).toEqual({ rule: r.id, fired: await unmemoised(r, facts) });
    }
  });

  it('runs the engine once per distinct combination of the values a rule reads', async () => {
    const evaluation = await evaluateRules(rules, subjects(facts));
    // One-fact rules: the distinct values of a (0 and -0 share); the two-fact rule: pairs of them.
    const distinct = VALUES.length - 1;
    expect(evaluation.engineRuns).toBe(6 * distinct + distinct * distinct);
  });
});
