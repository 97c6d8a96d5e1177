/**
 * Review campaign benchmark (README "Performance", docs/review.md "Campaigns"): a 50,000-user estate
 * (100 orgs x 500 users, the `large` preset) split into 500 reviewer workbooks by an HR roster's
 * managers (`report --split-by reviewer`), every workbook filled programmatically, and merged back
 * (`review merge`). Each command runs in a fresh child process through the CLI entry in-process
 * (runCli), which prints its wall time and peak RSS (process.resourceUsage().maxRSS), so a figure is
 * that command's alone. Baselines in the same run: `report --xlsx` of the one whole workbook for the
 * split, and `review import` of that workbook filled the same way for the merge.
 *
 *   node --import tsx bench/campaign.ts [--orgs 100] [--reviewers 500]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Campaign } from '../src/campaign/campaign.js';
import { runCli } from '../src/cli/run-cli.js';
import { generateEstate, PRESETS } from '../src/sim/generate.js';
import { snapshotOf } from '../src/sim/offline-snapshot.js';
import { serializeSnapshot } from '../src/snapshot/store.js';

const NOW = new Date('2026-05-01T00:00:00.000Z');
const REVIEWED_ON = new Date('2026-05-01T00:00:00.000Z');
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;

if (process.argv[2] === '--child') {
  // The child: one CLI command, then its wall time and peak RSS on the last line.
  const argv = process.argv.slice(4);
  const cwd = process.argv[3]!;
  const t0 = performance.now();
  const code = await runCli(argv, {
    env: {},
    stdout: () => {},
    stderr: (t) => {
      if (!t.startsWith('warning: rubber-stamp')) process.stderr.write(t);
    },
    stderrIsTTY: false,
    now: () => new Date('2026-05-20T12:00:00.000Z'),
    cwd,
    exitCode: 0,
  });
  const ms = performance.now() - t0;
  console.log(JSON.stringify({ code, ms, maxRssKiB: process.resourceUsage().maxRSS }));
} else {
  await main();
}

/** Runs one CLI command in a fresh process; returns its exit code, wall time and peak RSS. */
function measured(cwd: string, argv: string[]): { code: number; ms: number; maxRssKiB: number } {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/campaign.ts', '--child', cwd, ...argv],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

/** Fills every row of a workbook's Review sheet: mostly Keep with a justification, every 7th Revoke. */
async function fill(file: string, reviewer: string | null): Promise<number> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet('Review')!;
  const col = new Map<string, number>();
  ws.getRow(1).eachCell((c, n) => col.set(String(c.value), n));
  let rows = 0;
  ws.eachRow((row, n) => {
    if (n === 1) return;
    rows++;
    const name = String(row.getCell(col.get('Name')!).value);
    const revoke = rows % 7 === 0;
    row.getCell(col.get('Decision')!).value = revoke ? 'Revoke' : 'Keep';
    row.getCell(col.get('Reviewer')!).value = reviewer ?? 'security-lead@example.com';
    row.getCell(col.get('Reviewed on')!).value = REVIEWED_ON;
    row.getCell(col.get('Comment')!).value = revoke
      ? `no longer needed: ${name}`
      : `needed by ${name}'s team`;
  });
  await wb.xlsx.writeFile(file);
  return rows;
}

function line(
  what: string,
  r: { code: number; ms: number; maxRssKiB: number },
  base?: { ms: number },
): string {
  const ratio = base ? `, ${(r.ms / base.ms).toFixed(2)}x the baseline's time` : '';
  return `${what}: exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s, peak RSS ${mib(r.maxRssKiB)}${ratio}`;
}

async function main(): Promise<void> {
  const arg = (name: string, def: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : def;
  };
  const orgs = arg('--orgs', 100);
  const reviewers = arg('--reviewers', 500);
  const estate = generateEstate({ seed: 42, now: NOW, ...PRESETS.large, orgs, usersPerOrg: 500 });
  const snapshot = snapshotOf(estate.organizations, NOW);
  const dir = mkdtempSync(join(tmpdir(), 'campaign-bench-'));
  try {
    writeFileSync(join(dir, 'snap.json'), serializeSnapshot(snapshot));
    // HR roster: every user has one of `reviewers` managers (the managers are people too).
    const users = [
      ...new Set(snapshot.organizations.flatMap((o) => o.users.map((u) => u.username.toLowerCase()))),
    ];
    const managers = Array.from(
      { length: reviewers },
      (_, i) => `manager-${String(i).padStart(3, '0')}@example.com`,
    );
    const roster = [
      'Work Email,Worker Status,Worker Type,End Date,Manager Email,Aliases',
      ...users.map((u, i) => `${u},Active,Employee,,${managers[i % reviewers]},`),
      ...managers.map((m) => `${m},Active,Employee,,,`),
    ];
    writeFileSync(join(dir, 'hr.csv'), `${roster.join('\n')}\n`);
    writeFileSync(
      join(dir, 'policy.json'),
      JSON.stringify({ review: { fallbackReviewer: 'security-lead@example.com' } }),
    );
    console.log(`${orgs} orgs, ${users.length} users, ${reviewers} managers in the roster`);
    const common = ['--roster', 'hr.csv', '--policy', 'policy.json', '--fail-on', 'never'];
    const whole = measured(dir, ['report', 'snap.json', ...common, '--xlsx', 'whole.xlsx']);
    console.log(line('baseline: report --xlsx (one workbook)', whole));
    const split = measured(dir, [
      'report',
      'snap.json',
      ...common,
      '--split-by',
      'reviewer',
      '--out-dir',
      'camp',
      '--due',
      '2026-05-31',
      '--campaign-id',
      'bench',
    ]);
    const campaign = JSON.parse(readFileSync(join(dir, 'camp', 'campaign.json'), 'utf8')) as Campaign;
    console.log(
      line(`split: report --split-by reviewer (${campaign.reviewers.length} workbooks)`, split, whole),
    );
    const t0 = performance.now();
    let rows = 0;
    for (const r of campaign.reviewers) rows += await fill(join(dir, 'camp', r.workbook), r.reviewer);
    console.log(
      `filled ${rows} rows in ${campaign.reviewers.length} workbooks (exceljs, not measured): ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await fill(join(dir, 'whole.xlsx'), null);
    mkdirSync(join(dir, 'whole-out'));
    const imported = measured(dir, [
      'review',
      'import',
      'whole.xlsx',
      '--snapshot',
      'snap.json',
      ...common.slice(0, 4),
      '--out-dir',
      'whole-out',
    ]);
    console.log(line('baseline: review import (the one workbook, filled)', imported));
    const merged = measured(dir, [
      'review',
      'merge',
      'camp',
      '--campaign',
      'camp/campaign.json',
      '--snapshot',
      'snap.json',
      ...common.slice(0, 4),
      '--out-dir',
      'out',
    ]);
    console.log(line(`merge: review merge (${campaign.reviewers.length} workbooks)`, merged, imported));
    const target = (r: { ms: number; maxRssKiB: number }) =>
      r.ms < 60_000 && r.maxRssKiB < 1024 * 1024 ? 'within' : 'OVER';
    console.log(`target < 60 s and < 1 GiB each: split ${target(split)}, merge ${target(merged)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
