import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { SUBJECT_KINDS, type SubjectKind } from '../../domain/subject.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../input/rules-dir.js';
import { FACTS } from '../../rules/facts.js';
import { ruleJsonSchema } from '../../rules/schema.js';
import { writeFileAtomic } from '../../util/files.js';
import type { CliContext } from '../context.js';
import { type CommandFactory, defineCommand } from './define.js';

const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length));

function listCommand(ctx: CliContext) {
  return defineCommand<{ rules?: string; format: 'text' | 'json' }>({
    command: 'list',
    describe: 'Print the rule catalogue (id, severity, subject kind, title)',
    builder: (y: Argv) =>
      y
        .option('rules', { type: 'string', requiresArg: true, describe: 'Rules folder (default: built-in)' })
        .option('format', { choices: ['text', 'json'] as const, default: 'text' as 'text' | 'json' })
        .example('$0 rules list --format json', 'the catalogue as JSON'),
    handler: async (argv: { rules?: string; format: 'text' | 'json' }) => {
      const set = await readRulesDir(argv.rules ? resolve(ctx.cwd, argv.rules) : DEFAULT_RULES_DIR);
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
        .positional('dir', { type: 'string', demandOption: true })
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
      y.positional('kind', { choices: SUBJECT_KINDS }).example('$0 rules facts user', 'the facts of users'),
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
        .option('force', { type: 'boolean', default: false })
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
