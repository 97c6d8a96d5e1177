import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, rulesTable, withRulesTable } from '../../scripts/rules-table.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';

describe('the README rule table', () => {
  it('is the one generated from rules/*.json (regenerate: npm run docs:rules)', async () => {
    const readme = readFileSync(README, 'utf8');
    const table = rulesTable((await readRulesDir(DEFAULT_RULES_DIR)).rules);
    expect(withRulesTable(readme, table)).toBe(readme);
  });

  it('lists every rule once, with its params and their defaults', async () => {
    const { rules } = await readRulesDir(DEFAULT_RULES_DIR);
    const table = rulesTable(rules);
    for (const r of rules) {
      expect(
        table.split('\n').filter((l) => l.startsWith(`| \`${r.id}\``)),
        r.id,
      ).toHaveLength(1);
      for (const [name, p] of Object.entries(r.params ?? {}))
        expect(table).toContain(`\`${name}\` = ${JSON.stringify(p.default)}`);
    }
    expect(table).toContain(`The catalogue (${rules.length} rules;`);
  });

  it('refuses a README without the markers', () => {
    expect(() => withRulesTable('# no table here\n', 'x')).toThrow(/markers/);
  });
});
