/**
 * Comments and test names cite what a reader of the repository can open: a file in it (docs/, the
 * vendored spec under test/fixtures/atlas-openapi/), a README section or a spec section. Not an issue
 * tracker, a path on the machine that wrote the code, or the session that wrote it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** What an outside citation looks like, each with why it is refused. */
const OUTSIDE_CITATIONS: readonly { pattern: RegExp; why: string }[] = [
  { pattern: /\bissues? #?\d+/i, why: 'an issue number (cite the doc or README section instead)' },
  { pattern: /\(issue[:)]/i, why: 'an issue (cite the doc or README section instead)' },
  { pattern: /\bissues show\b/, why: 'the issue tool' },
  { pattern: /(?<![\w.])\.\.\/(?:\.\.\/)*shared\//, why: 'a folder outside the repository' },
  {
    pattern: /\bshared\/atlas-openapi\b/,
    why: 'the spec outside the repository (cite test/fixtures/atlas-openapi)',
  },
  { pattern: /(?<![\w.])\/(?:work|tmp\/briefs)\//, why: 'a path on the machine that wrote it' },
  {
    pattern: /\b(?:STYLE|DEPENDENCIES)\.md\b/,
    why: 'a guide outside the repository (cite docs/architecture.md or state the fact)',
  },
  { pattern: /\bhelper (?:engineer|session)\b|\bsession brief\b/i, why: 'the session that wrote it' },
];

/** Every line of src/, test/, bench/ and scripts/ that cites something outside the repository. */
function outsideCitations(): string[] {
  const files = execFileSync(
    'git',
    ['ls-files', '-co', '--exclude-standard', 'src', 'test', 'bench', 'scripts'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
    .split('\n')
    .filter((f) => /\.(ts|mjs|hbs)$/.test(f) && f !== 'test/architecture/citations.test.ts');
  const found: string[] = [];
  for (const file of files) {
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const hit = OUTSIDE_CITATIONS.find((c) => c.pattern.test(line));
        if (hit) found.push(`${file}:${i + 1}: ${hit.why}: ${line.trim()}`);
      });
  }
  return found;
}

describe('citations', () => {
  it('src/, test/, bench/ and scripts/ cite only what is in the repository', () => {
    expect(outsideCitations()).toEqual([]);
  });

  it('the patterns catch what they are for, and leave the code alone', () => {
    const caught = (line: string) => OUTSIDE_CITATIONS.some((c) => c.pattern.test(line));
    for (const line of [
      ' * Changes between two snapshots (issue 6 "Changes"):',
      '// see Issue #12',
      ' * (issue: "emptying actions")',
      '// the spec in ../shared/atlas-openapi/README.md',
      '// extracts in shared/atlas-openapi',
      '// from /work/shared/STYLE.md',
      '// written by the helper engineer',
      ' * (STYLE.md principle 2: the zod schema is the type)',
      ' * (DEPENDENCIES.md §4.6)',
    ])
      expect(caught(line), line).toBe(true);
    for (const line of [
      "import { daysBetween } from '../shared.js';",
      'problem: `does not fit at ${formatJsonPath(issue?.path ?? [])}`',
      '// the vendored spec (test/fixtures/atlas-openapi/atlas-v2-2025-02-19.json, paths./api/atlas/v2/orgs)',
    ])
      expect(caught(line), line).toBe(false);
  });
});
