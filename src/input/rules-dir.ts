import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { type FrameworkCatalogue, frameworkCatalogueSchema } from '../rules/frameworks.js';
import { type LoadedRuleSet, loadRuleSet, type RuleSource } from '../rules/load.js';
import { readInputFile } from '../util/files.js';
import { parseJsonText, parseWithSchema } from '../util/validate.js';
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

/** The framework catalogues shipped with the tool: control ids, titles and `--framework` presets. */
const FRAMEWORKS_DIR = join(DEFAULT_RULES_DIR, 'frameworks');

/**
 * Reads the framework catalogues (rules/frameworks/*.json), sorted by id; each file's name must be its
 * id. They are the tool's own data (a `--rules` folder brings rules, not catalogues), so a problem here
 * is an InputError naming the file, never silently fewer controls.
 */
export async function readFrameworkCatalogues(dir: string = FRAMEWORKS_DIR): Promise<FrameworkCatalogue[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    throw new InputError(
      dir,
      '$',
      `cannot read the framework catalogues: ${(error as NodeJS.ErrnoException).code}`,
    );
  }
  const catalogues: FrameworkCatalogue[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const c = parseWithSchema(frameworkCatalogueSchema, parseJsonText(await readInputFile(file), file), file);
    if (`${c.id}.json` !== name) throw new InputError(file, '$.id', `id "${c.id}" must match the file name`);
    catalogues.push(c);
  }
  return catalogues;
}
