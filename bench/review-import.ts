/**
 * `review import` memory benchmark (README "Performance"): the workbook `report --xlsx` writes for 100 orgs x 500
 * users (51,500 identities), read back by readReviewWorkbook. Prints wall time and peak RSS
 * (process.resourceUsage().maxRSS) of a fresh process that only reads the workbook, so the figure is
 * the reader's, not the report's that made the file.
 *
 *   node --import tsx bench/review-import.ts [--orgs 100]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;

if (process.argv[2] === '--read') {
  // The child: read one workbook and report.
  // Only the reader is imported here: the peak is the reader's, not the estate generator's or the renderer's.
  const { readReviewWorkbook } = await import('../src/review/import.js');
  const { workbookLimits } = await import('../src/review/xlsx-package.js');
  const bytes = new Uint8Array(readFileSync(process.argv[3]!));
  const identities = Number(process.argv[4]);
  const before = process.resourceUsage().maxRSS;
  const t0 = performance.now();
  const contents = await readReviewWorkbook(bytes, 'bench.xlsx', workbookLimits(identities));
  const ms = performance.now() - t0;
  console.log(
    `read ${contents.review?.rows.length ?? 0} review rows of ${(bytes.byteLength / 1048576).toFixed(1)} MiB workbook: ${ms.toFixed(0)} ms, peak RSS ${mib(process.resourceUsage().maxRSS)} (${mib(before)} before reading)`,
  );
} else {
  const { DEFAULT_POLICY } = await import('../src/audit/policy.js');
  const { auditSnapshot } = await import('../src/audit/run.js');
  const { DEFAULT_RULES_DIR, readRulesDir } = await import('../src/input/rules-dir.js');
  const { buildReportModel } = await import('../src/report/model.js');
  const { RENDERERS } = await import('../src/report/renderers/index.js');
  const { generateEstate, PRESETS } = await import('../src/sim/generate.js');
  const { serializeSnapshot, sha256Hex } = await import('../src/snapshot/store.js');
  const { snapshotOf } = await import('../src/sim/offline-snapshot.js');
  const i = process.argv.indexOf('--orgs');
  const orgs = i > 0 ? Number(process.argv[i + 1]) : 100;
  const now = new Date('2026-05-01T00:00:00.000Z');
  const estate = generateEstate({ seed: 42, now, ...PRESETS.large, orgs, usersPerOrg: 500 });
  const snapshot = snapshotOf(estate.organizations, now);
  const rules = await readRulesDir(DEFAULT_RULES_DIR);
  const audit = await auditSnapshot({
    snapshot,
    rules,
    policy: { ...DEFAULT_POLICY, allowedEmailDomains: [...estate.companyEmailDomains] },
    waivers: [],
    now,
    inputs: { rulesDir: 'rules', policyFile: null, waiversFile: null, baselineFile: null },
  });
  const model = buildReportModel({
    snapshot,
    snapshotSha256: sha256Hex(serializeSnapshot(snapshot)),
    audit,
    generatedAt: now,
  });
  const dir = mkdtempSync(join(tmpdir(), 'review-import-bench-'));
  const file = join(dir, 'review.xlsx');
  writeFileSync(file, (await RENDERERS.xlsx.render(model)) as Uint8Array);
  const identities = model.roster.length;
  console.log(`${orgs} orgs: ${identities} roster rows`);
  try {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'bench/review-import.ts', '--read', file, String(identities)],
      {
        stdio: 'inherit',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
