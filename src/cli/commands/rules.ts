import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { SUBJECT_KINDS, type SubjectKind } from '../../domain/subject.js';
import { DEFAULT_RULES_DIR, readFrameworkCatalogues, readRulesDir } from '../../input/rules-dir.js';
import { FACTS } from '../../rules/facts.js';
import { controlsOf, type FrameworkCatalogue, selectFrameworks } from '../../rules/frameworks.js';
import type { LoadedRuleSet } from '../../rules/load.js';
import { ruleJsonSchema } from '../../rules/schema.js';
import { writeFileAtomic } from '../../util/files.js';
import { terminalSafe } from '../../util/terminal.js';
import type { CliContext } from '../context.js';
import { frameworkOption } from '../framework-option.js';
import { type CommandFactory, defineCommand } from './define.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** One control of a framework with the rules that cite it (none: a gap the auditor should see). */
interface ControlRules {
  control: string;
  title: string;
  /** The review cycle itself (sign-off, `review verify`) evidences it (src/review/verify.ts REVIEW_REFERENCES). */
  evidencedByReview: boolean;
  rules: Array<{ id: string; severity: string; title: string; enabled: boolean }>;
}

/** The rules per control of each framework, in catalogue order, controls no rule cites included. */
function rulesPerControl(
  set: LoadedRuleSet,
  frameworks: readonly FrameworkCatalogue[],
  catalogues: readonly FrameworkCatalogue[],
  reviewReferences: readonly string[],
): Array<{ id: string; name: string; controls: ControlRules[] }> {
  const cited = set.rules.map((r) => ({ r, controls: controlsOf(r.references, catalogues, null) }));
  return frameworks.map((fw) => ({
    id: fw.id,
    name: fw.name,
    controls: fw.controls.map((c) => ({
      control: c.id,
      title: c.title,
      evidencedByReview: reviewReferences.includes(`${fw.referencePrefix} ${c.id}`),
      rules: cited
        .filter((x) => x.controls.some((k) => k.framework === fw.id && k.control === c.id))
        .map(({ r }) => ({ id: r.id, severity: r.severity, title: r.title, enabled: r.enabled })),
    })),
  }));
}

/** `rules list --framework`: each framework's controls, the rules testing each, then the gaps. */
function printRulesPerControl(
  ctx: CliContext,
  frameworks: ReturnType<typeof rulesPerControl>,
  format: 'text' | 'json',
): void {
  if (format === 'json') {
    ctx.stdout(`${JSON.stringify(frameworks, null, 2)}\n`);
    return;
  }
  for (const fw of frameworks) {
    const tested = fw.controls.filter((c) => c.rules.length > 0);
    const gaps = fw.controls.filter((c) => c.rules.length === 0);
    ctx.stdout(
      `${fw.name} (${fw.id}): ${tested.length} of ${fw.controls.length} controls tested by a rule\n\n`,
    );
    for (const c of tested) {
      ctx.stdout(`${c.control}  ${c.title}\n`);
      const w = Math.max(...c.rules.map((r) => r.id.length));
      for (const r of c.rules)
        ctx.stdout(
          `  ${pad(terminalSafe(r.id), w)}  ${pad(r.severity, 8)}  ${terminalSafe(r.title)}${r.enabled ? '' : ' (disabled)'}\n`,
        );
    }
    const byReview = fw.controls.filter((c) => c.evidencedByReview).map((c) => c.control);
    if (byReview.length > 0)
      ctx.stdout(
        `\nEvidenced by the review cycle itself (sign-off, review verify): ${byReview.join(', ')}\n`,
      );
    if (gaps.length > 0) {
      ctx.stdout(`\nNo rule tests (evidence these another way):\n`);
      for (const c of gaps)
        ctx.stdout(`${c.control}  ${c.title}${c.evidencedByReview ? ' (the review cycle)' : ''}\n`);
    }
    ctx.stdout('\n');
  }
}

