import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nextQuarter } from '../../src/sim/evolve.js';
import { type EstateOptions, generateEstate, PRESETS } from '../../src/sim/generate.js';

/**
 * The generator's output is pinned byte for byte: goldens, demo walk-throughs and benchmarks all
 * assume a seed gives the same estate forever. Reshaping the generator (into planters, src/sim/planters.ts) must keep
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
    sha256: '2243d7c242ef8a7e75d13b06bc6a230bcbe6b6c5144c4f1b99c64f461b4ef2f5',
  },
  {
    name: 'demo, another seed',
    opts: { seed: 7, now: NOW, ...PRESETS.demo },
    sha256: '90a1d35657db679d91113880bb58fbc6e81f334b40d1b4585a697662bb34ed5d',
  },
  {
    name: 'multi-org estate',
    opts: { seed: 42, now: NOW, ...PRESETS.ten },
    sha256: 'fe69055553f5575ee807318ce378369f0e321b6c7d46851561c54a65c4de1715',
  },
  {
    name: 'org at Atlas limits (bench/collect.ts)',
    opts: { seed: 42, now: NOW, ...PRESETS.max },
    sha256: '117e809134eeaf1a5d542e1b600a06bc8bc4323b9a222f2a2e7947d57a6d55ee',
  },
  {
    name: 'no planted violations',
    opts: { seed: 3, now: NOW, ...PRESETS.demo, plantViolations: false },
    sha256: '052427289370c3726838b369535b24360d75f763403ec415c7ca0ee5fb3e82e4',
  },
  {
    name: 'one org with defaults',
    opts: { seed: 11, now: NOW, orgs: 1, usersPerOrg: 25, teamsPerOrg: 4, projectsPerOrg: 3 },
    sha256: '11151f6edcf4643d9ccee8f00c3d85943fd849c801d386f4a364c75f090c7ab7',
  },
];

describe('generateEstate output is stable for a seed', () => {
  it.each(CASES)('$name', ({ opts, sha256 }) => {
    expect(hash(generateEstate(opts))).toBe(sha256);
  });

  it('nextQuarter evolves the demo estate identically', () => {
    const estate = generateEstate({ seed: 42, now: NOW, ...PRESETS.demo });
    expect(hash(nextQuarter(estate.organizations, NOW))).toBe(
      '29ce14ad2a28da5b0c08f8cf3cd37e975b1d294e98b25f1f14890e48364f94ee',
    );
  });
});
