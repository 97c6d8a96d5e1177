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
    sha256: 'dfbeec67932a07ffecb0d11777f3e1efe33b8eefbb9e1f01eb63e46daa8811b1',
    beforeDatabase: '2243d7c242ef8a7e75d13b06bc6a230bcbe6b6c5144c4f1b99c64f461b4ef2f5',
  },
  {
    name: 'demo, another seed',
    opts: { seed: 7, now: NOW, ...PRESETS.demo },
    sha256: '5bbd7d38d5d733781a3d73e2241b1ccf56f188b1270d3dc111190db612e2872a',
    beforeDatabase: '90a1d35657db679d91113880bb58fbc6e81f334b40d1b4585a697662bb34ed5d',
  },
  {
    name: 'multi-org estate',
    opts: { seed: 42, now: NOW, ...PRESETS.ten },
    sha256: 'd496a355d9c30d02e69bcd54c21f4b7c814f682575c050dcbb241a518289709e',
    beforeDatabase: 'fe69055553f5575ee807318ce378369f0e321b6c7d46851561c54a65c4de1715',
  },
  {
    name: 'org at Atlas limits (bench/collect.ts)',
    opts: { seed: 42, now: NOW, ...PRESETS.max },
    sha256: 'ee2c1c1b860754485da904645e3737bb0d9beadf970fa6404cdb2026831c525f',
    beforeDatabase: '117e809134eeaf1a5d542e1b600a06bc8bc4323b9a222f2a2e7947d57a6d55ee',
  },
  {
    name: 'no planted violations',
    opts: { seed: 3, now: NOW, ...PRESETS.demo, plantViolations: false },
    sha256: '54d913ffc11d8fc91d8594d2bb2e7b6ff52feb7ebc54c985f5d914166d25b2a0',
    beforeDatabase: '052427289370c3726838b369535b24360d75f763403ec415c7ca0ee5fb3e82e4',
  },
  {
    name: 'one org with defaults',
    opts: { seed: 11, now: NOW, orgs: 1, usersPerOrg: 25, teamsPerOrg: 4, projectsPerOrg: 3 },
    sha256: 'ab4b62d6a65a2662c7bc7c0c027a1a513dc7ebf829f209e80fad2c3559b71d7f',
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
      '6052ddf644fcb7966e8974fe1142a69357dc3c0b4f526f2b3a78590d61f40c52',
    );
  });
});
