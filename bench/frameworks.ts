/**
 * Framework profiles benchmark (docs/audit.md, "Framework profiles"): what control ids on every
 * finding and `--group-by control` cost, against a baseline run in the same process.
 *
 *   node --expose-gc --import tsx bench/frameworks.ts
 *
 * One generated estate (20 orgs x 500 users). The baseline audits without the catalogues (no control
 * ids); the controls run audits with them and no selection (every framework's control ids on the same
 * findings), so the ratio is the cost of the control ids alone. `--group-by control` is compared with
 * the default layout on the controls run's model. Each step is timed three times and the median
 * printed, with the ratio and output bytes. The presets' own effect (more findings at 45 days) is
 * printed as finding counts, not timed: it is a different audit, not an overhead.
 */
import { DEFAULT_POLICY } from '../src/audit/policy.js';
import { auditSnapshot } from '../src/audit/run.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../src/input/audit-inputs.js';
import { readFrameworkCatalogues } from '../src/input/rules-dir.js';
import { buildReportModel, type ReportModel } from '../src/report/model.js';
import { type RenderOptions, renderReport } from '../src/report/renderers/index.js';
import { selectFrameworks } from '../src/rules/frameworks.js';
import { generateEstate, PRESETS } from '../src/sim/generate.js';
import { snapshotOf } from '../src/sim/offline-snapshot.js';
import { serializeSnapshot, sha256Hex } from '../src/snapshot/store.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** Median wall time of three runs of `fn`, and its last result. */
async function median<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < 3; i++) {
    gc();
    const t0 = process.hrtime.bigint();
    value = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { value, ms: times.sort((a, b) => a - b)[1]! };
}

const now = new Date('2026-05-01T00:00:00.000Z');
const rules = await readRulesDir(DEFAULT_RULES_DIR);
const catalogues = await readFrameworkCatalogues();
const estate = generateEstate({ seed: 42, now, ...PRESETS.large, orgs: 20, usersPerOrg: 500 });
const snapshot = snapshotOf(estate.organizations, now);
const sha = sha256Hex(serializeSnapshot(snapshot));
const policy = { ...DEFAULT_POLICY, allowedEmailDomains: [...estate.companyEmailDomains] };
const inputs = { rulesDir: 'rules', policyFile: null, waiversFile: null, baselineFile: null };

const audit = (frameworks: string[] | null) =>
  median(() =>
    auditSnapshot({
      snapshot,
      rules,
      policy,
      waivers: [],
      now,
      inputs,
      ...(frameworks
        ? { frameworks: { catalogues, selected: selectFrameworks(frameworks, catalogues) } }
        : {}),
    }),
  );
const base = await audit(null);
const prof = await audit([]);
const presets = await audit(['pci-dss-4', 'cis-v8']);
const model = (a: typeof base.value) =>
  median(() => buildReportModel({ snapshot, snapshotSha256: sha, audit: a, generatedAt: now }));
const baseModel = await model(base.value);
const profModel = await model(prof.value);

const bytes = (v: string | Uint8Array) => (typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength);
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const line = (step: string, b: { ms: number }, p: { ms: number }, extra = '') =>
  console.log(
    `${step.padEnd(26)}${b.ms.toFixed(0).padStart(9)}${p.ms.toFixed(0).padStart(9)}${`x${(p.ms / b.ms).toFixed(2)}`.padStart(8)}  ${extra}`,
  );

console.log(
  `20 orgs x 500 users: ${base.value.findings.length} findings without a framework, ${presets.value.findings.length} with --framework pci-dss-4 --framework cis-v8 (45-day inactivity)\n`,
);
console.log(`${'step'.padEnd(26)}${'base ms'.padStart(9)}${'ctrl ms'.padStart(9)}${'ratio'.padStart(8)}`);
line('audit', base, prof);
line('report model', baseModel, profModel);
const render = (m: ReportModel, format: Parameters<typeof renderReport>[0], o?: RenderOptions) =>
  median(() => renderReport(format, m, o));
for (const format of ['json', 'csv', 'sarif', 'html', 'xlsx'] as const) {
  const b = await render(baseModel.value, format);
  const p = await render(profModel.value, format);
  line(format, b, p, `${kib(bytes(b.value))} -> ${kib(bytes(p.value))}`);
}
// --group-by control against the default layout, both on the profile's model.
for (const format of ['html', 'xlsx'] as const) {
  const b = await render(profModel.value, format);
  const p = await render(profModel.value, format, { groupBy: 'control' });
  line(`${format} --group-by control`, b, p, `${kib(bytes(b.value))} -> ${kib(bytes(p.value))}`);
}
