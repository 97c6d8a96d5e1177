/**
 * End to end against the simulator's generated estates: the audit must report every planted
 * violation (rule id = planted kind) and, since `planted` is the complete list of what the data
 * holds, nothing else.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { snapshotSchema } from '../../src/snapshot/schema.js';
import { snapshot } from '../builders/snapshot.js';

const now = new Date('2026-05-01T00:00:00.000Z');
let rules: LoadedRuleSet;
beforeAll(async () => {
  rules = await readRulesDir(DEFAULT_RULES_DIR);
});

async function auditEstate(seed: number, size: (typeof PRESETS)[keyof typeof PRESETS], plant = true) {
  const estate = generateEstate({ seed, now, ...size, plantViolations: plant });
  const snap = snapshotSchema.parse(snapshot(estate.organizations));
  const result = await auditSnapshot({
    snapshot: snap,
    rules,
    policy: { ...DEFAULT_POLICY, allowedEmailDomains: [...estate.companyEmailDomains] },
    waivers: [],
    now,
    inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
  });
  const found = new Set(
    result.findings.map((f) => `${f.ruleId}|${f.orgId}|${f.subject.type}|${f.subject.id}`),
  );
  // The simulator plants the database-access kinds (snapshot schema 3), whose rules arrive from another branch;
  // until a rule file exists for a kind, its planted violations cannot be found. Once every rule
  // exists this filter keeps everything (and can go).
  const ruleIds = new Set(rules.rules.map((r) => r.id));
  const planted = new Set(
    estate.planted
      .filter((p) => ruleIds.has(p.kind))
      .map((p) => `${p.kind}|${p.orgId}|${p.subjectType}|${p.subjectId}`),
  );
  return { estate, result, found, planted };
}

describe('auditing generated estates', () => {
  it.each([1, 2, 3])('demo estate, seed %i: every planted violation is found, nothing else', async (seed) => {
    const { estate, result, found, planted } = await auditEstate(seed, PRESETS.demo);
    expect(estate.planted.length).toBeGreaterThan(10);
    expect([...planted].filter((k) => !found.has(k))).toEqual([]);
    // `planted` is the complete list: anything else the audit reports is a false positive (or a
    // generator gap, such as team-granted project owners keeping the ordinary sign-in window).
    const extra = result.findings.filter((f) => !planted.has(f.key));
    expect(extra.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
    expect(found).toEqual(planted);
  });

  it('covers every planted kind across seeds', async () => {
    const kinds = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const { estate } = await auditEstate(seed, PRESETS.demo);
      for (const p of estate.planted) kinds.add(p.kind);
    }
    // Database-access kinds (snapshot schema 3) whose rules have not landed yet are the one allowed gap.
    const awaited = (k: string) => /^(db-user-|custom-role-|x509-|network-access-|project-db-)/.test(k);
    for (const k of kinds) if (!awaited(k)) expect(rules.rules.map((r) => r.id)).toContain(k);
  });

  it('a clean estate audits clean', async () => {
    const { result, planted } = await auditEstate(7, PRESETS.demo, false);
    expect(planted.size).toBe(0);
    expect(result.findings.map((f) => f.message)).toEqual([]);
    expect(result.gate.failed).toBe(false);
  });
});
