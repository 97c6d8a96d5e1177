import { basename, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ExitCode, InputError, UsageError } from '../../errors.js';
import { checkReviewWorkbook, formatProblemLines, readReviewWorkbook } from '../../review/import.js';
import { buildRevocationPlan, formatPlanText, serializePlan } from '../../review/plan.js';
import { buildSignoff, serializeSignoff, signoffSchema } from '../../review/signoff.js';
import { renderSignoffHtml } from '../../review/signoff-html.js';
import { VERIFY_FORMATS, VERIFY_FORMATTERS, type VerifyFormat, verifySignoff } from '../../review/verify.js';
import { snapshotSubjectCount, WORKBOOK_LIMITS, workbookLimits } from '../../review/xlsx-package.js';
import { readSnapshot, sha256Hex } from '../../snapshot/store.js';
import {
  assertWritable,
  readInputBytes,
  readInputFile,
  writeFileAtomic,
  writeFilesAtomic,
} from '../../util/files.js';
import { parseJsonText, parseWithSchema } from '../../util/validate.js';
import { TOOL } from '../../version.js';
import type { CliContext } from '../context.js';
import { type CommandFactory, defineCommand } from './define.js';

/** Files `review import` writes into --out-dir. */
export const IMPORT_OUTPUTS = {
  signoffJson: 'signoff.json',
  signoffHtml: 'signoff.html',
  planJson: 'revocation-plan.json',
  planText: 'revocation-plan.txt',
} as const;

interface ImportArgs {
  workbook: string;
  snapshot: string;
  'out-dir': string;
  force: boolean;
}

function importCommand(ctx: CliContext) {
  return defineCommand<ImportArgs>({
    command: 'import <workbook>',
    describe:
      'Read the decisions of a filled review workbook; write the sign-off (JSON, HTML) and revocation plan',
    builder: (y: Argv) =>
      y
        .positional('workbook', {
          type: 'string',
          demandOption: true,
          describe: 'Filled XLSX from `report --xlsx`',
        })
        .option('snapshot', {
          type: 'string',
          demandOption: true,
          requiresArg: true,
          describe: 'The snapshot the workbook was written from (checked by sha256)',
        })
        .option('out-dir', {
          type: 'string',
          default: '.',
          requiresArg: true,
          describe: `Folder for ${Object.values(IMPORT_OUTPUTS).join(', ')}`,
        })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite output files that exist' })
        .example('$0 review import q3-filled.xlsx --snapshot q3.json --out-dir evidence/q3', 'sign off Q3'),
    handler: async (argv: ImportArgs) => {
      const outDir = resolve(ctx.cwd, argv['out-dir']);
      const out = Object.fromEntries(
        Object.entries(IMPORT_OUTPUTS).map(([k, name]) => [k, resolve(outDir, name)]),
      ) as Record<keyof typeof IMPORT_OUTPUTS, string>;
      // Refuse before any work (exit 4): never a partial set of evidence files.
      for (const path of Object.values(out)) await assertWritable(path, argv.force);
      const workbookFile = resolve(ctx.cwd, argv.workbook);
      // Size caps before the workbook is read or loaded (src/review/xlsx-package.ts).
      const bytes = await readInputBytes(workbookFile, argv.workbook, WORKBOOK_LIMITS.maxFileBytes);
      const loaded = await readSnapshot(resolve(ctx.cwd, argv.snapshot));
      const now = ctx.now();
      const limits = workbookLimits(snapshotSubjectCount(loaded.snapshot));
      const contents = await readReviewWorkbook(bytes, argv.workbook, limits);
      const check = checkReviewWorkbook(contents, loaded, now);
      if (check.problems.length > 0) {
        for (const line of formatProblemLines(check.problems, argv.workbook)) ctx.stderr(`${line}\n`);
        throw new InputError(
          argv.workbook,
          '$',
          `${check.problems.length} problem${check.problems.length === 1 ? '' : 's'} in the workbook (listed above); nothing written`,
          { hint: 'fix the cells named above and run review import again' },
        );
      }
      const signoff = buildSignoff({
        snapshot: loaded.snapshot,
        snapshotFile: basename(argv.snapshot),
        snapshotSha256: loaded.sha256,
        workbookFile: basename(argv.workbook),
        workbookSha256: sha256Hex(bytes),
        decisions: check.decisions,
        signedOffAt: now,
        tool: TOOL,
      });
      const plan = buildRevocationPlan(signoff);
      // Render everything, then write the set all or nothing; signoff.json last (src/util/files.ts).
      const files: Array<[string, string]> = [
        [out.signoffHtml, renderSignoffHtml(signoff)],
        [out.planJson, serializePlan(plan)],
        [out.planText, formatPlanText(plan)],
        [out.signoffJson, serializeSignoff(signoff)],
      ];
      await writeFilesAtomic(
        files.map(([path, data]) => ({ path, data })),
        { force: argv.force },
      );
      for (const [path, text] of files) ctx.stdout(`wrote ${path} (${Buffer.byteLength(text)} bytes)\n`);
      const c = signoff.counts;
      ctx.stderr(
        `review import: ${c.identities} decisions (${c.keep} keep, ${c.revoke} revoke, ${c.modify} modify) by ${signoff.reviewers.length} reviewer(s); plan: ${plan.counts.calls} API call(s), not executed\n`,
      );
      ctx.exitCode = ExitCode.ok;
    },
  });
}

