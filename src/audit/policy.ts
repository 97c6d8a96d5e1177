/**
 * The policy file (JSON or YAML): which rules run, at what severity, with which params, which email
 * domains are allowed, and the default `--fail-on`. Unknown rule ids and params are errors, because a
 * silently ignored typo would quietly weaken the audit.
 */
import * as z from 'zod';
import { reviewPolicySchema } from '../campaign/policy.js';
import { SEVERITIES } from '../domain/severity.js';
import { InputError } from '../errors.js';
import { rosterSectionSchema } from '../roster/roster.js';
import type { EffectiveRule } from '../rules/effective-rule.js';
import type { FrameworkCatalogue } from '../rules/frameworks.js';
import type { LoadedRuleSet } from '../rules/load.js';
import { factsOf, PLACEHOLDER, paramValueProblem, substituteParams } from '../rules/load.js';
import { ruleInputs, ruleRequirements } from '../rules/requirements.js';
import type { ParamValue, TopLevelCondition } from '../rules/schema.js';
import { formatJsonPath, once } from '../util/validate.js';

export const failOnSchema = z.enum([...SEVERITIES, 'never']);

/** This module's schemas, built on first use (src/util/validate.ts `once`). */
const schemas = once(() => {
  /** Per-rule overrides. */
  const rulePolicySchema = z.strictObject({
    enabled: z.boolean().optional(),
    severity: z.enum(SEVERITIES).optional(),
    /** Param overrides; names and types are checked against the rule's declared params. */
    params: z.record(z.string(), z.unknown()).optional(),
  });

  const policy = z.strictObject({
    /** Default gate threshold; `--fail-on` on the command line wins. */
    failOn: failOnSchema.optional(),
    /** Email domains users may sign in with; subdomains are allowed too. Empty: not checked. */
    allowedEmailDomains: z
      .array(z.string().regex(/^[a-z0-9.-]+\.[a-z0-9-]+$/i, 'expected a domain name like example.com'))
      .default([]),
    /** Role names to treat as known in addition to the built-in catalogue (see src/domain/roles.ts). */
    extraKnownRoles: z.array(z.string().min(1)).default([]),
    /** Overrides per rule id. */
    rules: z.record(z.string(), rulePolicySchema).default({}),
    /**
     * How `--roster` is read: column headers and value words (src/roster/roster.ts); absent: the
     * defaults, which cover common HR and identity-provider exports.
     */
    roster: rosterSectionSchema.optional(),
    /** Review campaigns: routing rows to reviewers, undecided rows, justifications (src/campaign/policy.ts). */
    review: reviewPolicySchema.optional(),
  });
  return { policy };
});

/** The policy file. */
export const policySchema = z.lazy(() => schemas().policy);
/** A validated policy (defaults filled in). */
export type Policy = z.infer<typeof policySchema>;

/** The policy used when no policy file is given: every rule at its defaults. */
export const DEFAULT_POLICY: Policy = { allowedEmailDomains: [], extraKnownRoles: [], rules: {} };

/** A framework preset's figure for one param: which framework, which control states it, the value. */
interface PresetSource {
  framework: string;
  control: string;
  value: number;
}

/**
 * One rule param the selected `--framework` presets set, and what became of it: the strictest (lowest)
 * preset value, unless the policy file sets the param, which wins (explicit intent over a preset).
 */
export interface PresetSetting {
  ruleId: string;
  param: string;
  /** The value the audit runs with. */
  value: number;
  /**
   * `framework`: the presets in `setBy` set it; `policy`: the policy file sets this param and wins;
   * `default`: the rule's own default is already stricter (lower) than every preset, which never loosens it.
   */
  source: 'framework' | 'policy' | 'default';
  /** The presets giving the winning value (empty when the policy wins). */
  setBy: PresetSource[];
  /** Preset values that did not win: looser frameworks', or every preset's when the policy wins. */
  overridden: PresetSource[];
}

const compareSource = (a: PresetSource, b: PresetSource): number =>
  a.value - b.value || (a.framework < b.framework ? -1 : a.framework > b.framework ? 1 : 0);

/**
 * The params the selected frameworks' presets set, per rule and param, sorted by rule id then param.
 * A preset naming a rule or param the rule set lacks (a custom rules folder) sets nothing.
 */
