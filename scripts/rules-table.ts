/**
 * The README's rule table, generated from the rule files (`npm run docs:rules` rewrites it between its
 * markers; test/rules/readme-table.test.ts fails when README.md differs from what this prints).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUBJECT_KINDS } from '../src/domain/subject.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../src/input/audit-inputs.js';
import type { LoadedRule } from '../src/rules/load.js';

export const BEGIN = '<!-- rules table: generated from rules/*.json by `npm run docs:rules`; do not edit -->';
export const END = '<!-- end of rules table -->';

/** The sentence rule descriptions carry for the rules about people; the table marks them † instead. */
const PEOPLE_ONLY = / ?People only: users Atlas creates itself \(Atlas Charts\) are not judged as people\./;

/** True when the rule's conditions require `isHuman`: it judges people, not users Atlas creates. */
function peopleOnly(rule: LoadedRule): boolean {
  return JSON.stringify(rule.conditions).includes('"fact":"isHuman"');
}

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The catalogue section: a count, the † note, and one row per rule, by subject kind then id. */
export function rulesTable(rules: readonly LoadedRule[]): string {
  const order = (r: LoadedRule) => SUBJECT_KINDS.indexOf(r.subject);
  const sorted = [...rules].sort((a, b) => order(a) - order(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows = sorted.map((r) => {
    const params = Object.entries(r.params ?? {})
      .map(([name, p]) => `\`${name}\` = ${JSON.stringify(p.default)}`)
      .join(', ');
    const id = `\`${r.id}\`${peopleOnly(r) ? ' †' : ''}`;
    const fires = cell(r.description.replace(PEOPLE_ONLY, ''));
    return `| ${id} | ${r.severity} | ${r.subject} | ${fires} | ${params || '—'} |`;
  });
  return [
    BEGIN,
    `The catalogue (${rules.length} rules; each has a pass/fail case table in \`test/rules/cases/\`). Users`,
    'Atlas creates itself (Atlas Charts) are not judged by the rules about people (marked † below); params',
    'are shown with their defaults (a policy file overrides them):',
    '',
    '| rule | severity | over | fires when | params |',
    '|---|---|---|---|---|',
    ...rows,
    END,
  ].join('\n');
}

/** README text with the table between the markers replaced (throws when the markers are missing). */
export function withRulesTable(readme: string, table: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`README.md lacks the rules table markers (${BEGIN} ... ${END})`);
  return readme.slice(0, start) + table + readme.slice(end + END.length);
}

export const README = join(import.meta.dirname, '..', 'README.md');

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const table = rulesTable((await readRulesDir(DEFAULT_RULES_DIR)).rules);
  const before = await readFile(README, 'utf8');
  const after = withRulesTable(before, table);
  if (after !== before) await writeFile(README, after);
  process.stdout.write(`README.md rules table: ${after === before ? 'up to date' : 'rewritten'}\n`);
}
