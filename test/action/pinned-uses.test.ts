/**
 * Every action a workflow of this repository, its own action.yml, or an example in the README and the
 * docs runs is pinned to a full commit SHA with its version in a comment (docs/github-action.md): a
 * tag can be moved to other code, a commit cannot. The README's quarterly workflow said `@v4` while
 * docs/github-action.md told readers to pin by SHA. The one exception is the placeholder the docs
 * use for this repository's own action, which has no published tag yet.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/version.js';

const files = [
  'README.md',
  'action.yml',
  ...readdirSync(join(PACKAGE_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(PACKAGE_ROOT, '.github/workflows')).map((f) => `.github/workflows/${f}`),
];

/** `uses:` lines (a step's or a job's), with the file and line they are on. */
const usesLines = files.flatMap((file) =>
  readFileSync(join(PACKAGE_ROOT, file), 'utf8')
    .split('\n')
    .flatMap((line, i) =>
      /^\s*(- )?uses:/.test(line) ? [{ at: `${file}:${i + 1}`, line: line.trim() }] : [],
    ),
);

describe('actions are pinned to a commit', () => {
  it('finds the uses lines (the check is not vacuous)', () => {
    expect(usesLines.length).toBeGreaterThanOrEqual(10);
    expect(usesLines.some((u) => u.at.startsWith('README.md:'))).toBe(true);
  });

  it('each is owner/repo[/path]@<40 hex> # v<version>, or the documented placeholder', () => {
    const unpinned = usesLines.filter(
      ({ line }) =>
        !/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\b/.test(line) &&
        !line.includes('uses: <owner>/atlas-access-review@<full commit SHA of the v0.1.0 tag> # v0.1.0'),
    );
    expect(unpinned).toEqual([]);
  });
});
