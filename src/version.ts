import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Package root (where package.json, rules/ and reports/ live), from both src/ (tsx, vitest) and dist/. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};

/**
 * The tool's name is its command (the package's one bin), not the npm package name: snapshots, reports
 * and the User-Agent say `atlas-access-review` whichever scope the package is published under.
 */
export const TOOL = { name: Object.keys(pkg.bin)[0]!, version: pkg.version } as const;
