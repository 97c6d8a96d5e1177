/**
 * Loading and checking rule files. Pure: the CLI reads the folder and passes the texts in.
 *
 * Beyond the zod schema, loading checks what json-rules-engine would silently accept and then never
 * fire on: unknown facts, fact paths, operator/type mismatches, unknown params, placeholders that name
 * nothing. Every problem is an InputError naming the rule file and the JSON path.
 */

import type { SubjectKind } from '../domain/subject.js';
import { InputError } from '../errors.js';
import { prevalidated } from '../util/prevalidated.js';
import { checkDocument, formatJsonPath, parseJsonText, parseWithSchema } from '../util/validate.js';
import { FACTS, type FactSpec } from './facts.js';
import {
  type NestedCondition,
  type OperatorName,
  type ParamSpec,
  type ParamValue,
  type RuleFile,
  ruleFileSchema,
} from './schema.js';

/** A rule file's text and where it came from (the path's base name must be `<id>.json`). */
export interface RuleSource {
  file: string;
  text: string;
}

/** A validated rule with the file it came from. */
export interface LoadedRule extends RuleFile {
  file: string;
}

/** A checked rule catalogue, sorted by id. */
export interface LoadedRuleSet {
  /** Folder the rules were read from (for report metadata). */
  dir: string;
  rules: LoadedRule[];
}

const NUMERIC_OPERATORS = new Set<OperatorName>([
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
]);

/** Placeholders in message templates: `{{ name }}`. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

function baseName(file: string): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return file.slice(slash + 1);
}

/** Checks that a param value has its declared type (and minimum); returns a problem or null. */
export function paramValueProblem(spec: ParamSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        return spec.type === 'integer' ? 'expected an integer' : 'expected a number';
      if (spec.type === 'integer' && !Number.isInteger(value)) return 'expected an integer';
      if (spec.minimum !== undefined && value < spec.minimum) return `must be at least ${spec.minimum}`;
      return null;
    case 'string':
      return typeof value === 'string' ? null : 'expected a string';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'expected a boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? null
        : 'expected a list of strings';
  }
}

/** The type a param reference contributes to a comparison. */
function paramValueType(spec: ParamSpec): 'number' | 'string' | 'boolean' | 'string[]' {
  return spec.type === 'integer' ? 'number' : spec.type;
}

function literalType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Checks one condition tree against the subject's facts and the rule's params. */
function checkCondition(
  cond: NestedCondition,
  path: string,
  facts: Record<string, FactSpec>,
  params: Record<string, ParamSpec>,
  fail: (path: string, problem: string) => never,
  used: Set<string>,
): void {
  if ('all' in cond) {
    for (const [i, c] of cond.all.entries())
      checkCondition(c, `${path}.all[${i}]`, facts, params, fail, used);
    return;
  }
  if ('any' in cond) {
    for (const [i, c] of cond.any.entries())
      checkCondition(c, `${path}.any[${i}]`, facts, params, fail, used);
    return;
  }
  if ('not' in cond) {
    checkCondition(cond.not, `${path}.not`, facts, params, fail, used);
    return;
  }
  // Own properties only: `constructor` or `toString` must not find Object.prototype's.
  const spec = Object.hasOwn(facts, cond.fact) ? facts[cond.fact] : undefined;
  if (!spec) {
    fail(`${path}.fact`, `unknown fact "${cond.fact}" (known: ${Object.keys(facts).sort().join(', ')})`);
  }
  used.add(cond.fact);
  if (cond.path !== undefined) {
    fail(`${path}.path`, `facts are flat values; "path" is not supported (fact "${cond.fact}")`);
  }
  // The comparison value's type: a literal, or the declared type of a referenced param.
  let valueType: string;
  let valueIsArrayOfStrings = false;
  if (cond.value !== null && typeof cond.value === 'object' && !Array.isArray(cond.value)) {
    const p = Object.hasOwn(params, cond.value.param) ? params[cond.value.param] : undefined;
    if (!p) fail(`${path}.value.param`, `unknown param "${cond.value.param}"`);
    valueType = paramValueType(p);
    valueIsArrayOfStrings = valueType === 'string[]';
  } else {
    valueType = literalType(cond.value);
    valueIsArrayOfStrings = Array.isArray(cond.value) && cond.value.every((v) => typeof v === 'string');
  }
  const op = cond.operator;
  const where = `${path}.operator`;
  if (NUMERIC_OPERATORS.has(op)) {
    if (spec.type !== 'number') fail(where, `"${op}" needs a number fact; "${cond.fact}" is ${spec.type}`);
    if (valueType !== 'number') fail(`${path}.value`, `"${op}" needs a number value, got ${valueType}`);
  } else if (op === 'equal' || op === 'notEqual') {
    if (spec.type === 'string[]')
      fail(where, `"${op}" on list fact "${cond.fact}"; use contains/doesNotContain`);
    if (valueType === 'null') {
      if (!spec.nullable) fail(`${path}.value`, `fact "${cond.fact}" is never null`);
    } else if (valueType !== spec.type) {
      fail(`${path}.value`, `fact "${cond.fact}" is ${spec.type}; value is ${valueType}`);
    }
  } else if (op === 'in' || op === 'notIn') {
    if (spec.type === 'string[]')
      fail(where, `"${op}" on list fact "${cond.fact}"; use contains/doesNotContain`);
    if (valueType !== 'array' && valueType !== 'string[]')
      fail(`${path}.value`, `"${op}" needs a list value`);
    if (spec.type === 'string' && !valueIsArrayOfStrings) fail(`${path}.value`, 'expected a list of strings');
  } else if (op === 'contains' || op === 'doesNotContain') {
    if (spec.type !== 'string[]') fail(where, `"${op}" needs a list fact; "${cond.fact}" is ${spec.type}`);
    if (valueType !== 'string') fail(`${path}.value`, `"${op}" needs a string value, got ${valueType}`);
  }
}

