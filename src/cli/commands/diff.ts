import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { diffSnapshots } from '../../changes/diff.js';
import { DIFF_FORMATS, DIFF_FORMATTERS, type DiffFormat } from '../../changes/format-diff.js';
import { readSnapshot } from '../../snapshot/store.js';
import { assertWritable, writeFileAtomic } from '../../util/files.js';
import { assertNotInputs } from '../audit-options.js';
import { loadEvidenceKeys, type VerifyKeyArgs, verifyKeyOption } from '../evidence-keys.js';
import { type CommandFactory, defineCommand } from './define.js';

interface DiffCommandArgs extends VerifyKeyArgs {
  old: string;
  new: string;
  format: DiffFormat;
  output?: string | undefined;
  force: boolean;
}

/**
 * `diff <old> <new>`: what changed between two snapshots (joiners, leavers, status and role changes
 * with escalations, teams, projects, API keys, service accounts). Reporting, not a gate: exit 0.
 */
export const diffCommand: CommandFactory = (ctx) =>
  defineCommand<DiffCommandArgs>({
    command: 'diff <old> <new>',
    describe: 'Show what changed between two snapshots: joiners, leavers, role changes and escalations',
    builder: (y: Argv) =>
      verifyKeyOption(y)
        .positional('old', { type: 'string', demandOption: true, describe: 'Earlier snapshot file' })
        .positional('new', { type: 'string', demandOption: true, describe: 'Later snapshot file' })
        .option('format', {
          choices: DIFF_FORMATS,
          default: 'text' as DiffFormat,
          describe: 'Output format',
        })
        .option('output', { type: 'string', requiresArg: true, describe: 'Write the output to this file' })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite --output if it exists' })
        .example('$0 diff q2.json q3.json --format markdown', 'changes as a Markdown summary'),
    handler: async (argv: DiffCommandArgs) => {
      const output = argv.output ? resolve(ctx.cwd, argv.output) : undefined;
      if (output) {
        await assertNotInputs(
          [{ path: output, option: `--output ${argv.output}` }],
          [
            ['<old>', argv.old],
            ['<new>', argv.new],
          ],
          ctx.cwd,
        );
        await assertWritable(output, argv.force);
      }
      const keys = await loadEvidenceKeys(argv, ctx);
      const before = await readSnapshot(resolve(ctx.cwd, argv.old), keys);
      const after = await readSnapshot(resolve(ctx.cwd, argv.new), keys);
      const diff = diffSnapshots(before.snapshot, after.snapshot, {
        // The paths as the user gave them: that is what they recognise in the output.
        oldFile: { file: argv.old, sha256: before.sha256 },
        newFile: { file: argv.new, sha256: after.sha256 },
      });
      const text = DIFF_FORMATTERS[argv.format](diff);
      if (output) {
        await writeFileAtomic(output, text, { force: argv.force });
        ctx.stderr(`wrote ${argv.output}\n`);
      } else ctx.stdout(text);
      if (after.snapshot.collectedAt < before.snapshot.collectedAt)
        ctx.stderr('diff: warning: <new> was collected before <old>; arguments swapped?\n');
      ctx.exitCode = 0;
    },
  });
