/**
 * Checks revocation plans against the vendored Atlas spec extracts with ajv (docs/atlas-api-notes.md §11 workarounds
 * via test/sim/helpers.ts). Every test that produces a plan (plan tests, the review round trip, apply)
 * passes it through {@link expectPlanMatchesSpec}, so no plan the suite makes can name a call Atlas
 * would refuse: unknown method + path, wrong version or media type, a body outside the request schema
 * (or a body where the operation takes none), a path parameter outside its pattern, a wrong least role.
 */
import type { ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { buildRevocationPlan, type PlannedCall, type RevocationPlan } from '../../src/review/plan.js';
import type { Signoff, SignoffAction } from '../../src/review/signoff.js';
import { loadSpec, SPEC_VERSIONS, type SpecDoc } from '../sim/helpers.js';

interface RawParameter {
  $ref?: string;
  name?: string;
  in?: string;
  required?: boolean;
  schema?: Record<string, unknown>;
}
interface RawOperation {
  operationId: string;
  parameters?: RawParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: { $ref?: string } }> };
  responses: Record<string, { content?: Record<string, unknown>; $ref?: string }>;
  'x-rolesRequirements'?: string[];
}
interface RawDoc {
  paths: Record<string, Record<string, RawOperation>>;
  components: { parameters: Record<string, RawParameter> };
  info: { 'x-extract': { operations: Record<string, { operationId: string; contentVersion: string }> } };
}

let specs: SpecDoc[] | null = null;
const validators = new Map<string, ValidateFunction>();

function allSpecs(): SpecDoc[] {
  specs ??= SPEC_VERSIONS.map((v) => loadSpec(v));
  return specs;
}

function compiled(spec: SpecDoc, pointer: string): ValidateFunction {
  const key = `${spec.version}|${pointer}`;
  let v = validators.get(key);
  if (!v) {
    v = spec.ajv.compile({ $ref: `spec${pointer}` });
    validators.set(key, v);
  }
  return v;
}

/** The newest extract that holds `METHOD template`, with the operation as the spec states it. */
export function specOperation(
  method: string,
  template: string,
): { spec: SpecDoc; doc: RawDoc; op: RawOperation; contentVersion: string; operationId: string } | null {
  for (const spec of [...allSpecs()].reverse()) {
    const doc = spec.doc as unknown as RawDoc;
    const entry = doc.info['x-extract'].operations[`${method} ${template}`];
    const op = doc.paths[template]?.[method.toLowerCase()];
    if (entry && op) return { spec, doc, op, ...entry };
  }
  return null;
}

/**
 * Why a path parameter value breaks its spec schema; null when it fits. The access list's `entryValue`
 * pattern uses identity escapes (`\:`, `\-`) that are invalid in a Unicode regular expression, which ajv
 * compiles here; such a pattern is tested as the plain ECMAScript regular expression it is written as.
 */
function paramProblem(spec: SpecDoc, schema: Record<string, unknown>, value: string): string | null {
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : null;
  let unicodeSafe = true;
  try {
    new RegExp(pattern ?? '', 'u');
  } catch {
    unicodeSafe = false;
  }
  if (pattern !== null && !unicodeSafe) {
    const { pattern: _p, ...rest } = schema;
    const validate = spec.ajv.compile(rest);
    if (!validate(value)) return JSON.stringify(validate.errors);
    return new RegExp(pattern).test(value) ? null : `does not match ${pattern}`;
  }
  const validate = spec.ajv.compile(schema);
  return validate(value) ? null : JSON.stringify(validate.errors);
}

