import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nextQuarter } from '../../src/sim/evolve.js';
import { type Estate, type EstateOptions, generateEstate, PRESETS } from '../../src/sim/generate.js';
import { DATABASE_PLANTERS } from '../../src/sim/planters-database.js';

/**
 * The generator's output is pinned byte for byte: goldens, demo walk-throughs and benchmarks all
 * assume a seed gives the same estate forever. Reshaping the generator (into planters, src/sim/planters.ts) must keep
 * these hashes; a deliberate change to the generated data updates them here, in the same commit.
 */
const NOW = new Date('2026-11-25T00:00:00Z');

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The estate without its database access (schema 3 added it from its own random stream and ids):
 * everything else must stay what the seed gave before, so these are the hashes from before it.
 */
function withoutDatabase(estate: Estate): Estate {
  const kinds = new Set<string>(Object.keys(DATABASE_PLANTERS));
  return {
    ...estate,
    organizations: estate.organizations.map((o) => ({
      ...o,
      projects: o.projects.map((p) => ({
        ...p,
        databaseUsers: [],
        customRoles: [],
        networkAccess: [],
        clusters: [],
      })),
    })),
    planted: estate.planted.filter((p) => !kinds.has(p.kind)),
  };
}

const CASES: Array<{ name: string; opts: EstateOptions; sha256: string; beforeDatabase: string }> = [
  {
    name: 'small demo',
    opts: { seed: 42, now: NOW, ...PRESETS.demo },
    sha256: 'c33a36f804beb1800492b9ebfabfa7ed3f9b4dc531bdb7e9987f250ace714d7c',
    beforeDatabase: '2243d7c242ef8a7e75d13b06bc6a230bcbe6b6c5144c4f1b99c64f461b4ef2f5',
  },
  {
    name: 'demo, another seed',
    opts: { seed: 7, now: NOW, ...PRESETS.demo },
    sha256: '21b66987e9199b4fcf452a07a06a672357e0a02de3f860453c9a4da7955a0fba',
    beforeDatabase: '90a1d35657db679d91113880bb58fbc6e81f334b40d1b4585a697662bb34ed5d',
  },
  {
    name: 'multi-org estate',
    opts: { seed: 42, now: NOW, ...PRESETS.ten },
    sha256: '9421639a937d67355c4eaf4d55b7c32e035dcf6ce11e1983d1a4f4eb6f00fa41',
    beforeDatabase: 'fe69055553f5575ee807318ce378369f0e321b6c7d46851561c54a65c4de1715',
  },
  {
    name: 'org at Atlas limits (bench/collect.ts)',
    opts: { seed: 42, now: NOW, ...PRESETS.max },
    sha256: '0b3678c5331efa1d8fe4af1109b5f2203bade7c775f0b305974255c828c3561e',
    beforeDatabase: '117e809134eeaf1a5d542e1b600a06bc8bc4323b9a222f2a2e7947d57a6d55ee',
  },
  {
    name: 'no planted violations',
    opts: { seed: 3, now: NOW, ...PRESETS.demo, plantViolations: false },
    sha256: 'b2e3d879b745c823a555f85dcc34ed0b904115bdd0da9b050da0ca2c64bf12a9',
    beforeDatabase: '052427289370c3726838b369535b24360d75f763403ec415c7ca0ee5fb3e82e4',
  },
  {
    name: 'one org with defaults',
    opts: { seed: 11, now: NOW, orgs: 1, usersPerOrg: 25, teamsPerOrg: 4, projectsPerOrg: 3 },
    sha256: '32ca7cd23ae87194f3c0dc140f24f268d04dde602d1da67a858002e4397a0994',
    beforeDatabase: '11151f6edcf4643d9ccee8f00c3d85943fd849c801d386f4a364c75f090c7ab7',
  },
];

describe('generateEstate output is stable for a seed', () => {
  it.each(CASES)('$name', ({ opts, sha256, beforeDatabase }) => {
    const estate = generateEstate(opts);
    expect(hash(withoutDatabase(estate))).toBe(beforeDatabase);
    expect(hash(estate)).toBe(sha256);
  });

  it('nextQuarter evolves the demo estate identically', () => {
    const estate = generateEstate({ seed: 42, now: NOW, ...PRESETS.demo });
    expect(hash(nextQuarter(estate.organizations, NOW))).toBe(
      'e0efd9932e19a824665237038676d35ef29b37a321b7d5ed7d2c37b917293e56',
    );
  });
});
