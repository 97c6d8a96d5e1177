import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { type FrameworkCatalogue, frameworkCatalogueSchema } from '../rules/frameworks.js';
import { type LoadedRuleSet, loadRuleSet, type RuleSource } from '../rules/load.js';
import { readInputFiles } from '../util/files.js';
import { prevalidated } from '../util/prevalidated.js';
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
  // Read at once rather than one after another: each read is four trips to the thread pool (open,
  // stat, read, close), and 46 of them in a row left the start of every audit waiting 20 ms.
  const paths = files.map((name) => join(dir, name));
  const texts = await readInputFiles(paths);
  const sources: RuleSource[] = paths.map((file, i) => ({ file, text: texts[i]! }));
  return loadRuleSet(dir, sources);
}

/** What the catalogue schema makes of a file's text: a function of the text alone (src/util/prevalidated.ts). */
export function validateFrameworkText(text: string, file: string): FrameworkCatalogue {
  return parseWithSchema(frameworkCatalogueSchema, parseJsonText(text, file), file);
}

/** The framework catalogues shipped with the tool: control ids, titles and `--framework` presets. */
export const FRAMEWORKS_DIR = join(DEFAULT_RULES_DIR, 'frameworks');

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
  const texts = await readInputFiles(names.map((name) => join(dir, name)));
  return names.map((name, i) => {
    const file = join(dir, name);
    const c =
      (prevalidated('framework', texts[i]!) as FrameworkCatalogue | undefined) ??
      validateFrameworkText(texts[i]!, file);
    if (`${c.id}.json` !== name) throw new InputError(file, '$.id', `id "${c.id}" must match the file name`);
    return c;
  });
}
