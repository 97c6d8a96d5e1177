/** The `diff` command through the CLI: formats, --output/--force, and invalid input (exit 2). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeSnapshot } from '../../src/snapshot/store.js';
import { org, snapshot, user } from '../builders/snapshot.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

function files() {
  const dir = tempDir('aar-diff-');
  const a = org({
    id: '0000000000000000000000aa',
    name: 'Acme',
    users: [user({ id: 'b00000000000000000000001', username: 'x@example.com' })],
  });
  const b = structuredClone(a);
  b.users.push(
    user({ id: 'b00000000000000000000002', username: 'new-owner@example.com', orgRoles: ['ORG_OWNER'] }),
  );
  const oldFile = join(dir, 'q2.json');
  const newFile = join(dir, 'q3.json');
  writeFileSync(oldFile, serializeSnapshot(snapshot([a])));
  writeFileSync(newFile, serializeSnapshot(snapshot([b], { collectedAt: '2026-09-01T00:00:00.000Z' })));
  return { dir, oldFile, newFile };
}

describe('diff command', () => {
  it('prints text by default and exits 0', async () => {
    const { oldFile, newFile } = files();
    const r = await runCliForTest(['diff', oldFile, newFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('!! Joiner: new-owner@example.com');
    expect(r.stdout).toContain('1 change: 1 joiner, 0 leavers, 1 privilege escalation');
  });

  it('writes JSON to --output and refuses to overwrite it without --force', async () => {
    const { dir, oldFile, newFile } = files();
    const out = join(dir, 'diff.json');
    expect((await runCliForTest(['diff', oldFile, newFile, '--format', 'json', '--output', out])).code).toBe(
      0,
    );
    const d = JSON.parse(readFileSync(out, 'utf8'));
    expect(d.summary.joiners).toBe(1);
    expect(d.old.sha256).toMatch(/^[a-f0-9]{64}$/);
    expect((await runCliForTest(['diff', oldFile, newFile, '--output', out])).code).toBe(4);
    expect((await runCliForTest(['diff', oldFile, newFile, '--output', out, '--force'])).code).toBe(0);
  });

  it('markdown format', async () => {
    const { oldFile, newFile } = files();
    const r = await runCliForTest(['diff', oldFile, newFile, '--format', 'markdown']);
    expect(r.stdout).toContain('## Changes since the last review');
    expect(r.stdout).toContain('### Privilege escalations');
  });

  it('warns when the snapshots look swapped', async () => {
    const { oldFile, newFile } = files();
    const r = await runCliForTest(['diff', newFile, oldFile]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('arguments swapped?');
  });

  it('an invalid snapshot is exit 2 naming the file', async () => {
    const { dir, oldFile } = files();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion":1}');
    const r = await runCliForTest(['diff', oldFile, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.json');
  });
});
