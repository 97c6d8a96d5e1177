/**
 * Evaluating rules over subjects with json-rules-engine.
 *
 * Cost control (measured on this project's machine: the engine is ~200x a plain loop when used naively):
 * - one Engine per rule, built once and reused; a rule only sees subjects of its kind;
 * - facts are flat precomputed values (no JSONPath);
 * - facts are registered once on the engine as accessors of the "current subject" instead of being
 *   passed as runtime facts, which would build one `Fact` object per fact per run;
 * - subjects run sequentially: the work is CPU-bound and `Promise.all` only adds memory;
 * - outcomes are memoised per rule by the values of the facts the rule reads (see evaluateRules).
 */
import { Engine } from 'json-rules-engine';
import { SUBJECT_KINDS, type SubjectKind } from '../domain/subject.js';
import type { EffectiveRule } from './effective-rule.js';
import type { FactRecord, Subject, SubjectsByKind } from './facts.js';
import { factsOf } from './load.js';

/** A rule that fired on a subject. */
interface RuleHit {
  rule: EffectiveRule;
  subject: Subject;
}

/** A subject a rule could not judge: a fact the rule reads is unknown for it (Subject.unknown). */
export interface RuleSkip {
  rule: EffectiveRule;
  subject: Subject;
  /** Why, from the first unknown fact the rule reads. */
  reason: string;
}

/** What evaluation produced: hits in (kind, rule, subject) order, and subjects checked per rule id. */
export interface Evaluation {
  hits: RuleHit[];
  /** Subjects not evaluated by a rule although their org's coverage holds what it needs. */
  skipped: RuleSkip[];
  checked: Map<string, number>;
  /** How many times json-rules-engine actually ran (distinct fact combinations per rule). */
  engineRuns: number;
}

/** Builds an engine holding one rule; `current()` supplies the facts of the subject being checked. */
function buildEngine(rule: EffectiveRule, factNames: readonly string[], current: () => FactRecord): Engine {
  const engine = new Engine([], { allowUndefinedFacts: false });
  engine.addRule({ name: rule.id, conditions: rule.conditions, event: { type: rule.id } });
  for (const name of factNames) {
    // cache:false: the value changes with the current subject; caching would also hash params per run.
    engine.addFact(name, () => current()[name] ?? null, { cache: false });
  }
  return engine;
}

/** One level of an {@link OutcomeMemo}: the values one fact took, each leading to the next level (or the outcome). */
interface MemoLevel {
  values: Map<unknown, MemoLevel | boolean>;
  /** Lists, by their JSON text: kept apart from strings, so ["a"] and the string '["a"]' do not meet. */
  lists: Map<string, MemoLevel | boolean> | undefined;
}

const newLevel = (): MemoLevel => ({ values: new Map(), lists: undefined });

/**
 * A rule's outcomes by the values of exactly the facts it reads: a tree with one level per fact, a
 * value being a Map key as it is. SameValueZero keeps 1, true, "1" and null apart and lets 0 and -0
 * share (every operator treats them alike). Nothing is built per subject: a text key per subject (its
 * numbers printed, its lists in JSON) was a twentieth of a 50,000-user audit, and as much again in
 * garbage to collect. `lookup` walks the tree and remembers where it stopped, for `store`.
 */
class OutcomeMemo {
  private readonly root = newLevel();
  private lastMap: Map<unknown, MemoLevel | boolean> | undefined;
  private lastKey: unknown;

  constructor(private readonly names: readonly string[]) {}

  /** The outcome stored for the values `facts` gives the rule's facts, if any. */
  lookup(facts: FactRecord): boolean | undefined {
    let level = this.root;
    const last = this.names.length - 1;
    for (let i = 0; ; i++) {
      const v = i <= last ? (facts[this.names[i]!] ?? null) : null;
      let map: Map<unknown, MemoLevel | boolean>;
      let key: unknown;
      if (Array.isArray(v)) {
        level.lists ??= new Map();
        map = level.lists;
        key = JSON.stringify(v);
      } else {
        map = level.values;
        key = v;
      }
      const next = map.get(key);
      if (i >= last) {
        this.lastMap = map;
        this.lastKey = key;
        return next as boolean | undefined;
      }
      if (next === undefined) {
        const made = newLevel();
        map.set(key, made);
        level = made;
      } else level = next as MemoLevel;
    }
  }

  /** Stores `fired` for the facts of the last {@link lookup}. */
  store(fired: boolean): void {
    this.lastMap!.set(this.lastKey, fired);
  }
}

/** The reason of the first fact in `names` the subject cannot establish; null when it knows them all. */
function unknownReason(
  unknown: Readonly<Partial<Record<string, string>>>,
  names: readonly string[],
): string | null {
  for (const n of names) {
    const why = unknown[n];
    if (why !== undefined) return why;
  }
  return null;
}

/**
 * Runs every enabled rule over the subjects of its kind.
 *
 * A rule's outcome is a pure function of the facts its conditions name, and those take few distinct
 * values across an estate (booleans, small counts, whole days). So each rule asks json-rules-engine
 * once per distinct combination and reuses the answer: on 50,000 users this cut engine runs from
 * ~474,000 to a few thousand (see bench/audit.ts), with the engine still deciding every outcome.
 */
export async function evaluateRules(
  rules: EffectiveRule[],
  subjects: SubjectsByKind,
  /**
   * The organizations where a rule is not evaluated (the snapshot lacks data it needs there); undefined
   * when it is evaluated everywhere, the default. Asked once per rule, not per subject: a lookup per
   * rule and subject was 2% of a 50,000-user audit.
   */
  notEvaluatedIn: (rule: EffectiveRule) => ReadonlySet<string> | undefined = () => undefined,
): Promise<Evaluation> {
  const hits: RuleHit[] = [];
  const skipped: RuleSkip[] = [];
  const checked = new Map<string, number>();
  let engineRuns = 0;
  for (const kind of SUBJECT_KINDS) {
    const kindRules = rules.filter((r) => r.enabled && r.subject === kind);
    if (kindRules.length === 0) continue;
    const list = subjects[kind as SubjectKind];
    for (const rule of kindRules) {
      const names = factsOf(rule.conditions);
      let facts: FactRecord = {};
      const engine = buildEngine(rule, names, () => facts);
      const memo = new OutcomeMemo(names);
      const skippedOrgs = notEvaluatedIn(rule);
      let count = 0;
      for (const subject of list) {
        if (skippedOrgs?.has(subject.orgId)) continue;
        const reason = subject.unknown ? unknownReason(subject.unknown, names) : null;
        if (reason !== null) {
          skipped.push({ rule, subject, reason });
          continue;
        }
        count += 1;
        let fired = memo.lookup(subject.facts);
        if (fired === undefined) {
          facts = subject.facts;
          const { events } = await engine.run();
          engineRuns += 1;
          fired = events.some((e) => e.type === rule.id);
          memo.store(fired);
        }
        if (fired) hits.push({ rule, subject });
      }
      checked.set(rule.id, count);
    }
  }
  return { hits, skipped, checked, engineRuns };
}
