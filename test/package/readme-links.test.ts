/**
 * The published package holds what its README links to: an installed copy
 * (node_modules/@atlas-access-review/cli) is read offline, and the README, the help's "Docs:" line and
 * error hints send the reader to docs/*.md. The file list is npm's own (`npm pack --dry-run`).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/version.js';

describe('the packed package', () => {
  it('ships every file the README links to', () => {
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: PACKAGE_ROOT,
        encoding: 'utf8',
        env: { ...process.env, npm_config_update_notifier: 'false' },
      }),
    ) as [{ files: { path: string }[] }];
    const files = new Set(packed.files.map((f) => f.path));
    const readme = readFileSync(join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\((docs\/[\w.-]+\.md)(?:#[\w-]*)?\)/g)].map((m) => m[1]!);
    expect(linked.length).toBeGreaterThan(5);
    expect([...new Set(linked)].filter((path) => !files.has(path))).toEqual([]);
  }, 60_000);
});
