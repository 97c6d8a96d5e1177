import { describe, expect, it } from 'vitest';
import { nonHumanUser } from '../../src/domain/identities.js';
import { nextQuarter } from '../../src/sim/evolve.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';

describe('nextQuarter', () => {
  it('changes people only: the user Atlas Charts creates neither leaves nor becomes an owner', () => {
    const now = new Date('2026-11-01T00:00:00Z');
    for (const seed of [1, 2, 3, 4, 5]) {
      const estate = generateEstate({ seed, now, ...PRESETS.demo });
      const first = estate.organizations[0]!;
      const charts = first.users.filter((u) => nonHumanUser(u.username) !== null);
      expect(charts).toHaveLength(1);
      // Make the Charts user the first plain member, the one a naive pick would take.
      first.users = [...charts, ...first.users.filter((u) => !charts.includes(u))];
      const { organizations, changes } = nextQuarter(estate.organizations, now);
      const after = organizations[0]!.users.find((u) => u.id === charts[0]!.id);
      expect(after).toEqual(charts[0]);
      expect(changes.join('\n')).not.toContain('charts+');
    }
  });
});