/** Checks one parsed rule beyond its schema; throws InputError naming the file and JSON path. */
function checkRule(rule: RuleFile, file: string): void {
  const fail = (path: string, problem: string): never => {
    throw new InputError(file, path, problem);
  };
  const expectedFile = `${rule.id}.json`;
  if (baseName(file) !== expectedFile)
    fail('$.id', `rule id "${rule.id}" must match the file name (${expectedFile})`);
  for (const [name, spec] of Object.entries(rule.params)) {
    const problem = paramValueProblem(spec, spec.default);
    if (problem) fail(`$.params.${name}.default`, problem);
  }
  const facts = FACTS[rule.subject as SubjectKind];
  const used = new Set<string>();
  checkCondition(rule.conditions, '$.conditions', facts, rule.params, fail, used);
  for (const m of rule.message.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!Object.hasOwn(facts, name) && !Object.hasOwn(rule.params, name)) {
      fail('$.message', `placeholder {{${name}}} names no fact of "${rule.subject}" and no param`);
    }
  }
  (rule.evidence ?? []).forEach((name, i) => {
    if (!Object.hasOwn(facts, name)) fail(`$.evidence[${i}]`, `unknown fact "${name}"`);
  });
}

/** Deepest nesting of `all`/`any`/`not` a rule's conditions may have (the catalogue uses 2). */
export const MAX_CONDITION_DEPTH = 32;

/**
 * Refuses conditions nested deeper than MAX_CONDITION_DEPTH before the (recursive) schema sees them:
 * a 20,000-deep condition overflowed the stack (exit 70). Iterative over the raw JSON.
 */
function checkConditionDepth(data: unknown, file: string): void {
  if (data === null || typeof data !== 'object' || !Object.hasOwn(data, 'conditions')) return;
  const stack: Array<{ node: unknown; path: PropertyKey[]; depth: number }> = [
    { node: (data as { conditions: unknown }).conditions, path: ['conditions'], depth: 1 },
  ];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object' || Array.isArray(node)) continue;
    for (const op of ['all', 'any', 'not'] as const) {
      if (!Object.hasOwn(node, op)) continue;
      if (depth > MAX_CONDITION_DEPTH)
        throw new InputError(
          file,
          formatJsonPath(path),
          `conditions nest more than ${MAX_CONDITION_DEPTH} levels of all/any/not`,
        );
      const child = (node as Record<string, unknown>)[op];
      if (op === 'not') stack.push({ node: child, path: [...path, op], depth: depth + 1 });
      else if (Array.isArray(child))
        child.forEach((c, i) => {
          stack.push({ node: c, path: [...path, op, i], depth: depth + 1 });
        });
    }
  }
}

/** What the rule file schema makes of a file's text: a function of the text alone (src/util/prevalidated.ts). */
export function validateRuleText(source: RuleSource): RuleFile {
  const data = parseJsonText(source.text, source.file, false);
  checkConditionDepth(data, source.file);
  checkDocument(data, source.file);
  return parseWithSchema(ruleFileSchema, data, source.file);
}

/** Parses and checks one rule file. */
export function parseRule(source: RuleSource): LoadedRule {
  const rule = (prevalidated('rule', source.text) as RuleFile | undefined) ?? validateRuleText(source);
  checkRule(rule, source.file);
  return { ...rule, file: source.file };
}

/**
 * Loads a rule catalogue from the texts of its files (`rule.schema.json` and non-JSON files must be
 * filtered out by the caller). Ids must be unique; the result is sorted by id.
 */
export function loadRuleSet(dir: string, sources: RuleSource[]): LoadedRuleSet {
  if (sources.length === 0) throw new InputError(dir, '$', 'no rule files (*.json) found');
  const rules = sources.map(parseRule);
  const seen = new Map<string, string>();
  for (const r of rules) {
    const prev = seen.get(r.id);
    if (prev) throw new InputError(r.file, '$.id', `duplicate rule id "${r.id}" (also in ${prev})`);
    seen.set(r.id, r.file);
  }
  rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { dir, rules };
}

/** Replaces `{ param }` references in a condition tree with the effective param values. */
export function substituteParams(cond: NestedCondition, params: Record<string, ParamValue>): NestedCondition {
  if ('all' in cond) return { all: cond.all.map((c) => substituteParams(c, params)) };
  if ('any' in cond) return { any: cond.any.map((c) => substituteParams(c, params)) };
  if ('not' in cond) return { not: substituteParams(cond.not, params) };
  const v = cond.value;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const value = Object.hasOwn(params, v.param) ? params[v.param] : undefined;
    if (value === undefined) throw new Error(`internal: param ${v.param} unresolved`);
    return { fact: cond.fact, operator: cond.operator, value };
  }
  return { fact: cond.fact, operator: cond.operator, value: v };
}

/** Names of the facts a condition tree reads, in first-use order. */
export function factsOf(cond: NestedCondition, into: string[] = []): string[] {
  if ('all' in cond) for (const c of cond.all) factsOf(c, into);
  else if ('any' in cond) for (const c of cond.any) factsOf(c, into);
  else if ('not' in cond) factsOf(cond.not, into);
  else if (!into.includes(cond.fact)) into.push(cond.fact);
  return into;
}
