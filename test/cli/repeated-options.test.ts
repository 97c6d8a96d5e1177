/**
 * An option that takes one value, given twice, is exit 2 naming it and both values, before any work:
 * it was an internal error (exit 70, a stack trace) wherever a command read it, and neither value may
 * silently win. Options declared as lists (`--org`, `--email-to`) and the repeatable ones
 * (`--verify-key`, `--framework`) still repeat.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const ORG = '5f1a2b3c4d5e6f7a8b9c0d1e';

describe('an option that takes one value, given twice', () => {
  it.each([
    [['audit', 'snap.json', '--policy', 'a.yaml', '--policy', 'b.yaml'], 'policy'],
    [['audit', 'snap.json', '--fail-on', 'never', '--fail-on', 'high'], 'fail-on'],
    [['report', 'snap.json', '--json', 'a.json', '--json', 'b.json'], 'json'],
    [['run', '--org', ORG, '--out-dir', 'a', '--out-dir', 'b'], 'out-dir'],
    [['collect', '--org', ORG, '--output', 'a.json', '--output', 'b.json'], 'output'],
    [['doctor', '--org', ORG, '--timeout-ms', '1', '--timeout-ms', '2'], 'timeout-ms'],
    [['email', 'snap.json', '--email-to', 'a@example.com', '--eml', 'a.eml', '--eml', 'b.eml'], 'eml'],
    [['diff', 'a.json', 'b.json', '--format', 'json', '--format', 'text'], 'format'],
    [['review', 'import', 'w.xlsx', '--snapshot', 'a.json', '--snapshot', 'b.json'], 'snapshot'],
    [['review', 'status', 'c', '--campaign', 'a.json', '--campaign', 'b.json'], 'campaign'],
    [['evidence', 'pack', '--snapshot', 's.json', '--out', 'a.zip', '--out', 'b.zip'], 'out'],
    [['evidence', 'sign', 'f.json', '--kind', 'campaign', '--kind', 'snapshot'], 'kind'],
    [['rules', 'list', '--format', 'json', '--format', 'text'], 'format'],
  ])('%j is exit 2 naming --%s, and nothing is written', async (argv, option) => {
    const dir = tempDir('aar-repeated-');
    const r = await runCliForTest(argv, { cwd: dir });
    expect(r.stderr).toMatch(
      new RegExp(`^error: --${option} was given 2 times \\("[^"]+", "[^"]+"\\); it takes one value\\n`),
    );
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lists and the repeatable options still repeat', async () => {
    const dir = tempDir('aar-repeated-');
    // Both frameworks are read: soc2 is known, the other is refused by name (not as a repeated option).
    const r = await runCliForTest(['rules', 'list', '--framework', 'soc2', '--framework', 'no-such'], {
      cwd: dir,
    });
    expect(r.stderr).toMatch(/no-such/);
    expect(r.stderr).not.toContain('was given 2 times');
    const keys = await runCliForTest(
      ['evidence', 'verify', 'x.json', '--verify-key', 'a.pem', '--verify-key', 'b.pem'],
      { cwd: dir },
    );
    expect(keys.stderr).toMatch(/a\.pem/);
    expect(keys.stderr).not.toContain('was given 2 times');
    const orgs = await runCliForTest(['doctor', '--org', ORG, '--org', ORG.replace('5', '6')], {
      cwd: dir,
      env: {},
    });
    expect(orgs.stderr).not.toContain('was given 2 times');
  });
});