export function presetSettings(
  frameworks: readonly FrameworkCatalogue[],
  ruleSet: LoadedRuleSet,
  policy: Policy,
): PresetSetting[] {
  const byParam = new Map<string, { ruleId: string; param: string; dflt: number; sources: PresetSource[] }>();
  for (const fw of frameworks)
    for (const p of fw.preset.params) {
      const rule = ruleSet.rules.find((r) => r.id === p.rule);
      const spec = rule && Object.hasOwn(rule.params, p.param) ? rule.params[p.param] : undefined;
      if (!spec || typeof spec.default !== 'number' || paramValueProblem(spec, p.value) !== null) continue;
      const k = `${p.rule}\u0000${p.param}`;
      const entry = byParam.get(k) ?? { ruleId: p.rule, param: p.param, dflt: spec.default, sources: [] };
      entry.sources.push({ framework: fw.id, control: p.control, value: p.value });
      byParam.set(k, entry);
    }
  return [...byParam.values()]
    .map(({ ruleId, param, dflt, sources }): PresetSetting => {
      sources.sort(compareSource);
      const over = Object.hasOwn(policy.rules, ruleId) ? policy.rules[ruleId]?.params : undefined;
      const given = over && Object.hasOwn(over, param) ? over[param] : undefined;
      if (typeof given === 'number')
        return { ruleId, param, value: given, source: 'policy', setBy: [], overridden: sources };
      const lowest = sources[0]!.value;
      if (dflt < lowest)
        return { ruleId, param, value: dflt, source: 'default', setBy: [], overridden: sources };
      return {
        ruleId,
        param,
        value: lowest,
        source: 'framework',
        setBy: sources.filter((x) => x.value === lowest),
        overridden: sources.filter((x) => x.value !== lowest),
      };
    })
    .sort((a, b) =>
      a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : a.param < b.param ? -1 : a.param > b.param ? 1 : 0,
    );
}

/**
 * Applies a policy to a rule set. `policyFile` names the policy in errors (`$.rules["x"].params.y`).
 * `presets` (from {@link presetSettings}) set params the policy leaves; the policy always wins.
 */
export function resolveRules(
  ruleSet: LoadedRuleSet,
  policy: Policy,
  policyFile: string | null,
  presets: readonly PresetSetting[] = [],
  /** Ids of rules outside the catalogue the policy may name (the review rules, checked by their owner). */
  otherRuleIds: readonly string[] = [],
): EffectiveRule[] {
  const file = policyFile ?? '(policy)';
  const byId = new Map(ruleSet.rules.map((r) => [r.id, r]));
  for (const [id, over] of Object.entries(policy.rules)) {
    if (otherRuleIds.includes(id) && !byId.has(id)) continue;
    const rule = byId.get(id);
    if (!rule) {
      throw new InputError(file, formatJsonPath(['rules', id]), `unknown rule id "${id}"`, {
        hint: 'run `atlas-access-review rules list` to see the rule ids',
      });
    }
    for (const [name, value] of Object.entries(over.params ?? {})) {
      // Own properties only: `constructor` or `toString` must be unknown params, not Object's.
      const spec = Object.hasOwn(rule.params, name) ? rule.params[name] : undefined;
      const where = formatJsonPath(['rules', id, 'params', name]);
      if (!spec) {
        const known = Object.keys(rule.params);
        throw new InputError(
          file,
          where,
          `rule "${id}" has no param "${name}" (params: ${known.length ? known.join(', ') : 'none'})`,
        );
      }
      const problem = paramValueProblem(spec, value);
      if (problem) throw new InputError(file, where, problem);
    }
  }
  return ruleSet.rules.map((rule) => {
    const over = Object.hasOwn(policy.rules, rule.id) ? policy.rules[rule.id] : undefined;
    const params: Record<string, ParamValue> = {};
    for (const [name, spec] of Object.entries(rule.params)) {
      const given = over?.params && Object.hasOwn(over.params, name) ? over.params[name] : undefined;
      const preset = presets.find(
        (p) => p.ruleId === rule.id && p.param === name && p.source === 'framework',
      );
      params[name] = (given as ParamValue | undefined) ?? preset?.value ?? spec.default;
    }
    const conditions = substituteParams(rule.conditions, params) as TopLevelCondition;
    const evidenceFacts = factsOf(rule.conditions);
    for (const m of rule.message.matchAll(PLACEHOLDER)) {
      const name = m[1]!;
      if (!(name in rule.params) && !evidenceFacts.includes(name)) evidenceFacts.push(name);
    }
    for (const name of rule.evidence ?? []) if (!evidenceFacts.includes(name)) evidenceFacts.push(name);
    return {
      id: rule.id,
      title: rule.title,
      severity: over?.severity ?? rule.severity,
      subject: rule.subject,
      description: rule.description,
      rationale: rule.rationale,
      remediation: rule.remediation,
      references: rule.references,
      enabled: over?.enabled ?? rule.enabled,
      params,
      conditions,
      message: rule.message,
      evidenceFacts,
      requires: ruleRequirements(rule.subject, rule.conditions, rule.requires),
      inputs: ruleInputs(rule.subject, rule.conditions),
    };
  });
}

/**
 * One preset setting in words, e.g. "stale-last-auth maxDays=45: cis-v8 5.3 (stricter than pci-dss-4
 * 8.2.6: 90)" or "... maxDays=120: the policy file (over cis-v8 5.3: 45)". Shown by the CLI and the report.
 */
export function presetSettingText(s: PresetSetting): string {
  const src = (x: PresetSource) => `${x.framework} ${x.control}`;
  const others = s.overridden.map((x) => `${src(x)}: ${x.value}`).join(', ');
  const head = `${s.ruleId} ${s.param}=${s.value}`;
  if (s.source === 'policy') return `${head}: the policy file (over ${others})`;
  if (s.source === 'default') return `${head}: the rule's default, stricter than ${others}`;
  return `${head}: ${s.setBy.map(src).join(', ')}${others ? ` (stricter than ${others})` : ''}`;
}
