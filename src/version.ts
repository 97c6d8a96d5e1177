import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Package root (where package.json, rules/ and reports/ live), from both src/ (tsx, vitest) and dist/. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
};

export const TOOL = { name: pkg.name, version: pkg.version } as const;
