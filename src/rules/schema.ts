/**
 * The rule file format: one JSON file per rule in rules/, file name = rule id.
 *
 * This zod schema is the single source of the format; rules/rule.schema.json is generated from it
 * (`npx tsx src/rules/write-json-schema.ts`) for editors, and a test fails when that file is stale.
 *
 * Params: each rule declares typed params with defaults; a policy may override them. A condition
 * refers to a param with `"value": { "param": "maxDays" }`; the reference is replaced by the effective
 * value when the rule set is built, so json-rules-engine only ever sees plain values.
 */
import * as z from 'zod';
import { SEVERITIES } from '../domain/severity.js';
import { SUBJECT_KINDS } from '../domain/subject.js';
import { COVERAGE_PARTS } from '../snapshot/coverage-parts.js';
import { once } from '../util/validate.js';

const RULE_ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** json-rules-engine's built-in operators that the loader accepts. */
const OPERATORS = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
] as const;
export type OperatorName = (typeof OPERATORS)[number];

type Primitive = string | number | boolean | null;
interface LeafCondition {
  fact: string;
  operator: OperatorName;
  value: Primitive | Primitive[] | { param: string };
  path?: string | undefined;
}
export type NestedCondition = LeafCondition | AllCondition | AnyCondition | NotCondition;
interface AllCondition {
  all: NestedCondition[];
}
interface AnyCondition {
  any: NestedCondition[];
}
interface NotCondition {
  not: NestedCondition;
}
export type TopLevelCondition = AllCondition | AnyCondition | NotCondition;

/** The rule file's schemas, built on first use (src/util/validate.ts `once`). */
const schemas = once(() => {
  const primitive = z.union([z.string(), z.number(), z.boolean(), z.null()]);

  /** A reference to one of the rule's params, substituted at load time. */
  const paramRefSchema = z.strictObject({
    param: z.string().min(1).describe('Name of a param declared in this rule'),
  });

  /** A comparison value: a literal, a list of literals, or a param reference. */
  const conditionValueSchema = z.union([primitive, z.array(primitive), paramRefSchema]);

  /** One comparison of a fact against a value. */
  const leafConditionSchema = z.strictObject({
    fact: z.string().min(1).describe('A fact of the rule’s subject kind (see `rules facts`)'),
    operator: z.enum(OPERATORS).describe('json-rules-engine operator'),
    value: conditionValueSchema,
    path: z.string().optional().describe('Not supported: facts are flat; a path is rejected at load time'),
  });

  const allConditionSchema: z.ZodType<AllCondition> = z.strictObject({
    get all() {
      return z.array(nestedConditionSchema).min(1);
    },
  });
  const anyConditionSchema: z.ZodType<AnyCondition> = z.strictObject({
    get any() {
      return z.array(nestedConditionSchema).min(1);
    },
  });
  const notConditionSchema: z.ZodType<NotCondition> = z.strictObject({
    get not() {
      return nestedConditionSchema;
    },
  });
  const nestedConditionSchema: z.ZodType<NestedCondition> = z.union([
    leafConditionSchema,
    allConditionSchema,
    anyConditionSchema,
    notConditionSchema,
  ]);
  const topLevelConditionSchema: z.ZodType<TopLevelCondition> = z.union([
    allConditionSchema,
    anyConditionSchema,
    notConditionSchema,
  ]);

  /** A typed rule parameter with its default. */
  const paramSpecSchema = z.strictObject({
    type: z.enum(['integer', 'number', 'string', 'boolean', 'string[]']),
    default: z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]),
    description: z.string().min(1),
    minimum: z.number().optional().describe('Lowest accepted value for integer/number params'),
  });
  /** One rule file. */
  const ruleFile = z.strictObject({
    $schema: z.string().optional().describe('Editor hint, e.g. "./rule.schema.json"; ignored'),
    id: z
      .string()
      .regex(RULE_ID_PATTERN, 'expected a kebab-case rule id')
      .describe('Rule id; equals the file name'),
    title: z.string().min(1),
    severity: z.enum(SEVERITIES),
    subject: z.enum(SUBJECT_KINDS).describe('The subject kind the rule runs over'),
    description: z.string().min(1),
    rationale: z.string().min(1).describe('Why the condition matters'),
    remediation: z.string().min(1).describe('What to do about a finding'),
    references: z
      .array(z.string().min(1))
      .describe('Compliance controls the rule evidences, e.g. "SOC 2 CC6.2", "ISO/IEC 27001:2022 A.5.18"'),
    params: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), paramSpecSchema).default({}),
    conditions: topLevelConditionSchema,
    message: z
      .string()
      .min(1)
      .describe('Message template; {{name}} placeholders are filled from facts and params'),
    evidence: z
      .array(z.string())
      .optional()
      .describe(
        'Extra facts to record as evidence (facts named in conditions and message are always recorded)',
      ),
    enabled: z.boolean().default(true).describe('Whether the rule runs unless a policy says otherwise'),
    requires: z
      .array(z.enum(COVERAGE_PARTS))
      .optional()
      .describe(
        'Snapshot coverage the rule needs beyond its subject listing and the facts it reads (they declare theirs); in an organization without it the rule is reported as not evaluated',
      ),
  });
  return { ruleFile, paramSpec: paramSpecSchema };
});

export type ParamSpec = z.infer<ReturnType<typeof schemas>['paramSpec']>;
export type ParamValue = ParamSpec['default'];

/** One rule file. */
export const ruleFileSchema = z.lazy(() => schemas().ruleFile);
export type RuleFile = z.infer<typeof ruleFileSchema>;

/** The JSON Schema for editors, generated from ruleFileSchema. */
export function ruleJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(schemas().ruleFile, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: 'atlas-access-review rule file' };
}
