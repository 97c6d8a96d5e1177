import { basename, dirname, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { writeOperations } from '../../atlas/write-operations.js';
import { ExitCode, InputError, UsageError } from '../../errors.js';
import type { EvidenceKeys } from '../../evidence/signature.js';
import { assertEvidenceWritable, readEvidence, writeEvidence } from '../../evidence/store.js';
import { summarizeEvidence } from '../../evidence/summary.js';
import { readSignoff } from '../../input/audit-inputs.js';
import {
  type ApplyInputs,
  type ApplyLog,
  applyPlan,
  bindPlan,
  initialLog,
  serializeApplyLog,
} from '../../review/apply.js';
import {
  checkApplyTarget,
  formatCallOutcome,
  formatDryRun,
  formatFailures,
} from '../../review/apply-text.js';
import { formatProblemLines } from '../../review/import.js';
import { importReview } from '../../review/import-review.js';
import {
  checkLaterSnapshot,
  checkReviewedSnapshot,
  VERIFY_FORMATS,
  VERIFY_FORMATTERS,
  type VerifyFormat,
  verifySignoff,
} from '../../review/verify.js';
import { WORKBOOK_LIMITS } from '../../review/xlsx-package.js';
import { readSnapshot, sha256Hex } from '../../snapshot/store.js';
import { assertWritable, readInputBytes, sameFile, writeFileAtomic } from '../../util/files.js';
import { terminalSafe } from '../../util/terminal.js';
import { TOOL } from '../../version.js';
import {
  APPLY_CREDENTIALS,
  buildClient,
  COLLECTOR_CREDENTIALS,
  requestOptions,
  resolveBaseUrl,
} from '../atlas-options.js';
import { assertNotInputs } from '../audit-options.js';
import type { CliContext } from '../context.js';
import {
  evidenceSigner,
  loadEvidenceKeys,
  type SigningKeyArgs,
  signedLine,
  signingKeyOption,
  type VerifyKeyArgs,
  verifyKeyOption,
} from '../evidence-keys.js';
import { type CommandFactory, defineCommand } from './define.js';
import {
  assertOutputsWritable,
  folderReader,
  IMPORT_OUTPUTS,
  importOutputPaths,
  mergeCommand,
  readCampaignFile,
  readTrust,
  remindCommand,
  signoffSummary,
  statusCommand,
  type TrustArgs,
  trustOptions,
  writeSignoffSet,
} from './review-campaign.js';

interface ImportArgs extends TrustArgs {
  workbook: string;
  'out-dir': string;
  force: boolean;
}

function importCommand(ctx: CliContext) {
  return defineCommand<ImportArgs>({
    command: 'import <workbook>',
    describe:
      'Read the decisions of a filled review workbook; write the sign-off (JSON, HTML) and revocation plan',
    builder: (y: Argv) =>
      trustOptions(y)
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
      const out = importOutputPaths(resolve(ctx.cwd, argv['out-dir']));
      // Refuse before any work (exit 4): never a partial set of evidence files.
      await assertOutputsWritable(out, argv.force);
      const keys = await loadEvidenceKeys(argv, ctx);
      // Size caps before the workbook is read or loaded (src/review/xlsx-package.ts).
      const bytes = await readInputBytes(
        resolve(ctx.cwd, argv.workbook),
        argv.workbook,
        WORKBOOK_LIMITS.maxFileBytes,
      );
      const { loaded, trust } = await readTrust(ctx, argv, keys);
      const now = ctx.now();
      const result = await importReview({
        workbook: { file: argv.workbook, bytes },
        snapshot: {
          file: argv.snapshot,
          snapshot: loaded.snapshot,
          sha256: loaded.sha256,
          signature: loaded.evidence.signature,
        },
        now,
        trust,
      });
      if (!result.ok) {
        for (const line of formatProblemLines(result.problems, argv.workbook)) ctx.stderr(`${line}\n`);
        const n = result.problems.length;
        throw new InputError(
          argv.workbook,
          '$',
          `${n} problem${n === 1 ? '' : 's'} in the workbook (listed above); nothing written`,
          { hint: 'fix the cells named above and run review import again' },
        );
      }
      await writeSignoffSet(ctx, out, result.texts, result.signoff, keys, argv.force);
      ctx.stderr(signoffSummary('review import', result.signoff, result.plan));
      ctx.exitCode = ExitCode.ok;
    },
  });
}

