/** The `report` command in-process: outputs, overwrite refusal before any write, exit codes. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERERS, REPORT_FORMATS } from '../../src/report/renderers/index.js';
import { serializeSnapshot } from '../../src/snapshot/store.js';
import { FIXED_NOW, fixtureSnapshot } from '../fixtures/report/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

function setup(): { dir: string; snap: string } {
  const dir = tempDir('aar-report-');
  const snap = join(dir, 'snapshot.json');
  writeFileSync(snap, serializeSnapshot(fixtureSnapshot()));
  return { dir, snap };
}

describe('report command', () => {
  it('--out-dir writes every format with default names, prints them, and gates like audit', async () => {
    const { dir, snap } = setup();
    const run = await runCliForTest(['report', snap, '--out-dir', 'out'], { cwd: dir, now: FIXED_NOW });
    const written = readdirSync(join(dir, 'out')).sort();
    expect(written).toEqual(REPORT_FORMATS.map((f) => RENDERERS[f].defaultFile).sort());
    for (const f of REPORT_FORMATS)
      expect(run.stdout).toContain(`wrote out/${RENDERERS[f].defaultFile} (${f},`);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'access-review.json'), 'utf8'));
    expect(json.meta.generatedAt).toBe(FIXED_NOW.toISOString());
    expect(json.meta.snapshotSha256).toMatch(/^[0-9a-f]{64}$/);
    // Same gate as `audit` on the same inputs.
    const audit = await runCliForTest(['audit', snap], { cwd: dir, now: FIXED_NOW });
    expect(run.code).toBe(audit.code);
    expect(run.code).toBe(json.verdict.status === 'fail' ? 1 : 0);
    const relaxed = await runCliForTest(['report', snap, '--json', 'never.json', '--fail-on', 'never'], {
      cwd: dir,
    });
    expect(relaxed.code).toBe(0);
  });

  it('refuses to overwrite (exit 4) before writing anything, and --force replaces', async () => {
    const { dir, snap } = setup();
    writeFileSync(join(dir, 'r.md'), 'keep me');
    const run = await runCliForTest(['report', snap, '--html', 'r.html', '--markdown', 'r.md'], { cwd: dir });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('r.md already exists');
    expect(existsSync(join(dir, 'r.html'))).toBe(false);
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toBe('keep me');
    const forced = await runCliForTest(
      ['report', snap, '--html', 'r.html', '--markdown', 'r.md', '--force'],
      {
        cwd: dir,
      },
    );
    expect([0, 1]).toContain(forced.code);
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toMatch(/^# Atlas access review/);
    expect(existsSync(join(dir, 'r.html'))).toBe(true);
  });

  it('usage errors: no output, or two formats on one file (exit 2)', async () => {
    const { dir, snap } = setup();
    const none = await runCliForTest(['report', snap], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no output requested');
    const clash = await runCliForTest(['report', snap, '--html', 'x', '--markdown', 'x'], { cwd: dir });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('both write x');
    expect(readdirSync(dir)).toEqual(['snapshot.json']);
  });

  it('an invalid snapshot is exit 2 and writes nothing', async () => {
    const { dir } = setup();
    writeFileSync(join(dir, 'bad.json'), '{"schemaVersion":1}');
    const run = await runCliForTest(['report', 'bad.json', '--out-dir', 'out'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad.json');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('--previous shows changes since an earlier JSON report and validates it', async () => {
    const { dir, snap } = setup();
    await runCliForTest(['report', snap, '--json', 'q3.json'], { cwd: dir });
    const run = await runCliForTest(['report', snap, '--json', 'q4.json', '--previous', 'q3.json'], {
      cwd: dir,
    });
    expect(run.stderr).not.toContain('error');
    const q4 = JSON.parse(readFileSync(join(dir, 'q4.json'), 'utf8'));
    expect(q4.changes).toMatchObject({ newOpen: 0, resolved: [], openDelta: { total: 0 } });
    writeFileSync(join(dir, 'bad-prev.json'), '{"reportSchemaVersion":99}');
    const bad = await runCliForTest(['report', snap, '--json', 'q5.json', '--previous', 'bad-prev.json'], {
      cwd: dir,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad-prev.json: $.reportSchemaVersion');
  });
});
