/**
 * The report as a user runs it (README "Performance"): the built CLI, in a fresh process per command,
 * on a generated snapshot of 100 orgs x 500 users (50,000 users; `--orgs N` for another size). For
 * `report --out-dir` (every file format), each format alone and, as the baseline, `audit` with its
 * text summary (reading, validating and auditing the snapshot: what every report pays first), it
 * prints wall time, CPU (user + sys of the child, from the shell's `times`) and peak RSS (from
 * /usr/bin/time when the machine has it), and each command's ratio to the baseline of the same run.
 *
 *   npm run build && node --import tsx bench/report-cli.ts [--orgs 100] [--runs 1]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEstate, PRESETS } from '../src/sim/generate.js';
import { snapshotOf } from '../src/sim/offline-snapshot.js';
import { serializeSnapshot } from '../src/snapshot/store.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const orgs = arg('orgs', 100);
const runs = arg('runs', 1);
const cli = resolve('dist/cli/bin.cjs');
if (!existsSync(cli)) throw new Error('dist/cli/bin.cjs is missing: run `npm run build` first');
const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME);

const dir = mkdtempSync(join(tmpdir(), 'report-cli-bench-'));
const now = new Date('2026-05-01T00:00:00.000Z');
const estate = generateEstate({ seed: 42, now, ...PRESETS.large, orgs, usersPerOrg: 500 });
const snapshot = join(dir, 'snapshot.json');
writeFileSync(snapshot, serializeSnapshot(snapshotOf(estate.organizations, now)));
const users = estate.organizations.reduce((n, o) => n + o.users.length, 0);

interface Run {
  wall: number;
  cpu: number;
  peakMiB: number | null;
}

/** One command in a fresh process: wall, the child's CPU (bash `times`), its peak RSS (/usr/bin/time). */
function runOnce(args: readonly string[]): Run {
  const quoted = [process.execPath, cli, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const timed = hasTime ? `${TIME} -f 'peak-kib %M' ${quoted}` : quoted;
  const t0 = process.hrtime.bigint();
  const out = execFileSync(
    'bash',
    ['-c', `${timed} >/dev/null 2>"${dir}/stderr"; cat "${dir}/stderr"; times`],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const children = out.trim().split('\n').at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const peak = /peak-kib (\d+)/.exec(out);
  return { wall, cpu: (seconds[0]! + seconds[1]!) * 1000, peakMiB: peak ? Number(peak[1]) / 1024 : null };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(args: readonly string[]): Run {
  const all = Array.from({ length: runs }, () => runOnce(args));
  const peaks = all.flatMap((r) => (r.peakMiB === null ? [] : [r.peakMiB]));
  return {
    wall: median(all.map((r) => r.wall)),
    cpu: median(all.map((r) => r.cpu)),
    peakMiB: peaks.length ? median(peaks) : null,
  };
}

const common = [snapshot, '--fail-on', 'never', '--force'];
const cases: Array<[string, string[]]> = [
  ['audit (baseline)', ['audit', snapshot, '--fail-on', 'never']],
  ['report --out-dir', ['report', ...common, '--out-dir', join(dir, 'all')]],
  ...(['xlsx', 'html', 'json', 'csv', 'junit', 'markdown', 'sarif'] as const).map((f): [string, string[]] => [
    `report --${f}`,
    ['report', ...common, `--${f}`, join(dir, `one.${f}`)],
  ]),
];

console.log(
  `${users} users in ${orgs} orgs, snapshot ${(Buffer.byteLength(serializeSnapshot(snapshotOf(estate.organizations, now))) / 1048576).toFixed(0)} MiB; median of ${runs} run(s)`,
);
console.log(
  `${'command'.padEnd(20)}${'wall s'.padStart(9)}${'CPU s'.padStart(9)}${'peak MiB'.padStart(10)}  vs baseline`,
);
let base: Run | undefined;
for (const [name, args] of cases) {
  const r = measure(args);
  base ??= r;
  const peak = r.peakMiB === null ? 'n/a' : r.peakMiB.toFixed(0);
  console.log(
    `${name.padEnd(20)}${(r.wall / 1000).toFixed(2).padStart(9)}${(r.cpu / 1000).toFixed(2).padStart(9)}${peak.padStart(10)}  ` +
      `wall ${(r.wall / base.wall).toFixed(2)}x, CPU ${(r.cpu / base.cpu).toFixed(2)}x` +
      (r.peakMiB !== null && base.peakMiB !== null ? `, peak ${(r.peakMiB / base.peakMiB).toFixed(2)}x` : ''),
  );
}
rmSync(dir, { recursive: true, force: true });
