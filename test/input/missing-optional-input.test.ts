/**
 * A policy or waivers file that is not there: a newcomer copying the quarterly review's lines has
 * neither yet. The error names the file and says that the option is optional and where the format is,
 * instead of a bare "file not found".
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeSnapshot } from '../../src/snapshot/store.js';
import { FIXED_NOW, fixtureSnapshot } from '../fixtures/report/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

function setup(): { dir: string; snap: string } {
  const dir = tempDir('aar-missing-input-');
  const snap = join(dir, 'snapshot.json');
  writeFileSync(snap, serializeSnapshot(fixtureSnapshot()));
  return { dir, snap };
}

describe('a missing --policy or --waivers file', () => {
  it.each([
    ['--policy', 'policy.yaml'],
    ['--waivers', 'waivers.yaml'],
  ])(
    '%s: exit 2, the file, and a hint that the option is optional and where its format is',
    async (option, file) => {
      const { dir, snap } = setup();
      const run = await runCliForTest(['audit', snap, option, file], { cwd: dir, now: FIXED_NOW });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file}: file not found`);
      expect(run.stderr).toMatch(new RegExp(`^hint: ${option} is optional: .*docs/audit\\.md`, 'm'));
      expect(run.stderr).toContain('demo');
    },
  );

  it('an unreadable file that exists keeps its own message and no such hint', async () => {
    const { dir, snap } = setup();
    writeFileSync(join(dir, 'policy.yaml'), 'rules: [');
    const run = await runCliForTest(['audit', snap, '--policy', 'policy.yaml'], { cwd: dir, now: FIXED_NOW });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('--policy is optional');
  });
});
