/**
 * The rule the evaluator runs. Defined in rules (not audit) so that evaluation depends only on its
 * own layer; the audit's policy step (src/audit/policy.ts resolveRules) produces it.
 */
import type { Severity } from '../domain/severity.js';
import type { SubjectKind } from '../domain/subject.js';
import type { CoveragePart } from '../snapshot/schema.js';
import type { InputPart } from './facts/spec.js';
import type { ParamValue, TopLevelCondition } from './schema.js';

/** A rule ready to evaluate: policy applied, params resolved into its conditions. */
export interface EffectiveRule {
  id: string;
  title: string;
  severity: Severity;
  subject: SubjectKind;
  description: string;
  rationale: string;
  remediation: string;
  references: string[];
  enabled: boolean;
  params: Record<string, ParamValue>;
  /** Conditions with every `{param}` reference replaced by its value. */
  conditions: TopLevelCondition;
  message: string;
  /** Facts recorded as evidence: those in conditions, message placeholders, then `evidence`. */
  evidenceFacts: string[];
  /** Coverage the rule needs; in an org lacking any of it the rule is not evaluated. */
  requires: CoveragePart[];
  /** Audit inputs the rule needs (the roster); without one the rule is not evaluated anywhere. */
  inputs: InputPart[];
}
