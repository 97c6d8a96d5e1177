/**
 * The image's build context: every file the Dockerfile's build stage copies must get through
 * `.dockerignore`, or `docker build` stops at that COPY ("not found"). No container engine runs in CI
 * (docs/container.md, "Where it is built"), so this is the check that the image definition still builds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../src/version.js';

interface IgnoreRule {
  negated: boolean;
  pattern: RegExp;
}

/** `.dockerignore` as Docker reads it: one pattern a line, `#` comments, `!` re-includes, `*` within a segment, `**` across. */
function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const glob = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      const source = glob
        .split(/(\*\*|\*|\?)/)
        .map((part) =>
          part === '**'
            ? '.*'
            : part === '*'
              ? '[^/]*'
              : part === '?'
                ? '[^/]'
                : part.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      return { negated, pattern: new RegExp(`^${source}$`) };
    });
}

/**
 * Whether a path (relative to the context, `/`-separated) reaches the build: the last rule that
 * matches it or one of its parent folders decides, as in Docker's pattern matcher.
 */
function admitted(rules: readonly IgnoreRule[], path: string): boolean {
  const segments = path.split('/');
  const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let included = true;
  for (const rule of rules) {
    if (prefixes.some((prefix) => rule.pattern.test(prefix))) included = rule.negated;
  }
  return included;
}

/** Sources of the COPY instructions that read the build context (not `--from` another stage). */
function contextCopySources(dockerfile: string): string[] {
  return dockerfile
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^COPY\s/i.test(line) && !/--from=/.test(line))
    .flatMap((line) => {
      const args = line.split(/\s+/).slice(1);
      return args.slice(0, -1).filter((arg) => !arg.startsWith('--'));
    });
}

/** Every file under a path of the repository, `/`-separated and relative to the repository root. */
function filesUnder(path: string): string[] {
  const full = join(PACKAGE_ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => filesUnder(`${path}/${name}`));
}

describe('.dockerignore', () => {
  it('matches as Docker does: the last matching rule wins, a folder decides for what it holds', () => {
    const rules = parseDockerignore('# comment\n*\n!src/\n!package.json\n');
    expect(admitted(rules, 'package.json')).toBe(true);
    expect(admitted(rules, 'src/cli/main.ts')).toBe(true);
    expect(admitted(rules, 'scripts/build-cli.ts')).toBe(false);
    expect(admitted(rules, 'test/x.test.ts')).toBe(false);
  });

  it('admits every file the Dockerfile build stage copies from the context', () => {
    const rules = parseDockerignore(readFileSync(join(PACKAGE_ROOT, '.dockerignore'), 'utf8'));
    const sources = contextCopySources(readFileSync(join(PACKAGE_ROOT, 'Dockerfile'), 'utf8'));
    expect(sources).toContain('scripts');
    const refused = sources.flatMap(filesUnder).filter((file) => !admitted(rules, file));
    expect(refused).toEqual([]);
  });

  it('keeps out what the image must not hold: tests, local snapshots and reports', () => {
    const rules = parseDockerignore(readFileSync(join(PACKAGE_ROOT, '.dockerignore'), 'utf8'));
    for (const path of [
      'test/cli/run.test.ts',
      'snapshot.json',
      'demo-output/x/access-review.html',
      '.env',
      'node_modules/x',
    ])
      expect(admitted(rules, path), path).toBe(false);
  });
});
