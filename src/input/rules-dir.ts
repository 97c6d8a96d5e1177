import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { type LoadedRuleSet, loadRuleSet, type RuleSource } from '../rules/load.js';
import { readInputFile } from '../util/files.js';
import { PACKAGE_ROOT } from '../version.js';

export const DEFAULT_RULES_DIR = join(PACKAGE_ROOT, 'rules');

/** File in a rules folder that is the editor schema, not a rule. */
export const RULE_SCHEMA_FILE = 'rule.schema.json';

/** Reads every `*.json` rule file of a folder (except rule.schema.json) and checks the catalogue. */
export async function readRulesDir(dir: string): Promise<LoadedRuleSet> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(dir, '$', code === 'ENOENT' ? 'rules folder not found' : `cannot read: ${code}`);
  }
  const files = names.filter((n) => n.endsWith('.json') && n !== RULE_SCHEMA_FILE).sort();
  const sources: RuleSource[] = [];
  for (const name of files) {
    const file = join(dir, name);
    sources.push({ file, text: await readInputFile(file) });
  }
  return loadRuleSet(dir, sources);
}