function listCommand(ctx: CliContext) {
  type ListArgs = { rules?: string; format: 'text' | 'json'; framework?: string[] | undefined };
  return defineCommand<ListArgs>({
    command: 'list',
    describe:
      'Print the rule catalogue (id, severity, subject kind, title); with --framework, the rules per control of that framework and the controls no rule tests',
    builder: (y: Argv) =>
      frameworkOption(y)
        .describe(
          'framework',
          'List the rules per control of this framework, and the controls no rule tests: soc2, iso27001, pci-dss-4, cis-v8',
        )
        .option('rules', { type: 'string', requiresArg: true, describe: 'Rules folder (default: built-in)' })
        .option('format', {
          choices: ['text', 'json'] as const,
          default: 'text' as 'text' | 'json',
          describe: 'Output format',
        })
        .example('$0 rules list --format json', 'the catalogue as JSON')
        .example('$0 rules list --framework pci-dss-4', 'the rules per PCI DSS v4.0 control, and the gaps'),
    handler: async (argv: ListArgs) => {
      // The framework is checked first: a typo is exit 2 before any rule file is read. Without one
      // the catalogues are not read at all.
      const catalogues = argv.framework?.length ? await readFrameworkCatalogues() : [];
      const frameworks = selectFrameworks(argv.framework ?? [], catalogues);
      const set = await readRulesDir(argv.rules ? resolve(ctx.cwd, argv.rules) : DEFAULT_RULES_DIR);
      if (frameworks.length > 0) {
        // Loaded only here: the review module is not needed to list the catalogue.
        const { REVIEW_REFERENCES } = await import('../../review/verify.js');
        printRulesPerControl(
          ctx,
          rulesPerControl(set, frameworks, catalogues, REVIEW_REFERENCES),
          argv.format,
        );
        return;
      }
      if (argv.format === 'json') {
        const rules = set.rules.map(({ file: _file, $schema: _s, ...r }) => r);
        ctx.stdout(`${JSON.stringify(rules, null, 2)}\n`);
        return;
      }
      const w = Math.max(...set.rules.map((r) => r.id.length));
      for (const r of set.rules) {
        ctx.stdout(
          `${pad(r.id, w)}  ${pad(r.severity, 8)}  ${pad(r.subject, 14)}  ${r.title}${r.enabled ? '' : ' (disabled)'}\n`,
        );
      }
    },
  });
}

function validateCommand(ctx: CliContext) {
  return defineCommand<{ dir: string }>({
    command: 'validate <dir>',
    describe: 'Check a rules folder: schema, ids, facts, params, placeholders (exit 2 on the first problem)',
    builder: (y: Argv) =>
      y
        .positional('dir', {
          type: 'string',
          demandOption: true,
          describe: 'Folder of rule files (one JSON file per rule)',
        })
        .example('$0 rules validate my-rules', 'check a rules folder (exit 2 naming the file and JSON path)'),
    handler: async (argv: { dir: string }) => {
      const set = await readRulesDir(resolve(ctx.cwd, argv.dir));
      ctx.stdout(`${argv.dir}: ${set.rules.length} rule(s) valid\n`);
    },
  });
}

function factsCommand(ctx: CliContext) {
  return defineCommand<{ kind?: SubjectKind }>({
    command: 'facts [kind]',
    describe: 'List the facts rule conditions may use, per subject kind',
    builder: (y: Argv) =>
      y
        .positional('kind', {
          choices: SUBJECT_KINDS,
          describe: 'Subject kind whose facts to list (default: every kind)',
        })
        .example('$0 rules facts user', 'the facts of users'),
    handler: async (argv: { kind?: SubjectKind }) => {
      for (const kind of argv.kind ? [argv.kind] : SUBJECT_KINDS) {
        ctx.stdout(`${kind}:\n`);
        for (const [name, spec] of Object.entries(FACTS[kind])) {
          // A rule reading a fact with needs is not evaluated in an org whose snapshot lacks them.
          const parts = [...(spec.requires ?? []), ...(spec.inputs ?? []).map((p) => `--${p}`)];
          const needs = parts.length ? ` [needs ${parts.join(', ')}]` : '';
          ctx.stdout(
            `  ${pad(name, 24)} ${pad(spec.type + (spec.nullable ? '|null' : ''), 12)} ${spec.description}${needs}\n`,
          );
        }
      }
    },
  });
}

function schemaCommand(ctx: CliContext) {
  return defineCommand<{ output?: string; force: boolean }>({
    command: 'schema',
    describe: 'Print the JSON Schema of rule files (the source of rules/rule.schema.json)',
    builder: (y: Argv) =>
      y
        .option('output', { type: 'string', requiresArg: true, describe: 'Write to this file' })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite --output if it exists' })
        .example('$0 rules schema --output rule.schema.json', 'for editors of rule files'),
    handler: async (argv: { output?: string; force: boolean }) => {
      const text = `${JSON.stringify(ruleJsonSchema(), null, 2)}\n`;
      if (argv.output) await writeFileAtomic(resolve(ctx.cwd, argv.output), text, { force: argv.force });
      else ctx.stdout(text);
    },
  });
}

/** `rules list|validate|facts|schema`: the catalogue and tools for rule authors. */
export const rulesCommand: CommandFactory = (ctx) =>
  defineCommand<Record<string, never>>({
    command: 'rules <command>',
    describe: 'Inspect the rule catalogue, validate a rules folder, list facts',
    builder: (y: Argv) =>
      y
        .command(listCommand(ctx))
        .command(validateCommand(ctx))
        .command(factsCommand(ctx))
        .command(schemaCommand(ctx))
        .demandCommand(1),
    handler: async () => {},
  });