/** Every way `c` differs from what the spec extracts allow; empty when it is a call Atlas accepts. */
export function callProblems(c: PlannedCall): string[] {
  const problems: string[] = [];
  const where = `${c.method} ${c.path}`;
  const found = specOperation(c.method, c.pathTemplate);
  if (!found) return [`${where}: ${c.method} ${c.pathTemplate} is in no spec extract`];
  const { spec, doc, op, contentVersion, operationId } = found;
  const media = `application/vnd.atlas.${contentVersion}+json`;
  if (c.operationId !== operationId)
    problems.push(`${where}: operationId ${c.operationId}, spec ${operationId}`);
  if (c.version !== contentVersion) problems.push(`${where}: version ${c.version}, spec ${contentVersion}`);
  if (c.accept !== media) problems.push(`${where}: Accept ${c.accept}, spec ${media}`);
  const success = Object.entries(op.responses).find(([code]) => /^2\d\d$/.test(code))?.[1];
  if (!success?.content?.[media]) problems.push(`${where}: no 2xx response in ${media}`);
  if (JSON.stringify(c.leastRoles) !== JSON.stringify(op['x-rolesRequirements'] ?? []))
    problems.push(`${where}: least roles ${c.leastRoles.join(', ')}, spec ${op['x-rolesRequirements']}`);

  // Path parameters: every {name} filled with a value the parameter's schema accepts.
  const names: string[] = [];
  const pattern = new RegExp(
    `^${c.pathTemplate
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\\?\{(\w+)\\?\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      })}$`,
  );
  const m = pattern.exec(c.path);
  if (!m) problems.push(`${where}: path does not fit ${c.pathTemplate}`);
  else {
    const params = (op.parameters ?? []).map((p) =>
      p.$ref ? doc.components.parameters[p.$ref.split('/').pop() ?? ''] : p,
    );
    names.forEach((name, i) => {
      const value = decodeURIComponent(m[i + 1] ?? '');
      const param = params.find((p) => p?.in === 'path' && p.name === name);
      if (!param?.schema) {
        problems.push(`${where}: the spec has no path parameter ${name}`);
        return;
      }
      const problem = paramProblem(spec, param.schema, value);
      if (problem) problems.push(`${where}: ${name}=${value}: ${problem}`);
    });
  }

  // Body: exactly when the operation takes one, in the request schema of the call's version.
  if (!op.requestBody) {
    if (c.body !== null) problems.push(`${where}: the operation takes no body, the call has one`);
    if (c.contentType !== null) problems.push(`${where}: Content-Type without a body`);
  } else {
    const content = op.requestBody.content[media];
    if (c.contentType !== media) problems.push(`${where}: Content-Type ${c.contentType}, spec ${media}`);
    if (!content?.schema?.$ref) problems.push(`${where}: no request schema in ${media}`);
    else if (c.body === null) {
      if (op.requestBody.required) problems.push(`${where}: the operation requires a body`);
    } else {
      const validate = compiled(spec, content.schema.$ref);
      if (!validate(c.body))
        problems.push(`${where}: body ${JSON.stringify(c.body)}: ${JSON.stringify(validate.errors)}`);
    }
  }
  return problems;
}

/** Fails the test with every problem of every call of `plan` (and of its counts). */
export function expectPlanMatchesSpec(plan: RevocationPlan): void {
  const calls = plan.identities.flatMap((i) => i.calls);
  const problems = calls.flatMap(callProblems);
  expect(problems).toEqual([]);
  expect(plan.counts.calls).toBe(calls.length);
  expect(plan.counts.candidateCalls).toBe(calls.filter((c) => c.candidate).length);
  expect(plan.rolesNeeded).toEqual(
    [...new Set(calls.filter((c) => !c.candidate).flatMap((c) => c.leastRoles))].sort(),
  );
}

/** A plan built from these sign-off actions (a minimal sign-off around them), checked against the spec. */
export function planFromActions(...actions: SignoffAction[]): RevocationPlan {
  const s: Signoff = {
    signoffSchemaVersion: 1,
    tool: { name: 't', version: '0' },
    signedOffAt: '2026-11-25T12:00:00.000Z',
    snapshot: {
      file: 's.json',
      sha256: 'a'.repeat(64),
      collectedAt: '2026-11-01T00:00:00.000Z',
      organizations: [],
    },
    workbook: { file: 'w.xlsx', sha256: 'b'.repeat(64) },
    counts: { identities: actions.length, keep: 0, revoke: 0, modify: 0 },
    byOrg: [],
    reviewers: [],
    reviewPeriod: null,
    actions,
  };
  const p = buildRevocationPlan(s, 'c'.repeat(64));
  expectPlanMatchesSpec(p);
  return p;
}

/** Every planned call as [method, path, body, candidate], in plan order. */
export const planCalls = (p: RevocationPlan) =>
  p.identities.flatMap((i) => i.calls.map((c) => [c.method, c.path, c.body, c.candidate]));