interface VerifyArgs {
  signoff: string;
  snapshot: string;
  format: VerifyFormat;
  output?: string | undefined;
  force: boolean;
}

function verifyCommand(ctx: CliContext) {
  return defineCommand<VerifyArgs>({
    command: 'verify <signoff>',
    describe: 'Check a later snapshot against a sign-off: exit 1 when a Revoke was not carried out',
    builder: (y: Argv) =>
      y
        .positional('signoff', {
          type: 'string',
          demandOption: true,
          describe: 'signoff.json from `review import`',
        })
        .option('snapshot', {
          type: 'string',
          demandOption: true,
          requiresArg: true,
          describe: 'A snapshot collected after the sign-off',
        })
        .option('format', {
          choices: VERIFY_FORMATS,
          default: 'text' as VerifyFormat,
          describe: 'Output format',
        })
        .option('output', { type: 'string', requiresArg: true, describe: 'Write the output to this file' })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite --output if it exists' }),
    handler: async (argv: VerifyArgs) => {
      const output = argv.output ? resolve(ctx.cwd, argv.output) : undefined;
      if (output) await assertWritable(output, argv.force);
      const signoffFile = resolve(ctx.cwd, argv.signoff);
      const signoff = parseWithSchema(
        signoffSchema,
        parseJsonText(await readInputFile(signoffFile), argv.signoff),
        argv.signoff,
      );
      const later = await readSnapshot(resolve(ctx.cwd, argv.snapshot));
      if (later.sha256 === signoff.snapshot.sha256)
        throw new UsageError(`${argv.snapshot} is the snapshot that was signed off, not a later one`, {
          hint: 'collect a new snapshot after carrying out the revocation plan',
        });
      if (later.snapshot.collectedAt < signoff.snapshot.collectedAt)
        throw new UsageError(
          `${argv.snapshot} was collected ${later.snapshot.collectedAt}, before the signed-off snapshot (${signoff.snapshot.collectedAt})`,
        );
      const result = verifySignoff(signoff, { ...later, file: argv.snapshot }, ctx.now());
      const text = VERIFY_FORMATTERS[argv.format](result);
      if (output) {
        await writeFileAtomic(output, text, { force: argv.force });
        ctx.stderr(`wrote ${argv.output}\n`);
      } else ctx.stdout(text);
      if (result.failed)
        ctx.stderr(
          `review verify: ${result.summary.notDone} revocation(s) not carried out, ${result.summary.unverifiable} unverifiable (exit 1)\n`,
        );
      ctx.exitCode = result.failed ? ExitCode.violations : ExitCode.ok;
    },
  });
}

/** `review import|verify`: read reviewer decisions back, sign off, and check revocations later. */
export const reviewCommand: CommandFactory = (ctx) =>
  defineCommand<Record<string, never>>({
    command: 'review <command>',
    describe: 'Read back a filled review workbook (sign-off + revocation plan) and verify revocations later',
    builder: (y: Argv) => y.command(importCommand(ctx)).command(verifyCommand(ctx)).demandCommand(1),
    handler: async () => {},
  });
