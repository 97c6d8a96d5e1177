/**
 * Start-up benchmark (README "Performance"): the CPU (user + sys) of `--help`, `rules list` and an audit of a
 * one-org snapshot, as a ratio to the CPU of `node -e 0` on the same machine in the same run. Each
 * command runs several times; the median is printed. Runs the built CLI (`npm run build` first).
 * Then the whole CLI `audit` of a 50,000-user snapshot (100 orgs x 500 users, start-up, reading and
 * validating the file included): wall and CPU, median of `--large-runs` (0 skips it).
 *
 *   node --import tsx bench/startup.ts [--runs 9] [--large-runs 3]
 *
 * The CPU of a child is read by the shell's `times` builtin (the children's user and sys time,
 * to the millisecond), so nothing is added to the measured process.
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
const runs = arg('runs', 9);
const largeRuns = arg('large-runs', 3);
const cli = resolve('dist/cli/bin.cjs');
if (!existsSync(cli)) throw new Error('dist/cli/bin.cjs is missing: run `npm run build` first');

const dir = mkdtempSync(join(tmpdir(), 'startup-bench-'));
const now = new Date('2026-05-01T00:00:00.000Z');
const estate = generateEstate({ seed: 7, now, ...PRESETS.demo, orgs: 1 });
const snapshotFile = join(dir, 'snapshot.json');
writeFileSync(snapshotFile, JSON.stringify(snapshotOf(estate.organizations, now)));

/** `times` prints the shell's, then its children's, user and sys time: `0m0.123s 0m0.010s`. */
function childCpuMs(args: readonly string[]): number {
  const quoted = args.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const out = execFileSync('bash', ['-c', `${quoted} >/dev/null 2>&1; times`], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const children = out.trim().split('\n').at(-1) ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`unexpected output of times: ${out}`);
  return (seconds[0]! + seconds[1]!) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const cases: Array<[string, string[]]> = [
  ['node -e 0', [process.execPath, '-e', '0']],
  ['--help', [process.execPath, cli, '--help']],
  ['rules list', [process.execPath, cli, 'rules', 'list']],
  ['audit (1 org)', [process.execPath, cli, 'audit', snapshotFile, '--fail-on', 'never']],
];

// Interleaved rounds, so a burst of load on the machine falls on every case alike.
const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let round = 0; round < runs; round++)
  for (const [name, args] of cases) samples.get(name)!.push(childCpuMs(args));

const base = median(samples.get('node -e 0')!);
console.log(`start-up CPU (user+sys), median of ${runs} runs`);
for (const [name] of cases) {
  const m = median(samples.get(name)!);
  console.log(`${name.padEnd(16)} ${m.toFixed(0).padStart(5)} ms  ${(m / base).toFixed(2)}x node -e 0`);
}

if (largeRuns > 0) {
  const large = generateEstate({ seed: 42, now, ...PRESETS.large, orgs: 100, usersPerOrg: 500 });
  const largeFile = join(dir, 'snapshot-50k.json');
  writeFileSync(largeFile, serializeSnapshot(snapshotOf(large.organizations, now)));
  const users = large.organizations.reduce((n, o) => n + o.users.length, 0);
  const audit = [process.execPath, cli, 'audit', largeFile, '--fail-on', 'never'];
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < largeRuns; round++) {
    const t0 = process.hrtime.bigint();
    cpu.push(childCpuMs(audit));
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(
    `audit (${users} users, CLI, start-up included, text to /dev/null), median of ${largeRuns}: ` +
      `${median(wall).toFixed(0)} ms wall, ${median(cpu).toFixed(0)} ms CPU (target < 2000 ms wall)`,
  );
}
rmSync(dir, { recursive: true, force: true });
