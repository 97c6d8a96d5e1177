/**
 * A generated estate wrapped as `collect` would write it (src/sim/offline-snapshot.ts) and audited with
 * the built-in catalogue, its company domains allowed: where the report tests of estate size start.
 */
import { DEFAULT_POLICY } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import type { AuditResult } from '../../src/audit/types.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import type { Estate } from '../../src/sim/generate.js';
import { snapshotOf } from '../../src/sim/offline-snapshot.js';
import type { Snapshot } from '../../src/snapshot/schema.js';

export async function auditedEstate(
  estate: Pick<Estate, 'organizations' | 'companyEmailDomains'>,
  now: Date,
): Promise<{ snapshot: Snapshot; audit: AuditResult }> {
  const snapshot = snapshotOf(estate.organizations, now);
  const audit = await auditSnapshot({
    snapshot,
    rules: await readRulesDir(DEFAULT_RULES_DIR),
    policy: { ...DEFAULT_POLICY, allowedEmailDomains: [...estate.companyEmailDomains] },
    waivers: [],
    now,
    inputs: { rulesDir: 'rules', policyFile: null, waiversFile: null, baselineFile: null },
  });
  return { snapshot, audit };
}
