/**
 * Evaluating rules over subjects with json-rules-engine.
 *
 * Cost control (../shared/DEPENDENCIES.md §3: the engine is ~200x a plain loop when used naively):
 * - one Engine per subject kind, built once and reused for every subject of that kind, holding only
 *   the enabled rules of that kind (a rule never sees subjects of another kind);
 * - facts are flat precomputed values (no JSONPath);
 * - facts are registered once on the engine as accessors of the "current subject" instead of being
 *   passed as runtime facts, which would build one `Fact` object per fact per run;
 * - subjects run sequentially: the work is CPU-bound and `Promise.all` only adds memory.
 */
import { Engine } from 'json-rules-engine';
import type { EffectiveRule } from '../audit/policy.js';
import { SUBJECT_KINDS, type SubjectKind } from '../audit/types.js';
import type { FactRecord, Subject, SubjectsByKind } from './facts.js';
import { factsOf } from './load.js';

/** A rule that fired on a subject. */
export interface RuleHit {
  rule: EffectiveRule;
  subject: Subject;
}

/** What evaluation produced: hits in (kind, subject, rule) order, and subjects checked per rule id. */
export interface Evaluation {
  hits: RuleHit[];
  checked: Map<string, number>;
}

/** Builds the engine for the rules of one subject kind; `current()` supplies the subject's facts. */
function buildEngine(rules: EffectiveRule[], current: () => FactRecord): Engine {
  const engine = new Engine([], { allowUndefinedFacts: false });
  const factNames = new Set<string>();
  for (const rule of rules) {
    for (const name of factsOf(rule.conditions)) factNames.add(name);
    engine.addRule({ name: rule.id, conditions: rule.conditions, event: { type: rule.id } });
  }
  for (const name of factNames) {
    // cache:false: the value changes with the current subject; caching would also hash params per run.
    engine.addFact(name, () => current()[name] ?? null, { cache: false });
  }
  return engine;
}

/** Runs every enabled rule over the subjects of its kind. */
export async function evaluateRules(rules: EffectiveRule[], subjects: SubjectsByKind): Promise<Evaluation> {
  const hits: RuleHit[] = [];
  const checked = new Map<string, number>();
  for (const kind of SUBJECT_KINDS) {
    const kindRules = rules.filter((r) => r.enabled && r.subject === kind);
    if (kindRules.length === 0) continue;
    const list = subjects[kind as SubjectKind];
    for (const r of kindRules) checked.set(r.id, list.length);
    const byId = new Map(kindRules.map((r) => [r.id, r]));
    let facts: FactRecord = {};
    const engine = buildEngine(kindRules, () => facts);
    for (const subject of list) {
      facts = subject.facts;
      const { events } = await engine.run();
      for (const ev of events) {
        const rule = byId.get(ev.type);
        if (rule) hits.push({ rule, subject });
      }
    }
  }
  return { hits, checked };
}