interface VerifyArgs extends VerifyKeyArgs {
  signoff: string;
  snapshot: string;
  'reviewed-snapshot'?: string | undefined;
  format: VerifyFormat;
  output?: string | undefined;
  force: boolean;
}

function verifyCommand(ctx: CliContext) {
  return defineCommand<VerifyArgs>({
    command: 'verify <signoff>',
    describe: 'Check a later snapshot against a sign-off: exit 1 when a Revoke was not carried out',
    builder: (y: Argv) =>
      verifyKeyOption(y)
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
        .option('reviewed-snapshot', {
          type: 'string',
          requiresArg: true,
          describe:
            'The snapshot that was signed off (checked by the sha256 the sign-off records): every action must be an identity of it, and the counts must match it',
        })
        .option('format', {
          choices: VERIFY_FORMATS,
          default: 'text' as VerifyFormat,
          describe: 'Output format',
        })
        .option('output', { type: 'string', requiresArg: true, describe: 'Write the output to this file' })
        .option('force', { type: 'boolean', default: false, describe: 'Overwrite --output if it exists' })
        .example(
          '$0 review verify evidence/q3/signoff.json --snapshot q4.json --reviewed-snapshot q3.json',
          "next quarter: were Q3's revocations carried out? (exit 1 names those that were not)",
        ),
    handler: async (argv: VerifyArgs) => {
      const output = argv.output ? resolve(ctx.cwd, argv.output) : undefined;
      if (output) {
        await assertNotInputs(
          [{ path: output, option: `--output ${argv.output}` }],
          [
            ['<signoff>', argv.signoff],
            ['--snapshot', argv.snapshot],
            ['--reviewed-snapshot', argv['reviewed-snapshot']],
          ],
          ctx.cwd,
        );
        await assertWritable(output, argv.force);
      }
      const keys = await loadEvidenceKeys(argv, ctx);
      // Signature (with a key), schema, and counts that add up to the actions listed.
      const read = await readSignoff(resolve(ctx.cwd, argv.signoff), keys, argv.signoff);
      const signoff = read.signoff;
      // The actions are checked against the snapshot that was signed off.
      const reviewedArg = argv['reviewed-snapshot'];
      if (reviewedArg === undefined)
        throw new UsageError(
          `review verify needs the snapshot that was signed off, to check the sign-off's actions against it: ${terminalSafe(signoff.snapshot.file)}, sha256 ${signoff.snapshot.sha256}`,
          { hint: `pass it with --reviewed-snapshot ${terminalSafe(signoff.snapshot.file)}` },
        );
      const reviewed = await readSnapshot(resolve(ctx.cwd, reviewedArg), keys);
      checkReviewedSnapshot(signoff, argv.signoff, { ...reviewed, file: reviewedArg });
      const later = await readSnapshot(resolve(ctx.cwd, argv.snapshot), keys);
      checkLaterSnapshot(signoff, { ...later, file: argv.snapshot });
      const result = {
        ...verifySignoff(signoff, { ...later, file: argv.snapshot }, ctx.now(), read.sha256),
        evidence: summarizeEvidence([read.evidence, reviewed.evidence, later.evidence]),
      };
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

/** The apply log's default name, written beside the sign-off. */
const APPLY_LOG_NAME = 'apply-log.json';

interface ApplyArgs extends SigningKeyArgs {
  plan: string;
  signoff?: string | undefined;
  snapshot: string;
  workbook: string;
  campaign?: string | undefined;
  yes: boolean;
  log?: string | undefined;
  force: boolean;
  'base-url'?: string | undefined;
  auth?: 'service-account' | 'api-key' | undefined;
  'timeout-ms': number;
  'max-retries': number;
}

/** The options and examples of `review apply`. */
function applyOptions(y: Argv) {
  return requestOptions(verifyKeyOption(signingKeyOption(y)))
    .positional('plan', {
      type: 'string',
      demandOption: true,
      describe: 'revocation-plan.json from `review import`',
    })
    .option('snapshot', {
      type: 'string',
      demandOption: true,
      requiresArg: true,
      describe: 'The snapshot that was reviewed (checked by sha256; its Atlas base URL must be the one used)',
    })
    .option('workbook', {
      type: 'string',
      demandOption: true,
      requiresArg: true,
      describe:
        'The filled workbook that was imported (checked by sha256; its decisions are read again); with --campaign, the folder of workbooks review merge read',
    })
    .option('campaign', {
      type: 'string',
      requiresArg: true,
      describe:
        'campaign.json of a sign-off written by review merge (checked by sha256; the folder is merged again)',
    })
    .option('signoff', {
      type: 'string',
      requiresArg: true,
      describe: `The ${IMPORT_OUTPUTS.signoffJson} written with the plan (default: beside the plan)`,
    })
    .option('yes', {
      type: 'boolean',
      default: false,
      describe: 'Send the calls (without it: list them, change nothing)',
    })
    .option('log', {
      type: 'string',
      requiresArg: true,
      describe: `Apply log (JSON) with --yes (default ${APPLY_LOG_NAME} beside the sign-off)`,
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Overwrite the apply log if it exists',
    })
    .option('base-url', {
      type: 'string',
      describe:
        'Atlas base URL [env MONGODB_ATLAS_BASE_URL]; must be the one the snapshot was collected from',
      group: 'Atlas:',
    })
    .option('auth', {
      choices: ['service-account', 'api-key'] as const,
      describe: `Which ${APPLY_CREDENTIALS.clientId.replace(/_CLIENT_ID$/, '_*')} credentials when both kinds are set (default: service account)`,
      group: 'Atlas:',
    })
    .example(
      '$0 review apply evidence/q3/revocation-plan.json --snapshot q3.json --workbook q3-filled.xlsx',
      'list the calls the Q3 plan would send; change nothing',
    )
    .example(
      '$0 review apply evidence/q3/revocation-plan.json --snapshot q3.json --workbook q3-filled.xlsx --yes',
      `send them with the ${APPLY_CREDENTIALS.clientId} / ${APPLY_CREDENTIALS.clientSecret} service account; log in evidence/q3/${APPLY_LOG_NAME}`,
    );
}

function applyCommand(ctx: CliContext) {
  return defineCommand<ApplyArgs>({
    command: 'apply <plan>',
    describe:
      'Carry out a revocation plan against Atlas with write-capable credentials (lists the calls; sends them only with --yes)',
    builder: applyOptions,
    handler: async (argv: ApplyArgs) => {
      const signoffArg = argv.signoff ?? join(dirname(argv.plan), IMPORT_OUTPUTS.signoffJson);
      const keys = await loadEvidenceKeys(argv, ctx);
      const inputs = await readApplyInputs(ctx, argv, signoffArg, keys);
      const { plan } = await bindPlan(inputs, ctx.now());
      const baseUrl = resolveBaseUrl(argv['base-url'], ctx.env);
      checkApplyTarget(inputs.snapshot.snapshot.source, baseUrl.origin, argv.snapshot);
      if (!argv.yes) {
        ctx.stdout(formatDryRun(plan, argv.plan, baseUrl.origin));
        ctx.stderr(
          `review apply: dry run, nothing sent; run again with --yes and the ${APPLY_CREDENTIALS.clientId} / ${APPLY_CREDENTIALS.clientSecret} (or ${APPLY_CREDENTIALS.publicKey} / ${APPLY_CREDENTIALS.privateKey}) credentials\n`,
        );
        ctx.exitCode = ExitCode.ok;
        return;
      }
      checkWriteIdentity(ctx.env);
      const toSend = plan.identities.flatMap((i) => i.calls).filter((c) => !c.candidate);
      const client = toSend.length === 0 ? null : applyClient(argv, ctx.env);
      const logFile = resolve(ctx.cwd, argv.log ?? join(dirname(signoffArg), APPLY_LOG_NAME));
      await checkLogFile(ctx, logFile, [
        ['plan', argv.plan],
        ['--signoff', signoffArg],
        ['--snapshot', argv.snapshot],
        ['--workbook', argv.workbook],
      ]);
      await assertEvidenceWritable(logFile, argv.force);
      const writeLog = (log: ApplyLog, force: boolean) =>
        writeEvidence(logFile, serializeApplyLog(log), 'apply-log', evidenceSigner(keys, ctx.now()), {
          force,
        });
      // Who writes: the client id or public key (never a secret); none when nothing is sent.
      const kind = client?.auth.kind;
      const log = initialLog(plan, {
        tool: TOOL,
        startedAt: ctx.now().toISOString(),
        baseUrl: baseUrl.origin,
        identity: kind === undefined ? null : { auth: kind, id: ctx.env[APPLY_ID_VARIABLE[kind]] ?? '' },
        plan: { file: basename(argv.plan), sha256: sha256Hex(inputs.plan.text) },
        signoff: { file: basename(signoffArg), sha256: sha256Hex(inputs.signoff.text) },
        snapshot: { file: basename(argv.snapshot), sha256: inputs.snapshot.sha256 },
      });
      // The log (and its signature) exists before the first request and is rewritten after every call.
      await writeLog(log, argv.force);
      const finished: ApplyLog = await applyPlan(
        plan,
        log,
        (c) => client!.sendWrite(writeOperations[c.operationId], c.path, c.body),
        {
          now: ctx.now,
          onCall: async (entry, current) => {
            await writeLog(current, true);
            ctx.stdout(formatCallOutcome(entry, current.calls.length));
          },
        },
      );
      await writeLog(finished, true);
      reportApplied(ctx, finished, logFile, keys, client?.options.credentialHint);
    },
  });
}

/** The apply identity's id variable per auth kind (logged: an id, never a secret). */
const APPLY_ID_VARIABLE = {
  'service-account': APPLY_CREDENTIALS.clientId,
  'api-key': APPLY_CREDENTIALS.publicKey,
} as const;

/**
 * Reads the evidence `review apply` binds. With a key, the plan, the sign-off, the snapshot and a
 * campaign's campaign.json must each carry a valid signature; the workbook (or the campaign's
 * workbooks) is bound by the sha256 the (signed) sign-off records.
 */
async function readApplyInputs(
  ctx: CliContext,
  argv: ApplyArgs,
  signoffArg: string,
  keys: EvidenceKeys,
): Promise<ApplyInputs> {
  const planText = (await readEvidence(resolve(ctx.cwd, argv.plan), 'plan', keys, argv.plan)).text;
  const signoffText = (await readEvidence(resolve(ctx.cwd, signoffArg), 'signoff', keys, signoffArg)).text;
  const snapshot = await readSnapshot(resolve(ctx.cwd, argv.snapshot), keys);
  if (argv.campaign !== undefined) {
    const campaign = await readCampaignFile(ctx, argv.campaign, keys);
    return {
      plan: { file: argv.plan, text: planText },
      signoff: { file: signoffArg, text: signoffText },
      snapshot: { file: argv.snapshot, sha256: snapshot.sha256, snapshot: snapshot.snapshot },
      workbook: {
        file: argv.workbook,
        readFile: folderReader(resolve(ctx.cwd, argv.workbook), argv.workbook),
      },
      campaign: { file: argv.campaign, text: campaign.text },
    };
  }
  // Size caps before the workbook is read or loaded, as for review import (src/review/xlsx-package.ts).
  const bytes = await readInputBytes(
    resolve(ctx.cwd, argv.workbook),
    argv.workbook,
    WORKBOOK_LIMITS.maxFileBytes,
  );
  return {
    plan: { file: argv.plan, text: planText },
    signoff: { file: signoffArg, text: signoffText },
    snapshot: { file: argv.snapshot, sha256: snapshot.sha256, snapshot: snapshot.snapshot },
    workbook: { file: argv.workbook, bytes },
  };
}

/** The write identity: its own variables, never the collector's read-only one. */
function checkWriteIdentity(env: CliContext['env']): void {
  for (const [apply, collect] of [
    [APPLY_CREDENTIALS.clientId, COLLECTOR_CREDENTIALS.clientId],
    [APPLY_CREDENTIALS.publicKey, COLLECTOR_CREDENTIALS.publicKey],
  ] as const)
    if (env[apply] && env[apply] === env[collect])
      throw new UsageError(
        `${apply} names the same identity as ${collect} (the collector's): give review apply its own write-capable identity and keep the collector read-only`,
      );
}

/** The write client: one call at a time, with the apply credentials. */
function applyClient(argv: ApplyArgs, env: CliContext['env']) {
  return buildClient(
    {
      'base-url': argv['base-url'],
      auth: argv.auth,
      api: 'atlas-v2',
      concurrency: 1,
      'timeout-ms': argv['timeout-ms'],
      'max-retries': argv['max-retries'],
    },
    env,
    undefined,
    APPLY_CREDENTIALS,
  );
}

/** The log never replaces the evidence it is checked against, even with --force. */
async function checkLogFile(
  ctx: CliContext,
  logFile: string,
  inputs: ReadonlyArray<readonly [string, string]>,
): Promise<void> {
  for (const [what, file] of inputs)
    if (await sameFile(logFile, resolve(ctx.cwd, file)))
      throw new UsageError(`--log would overwrite the ${what} input file ${file}`, {
        hint: 'write the apply log to another file',
      });
}

/** Prints the candidates, the failures and the summary of a finished run, and sets the exit code. */
function reportApplied(
  ctx: CliContext,
  finished: ApplyLog,
  logFile: string,
  keys: EvidenceKeys,
  credentialHint: string | undefined,
): void {
  for (const c of finished.calls.filter((x) => x.candidate))
    ctx.stdout(formatCallOutcome(c, finished.calls.length));
  const failed = finished.calls.filter((c) => c.outcome === 'failed');
  for (const line of formatFailures(finished)) ctx.stderr(line);
  if (failed.some((c) => c.status === 401) && credentialHint)
    ctx.stderr(`hint: ${credentialHint} (the write-capable identity of review apply)\n`);
  ctx.stdout(signedLine(logFile, keys));
  const s = finished.summary;
  ctx.stderr(
    `review apply: ${s.done} done, ${s.alreadyDone} already done, ${s.failed} failed, ${s.skipped} skipped of ${s.calls} call(s); log ${logFile}${failed.length > 0 ? ' (exit 3)' : ''}\n`,
  );
  ctx.exitCode = failed.length > 0 ? ExitCode.api : ExitCode.ok;
}

/** `review import|verify|apply`: read reviewer decisions back, sign off, and check revocations later. */
export const reviewCommand: CommandFactory = (ctx) =>
  defineCommand<Record<string, never>>({
    command: 'review <command>',
    describe:
      'Read back a filled review workbook (sign-off + revocation plan), apply the plan, verify revocations later',
    builder: (y: Argv) =>
      y
        .command(importCommand(ctx))
        .command(mergeCommand(ctx))
        .command(statusCommand(ctx))
        .command(remindCommand(ctx))
        .command(verifyCommand(ctx))
        .command(applyCommand(ctx))
        .demandCommand(1),
    handler: async () => {},
  });
