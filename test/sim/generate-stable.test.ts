import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nextQuarter } from '../../src/sim/evolve.js';
import { type EstateOptions, generateEstate, PRESETS } from '../../src/sim/generate.js';

/**
 * The generator's output is pinned byte for byte: goldens, demo walk-throughs and benchmarks all
 * assume a seed gives the same estate forever. Reshaping the generator (issue 12, part 4) must keep
 * these hashes; a deliberate change to the generated data updates them here, in the same commit.
 */
const NOW = new Date('2026-11-25T00:00:00Z');

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

const CASES: Array<{ name: string; opts: EstateOptions; sha256: string }> = [
  {
    name: 'small demo',
    opts: { seed: 42, now: NOW, ...PRESETS.demo },
    sha256: '6c09bb6ca1773e80d00a0f08409ceca92123d82925d9857f5317e7daaf467af6',
  },
  {
    name: 'demo, another seed',
    opts: { seed: 7, now: NOW, ...PRESETS.demo },
    sha256: '5869c7740c3720bea9a0c7d977ab937a0cfe9d4c696f339a468c783cb96644b1',
  },
  {
    name: 'multi-org estate',
    opts: { seed: 42, now: NOW, ...PRESETS.ten },
    sha256: 'f15613937b744e793e75644898b2cc2b8e2da0d9a386cfa3f95231e1eeea94e2',
  },
  {
    name: 'org at Atlas limits (bench/collect.ts)',
    opts: { seed: 42, now: NOW, ...PRESETS.max },
    sha256: '07672e8eba1ec485b4c2a42466458bc767755c97143554ee10393d822e80158d',
  },
  {
    name: 'no planted violations',
    opts: { seed: 3, now: NOW, ...PRESETS.demo, plantViolations: false },
    sha256: 'f01486a970b723fb32e511a62d78cdb1fffebcb68f473e5c0038df09c6155bc2',
  },
  {
    name: 'one org with defaults',
    opts: { seed: 11, now: NOW, orgs: 1, usersPerOrg: 25, teamsPerOrg: 4, projectsPerOrg: 3 },
    sha256: '15039ba317b0d9e1904ae5288cbf729e3776f607ae91ef573a242589a77f83a5',
  },
];

describe('generateEstate output is stable for a seed', () => {
  it.each(CASES)('$name', ({ opts, sha256 }) => {
    expect(hash(generateEstate(opts))).toBe(sha256);
  });

  it('nextQuarter evolves the demo estate identically', () => {
    const estate = generateEstate({ seed: 42, now: NOW, ...PRESETS.demo });
    expect(hash(nextQuarter(estate.organizations, NOW))).toBe(
      'e888986f66882b20e848d8db458c2b116d96ffd50f64e117ad5c562f67ce8f71',
    );
  });
});
