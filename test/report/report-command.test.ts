/** The `report` command in-process: outputs, overwrite refusal before any write, exit codes. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReportModel } from '../../src/report/model.js';
import { OUT_DIR_FORMATS, RENDERERS } from '../../src/report/renderers/index.js';
import { serializeSnapshot } from '../../src/snapshot/store.js';
import { toSchema1 } from '../builders/snapshot.js';
import { FIXED_NOW, fixtureSnapshot } from '../fixtures/report/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { findingRows } from '../helpers/report-json.js';
import { previousSnapshot } from './previous-fixture.js';

function setup(): { dir: string; snap: string } {
  const dir = tempDir('aar-report-');
  const snap = join(dir, 'snapshot.json');
  writeFileSync(snap, serializeSnapshot(fixtureSnapshot()));
  return { dir, snap };
}

describe('report command', () => {
  it('--out-dir writes the out-dir formats with default names, prints them, and gates like audit', async () => {
    const { dir, snap } = setup();
    const run = await runCliForTest(['report', snap, '--out-dir', 'out'], { cwd: dir, now: FIXED_NOW });
    const written = readdirSync(join(dir, 'out')).sort();
    expect(written).toEqual(OUT_DIR_FORMATS.map((f) => RENDERERS[f].defaultFile).sort());
    for (const f of OUT_DIR_FORMATS)
      expect(run.stdout).toContain(`wrote out/${RENDERERS[f].defaultFile} (${f},`);
    // The formats made for a terminal or a CI step are written when named, not by --out-dir.
    expect(written).not.toContain('access-review.sarif');
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

  it('names the snapshot as the user gave it, as audit does (JSON meta, SARIF, text)', async () => {
    const { dir } = setup();
    const run = await runCliForTest(
      [
        'report',
        'snapshot.json',
        '--json',
        'r.json',
        '--sarif',
        'r.sarif',
        '--text',
        'r.txt',
        '--fail-on',
        'never',
      ],
      { cwd: dir, now: FIXED_NOW },
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(json.meta.snapshotFile).toBe('snapshot.json');
    const sarif = JSON.parse(readFileSync(join(dir, 'r.sarif'), 'utf8'));
    expect(sarif.runs[0].properties.snapshot.file).toBe('snapshot.json');
    expect(readFileSync(join(dir, 'r.txt'), 'utf8')).toMatch(/^Audit of snapshot\.json \(collected /);
    const audit = await runCliForTest(['audit', 'snapshot.json', '--format', 'json', '--fail-on', 'never'], {
      cwd: dir,
      now: FIXED_NOW,
    });
    expect(JSON.parse(audit.stdout).meta.snapshotFile).toBe(json.meta.snapshotFile);
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

  it('--previous <snapshot> audits it with the same inputs and marks findings new, still open, resolved', async () => {
    const { dir, snap } = setup();
    writeFileSync(join(dir, 'q3.json'), serializeSnapshot(previousSnapshot()));
    const run = await runCliForTest(
      ['report', snap, '--previous', 'q3.json', '--json', 'r.json', '--xlsx', 'r.xlsx', '--html', 'r.html'],
      { cwd: dir, now: FIXED_NOW },
    );
    expect(run.stderr).not.toContain('error');
    expect(run.stderr).not.toContain('warning');
    const model = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as ReportModel;
    const c = model.changes!;
    expect(c.previous.file).toBe('q3.json');
    expect(c.summary).toMatchObject({ joiners: 1, leavers: 1, escalations: 1 });
    expect(c.rows[0]).toMatchObject({ subjectName: 'carol@contractor.example', escalation: 'ORG_OWNER' });
    expect(c.rows.map((r) => r.kind)).toContain('user-teams-changed');

    // The marks agree with two independent `audit` runs (same rules, same clock).
    const keys = async (file: string) => {
      const a = await runCliForTest(['audit', file, '--format', 'json'], { cwd: dir, now: FIXED_NOW });
      return new Set(findingRows(JSON.parse(a.stdout)).map((f) => f.key));
    };
    const before = await keys('q3.json');
    const after = await keys('snapshot.json');
    const rows = model.findings.flatMap((g) => g.rules.flatMap((r) => r.findings));
    expect(rows.length).toBe(after.size);
    for (const f of rows) expect(f.sinceLastReview).toBe(before.has(f.key) ? 'still-open' : 'new');
    expect(c.resolved.map((r) => r.key).sort()).toEqual([...before].filter((k) => !after.has(k)).sort());
    // The scenario has both kinds: the leaver's findings are resolved, the new owner brings new ones.
    expect(c.resolved.some((r) => r.subjectName === 'oscar@acme.example')).toBe(true);
    expect(
      rows.some((f) => f.sinceLastReview === 'new' && f.subjectName === 'carol@contractor.example'),
    ).toBe(true);
    expect(c.findings.new + c.findings.stillOpen).toBe(rows.length);

    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toContain('<h2 id="changes">Changes since the last review');
    expect(html).toContain('<span class="badge new">NEW</span>');
  });

  it("--previous takes last quarter's snapshot written with schema 1: upgraded on read, only real changes shown", async () => {
    const { dir, snap } = setup();
    writeFileSync(join(dir, 'q3-v1.json'), `${JSON.stringify(toSchema1(previousSnapshot()), null, 2)}\n`);
    const run = await runCliForTest(['report', snap, '--previous', 'q3-v1.json', '--json', 'r.json'], {
      cwd: dir,
      now: FIXED_NOW,
    });
    expect(run.stderr).not.toContain('error');
    expect([0, 1]).toContain(run.code);
    const c = (JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as ReportModel).changes!;
    expect(c.summary).toMatchObject({ joiners: 1, leavers: 1, escalations: 1 });
    // What schema 1 never read (service accounts' project roles, session timeouts) is not a change:
    // the service account that holds GROUP_OWNER now is not an escalation of this quarter.
    expect(c.rows.map((r) => r.kind)).not.toContain('service-account-roles-changed');
    expect(c.rows.some((r) => r.details.includes('SessionTimeout'))).toBe(false);
  });

  it('--previous refuses a JSON report, a missing file and a newer snapshot says so', async () => {
    const { dir, snap } = setup();
    await runCliForTest(['report', snap, '--json', 'q3-report.json'], { cwd: dir, now: FIXED_NOW });
    const report = await runCliForTest(['report', snap, '--json', 'a.json', '--previous', 'q3-report.json'], {
      cwd: dir,
    });
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('q3-report.json: is a JSON report, not a snapshot');
    expect(report.stderr).toContain("--previous takes the previous review's snapshot file");
    expect(existsSync(join(dir, 'a.json'))).toBe(false);
    const missing = await runCliForTest(['report', snap, '--json', 'b.json', '--previous', 'nope.json'], {
      cwd: dir,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json: file not found');
    const bad = structuredClone(previousSnapshot()) as unknown as {
      organizations: Array<{ users: unknown }>;
    };
    bad.organizations[0]!.users = 'nobody';
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const invalid = await runCliForTest(['report', snap, '--json', 'c.json', '--previous', 'bad.json'], {
      cwd: dir,
    });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('bad.json: $.organizations[0].users');
    // Arguments the wrong way round still report, with a warning.
    writeFileSync(join(dir, 'q3.json'), serializeSnapshot(previousSnapshot()));
    const swapped = await runCliForTest(
      ['report', 'q3.json', '--json', 'd.json', '--previous', 'snapshot.json'],
      {
        cwd: dir,
        now: FIXED_NOW,
      },
    );
    expect([0, 1]).toContain(swapped.code);
    expect(swapped.stderr).toContain(
      'report: warning: --previous was collected after the snapshot under review',
    );
  });
});
