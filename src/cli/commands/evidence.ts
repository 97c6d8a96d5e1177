import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import * as z from 'zod';
import { failOnSchema } from '../../audit/policy.js';
import { parseCampaign } from '../../campaign/campaign.js';
import type { FailOn } from '../../domain/severity.js';
import { ExitCode, InputError, KnownError, UsageError } from '../../errors.js';
import {
  EVIDENCE_KIND_TEXT,
  EVIDENCE_KINDS,
  type EvidenceKind,
  generateEvidenceKeyPair,
  NO_KEYS,
  SIGNATURE_SUFFIX,
  type SigningKey,
  type VerifyKey,
} from '../../evidence/signature.js';
import { evidenceEntries, MAX_SIGNATURE_BYTES, readEvidence, signaturePath } from '../../evidence/store.js';
import { auditFromFiles } from '../../input/audit-inputs.js';
import { buildPack } from '../../pack/build.js';
import { readPackSources } from '../../pack/read-inputs.js';
import { verifyPack } from '../../pack/verify.js';
import { PACK_LIMITS } from '../../pack/zip.js';
import { parseSnapshot, sha256Hex } from '../../snapshot/store.js';
import {
  assertWritable,
  readInputBytes,
  sameFile,
  writeFileAtomic,
  writeFilesAtomic,
} from '../../util/files.js';
import { terminalSafe } from '../../util/terminal.js';
import { parseJsonText, parseWithSchema } from '../../util/validate.js';
import { TOOL } from '../../version.js';
import { auditFileOptions } from '../audit-options.js';
import type { CliContext } from '../context.js';
import {
  EVIDENCE_ENV,
  evidenceSigner,
  loadEvidenceKeys,
  type SigningKeyArgs,
  signedLine,
  signingKeyOption,
  type VerifyKeyArgs,
  verifyKeyOption,
} from '../evidence-keys.js';
import { frameworkOption } from '../framework-option.js';
import { type CommandFactory, defineCommand } from './define.js';

/** Files `evidence keygen` writes into --out-dir. */
const KEY_FILES = { signing: 'signing-key.pem', verify: 'verify-key.pem' } as const;

interface KeygenArgs {
  'out-dir': string;
  force: boolean;
}

function keygenCommand(ctx: CliContext) {
  return defineCommand<KeygenArgs>({
    command: 'keygen',
    describe: `Write a new Ed25519 key pair: ${KEY_FILES.signing} (private, mode 600) and ${KEY_FILES.verify} (public)`,
    builder: (y: Argv) =>
      y
        .option('out-dir', {
          type: 'string',
          demandOption: true,
          requiresArg: true,
          describe: `Folder for ${KEY_FILES.signing} and ${KEY_FILES.verify}`,
        })
        .option('force', { type: 'boolean', default: false, describe: 'Replace key files that exist' })
        .example('$0 evidence keygen --out-dir keys', 'a key pair for signing the evidence'),
    handler: async (argv: KeygenArgs) => {
      const dir = resolve(ctx.cwd, argv['out-dir']);
      const signing = resolve(dir, KEY_FILES.signing);
      const verify = resolve(dir, KEY_FILES.verify);
      // Replacing a signing key makes everything signed with it unverifiable with the new one: only
      // with --force.
      for (const path of [signing, verify]) await assertWritable(path, argv.force);
      const pair = generateEvidenceKeyPair();
      // Both or neither; every file the tool writes is created with mode 600 (src/util/files.ts), but
      // the public key, meant to be handed out: 644, set as it is written (a chmod of verify-key.pem
      // afterwards would follow a link swapped in for it, to the private key).
      await writeFilesAtomic(
        [
          { path: verify, data: pair.publicPem, mode: 0o644 },
          { path: signing, data: pair.privatePem },
        ],
        { force: argv.force },
      );
      ctx.stdout(
        [
          `wrote ${signing} (private key, mode 600): keep it secret; sign with --signing-key ${argv['out-dir']}/${KEY_FILES.signing} or ${EVIDENCE_ENV.signingKeyFile}`,
          `wrote ${verify} (public key): whoever checks the evidence gives it with --verify-key or ${EVIDENCE_ENV.verifyKey}`,
          `key fingerprint ${pair.fingerprint}`,
          '',
        ].join('\n'),
      );
      ctx.exitCode = ExitCode.ok;
    },
  });
}

interface VerifyArgs extends VerifyKeyArgs {
  files: string[];
  kind?: EvidenceKind | undefined;
}

function verifyCommand(ctx: CliContext) {
  return defineCommand<VerifyArgs>({
    command: 'verify <files..>',
    describe:
      'Check the signatures (FILE.sig) of evidence files: snapshots, sign-offs, revocation plans, campaign records, apply logs',
    builder: (y: Argv) =>
      verifyKeyOption(y)
        .alias('verify-key', 'key')
        .positional('files', {
          type: 'string',
          array: true,
          demandOption: true,
          describe:
            'Evidence files, each checked against FILE.sig beside it; or evidence packs (.zip from `evidence pack`), checked against their sealed manifest',
        })
        .option('kind', {
          choices: EVIDENCE_KINDS,
          describe: 'Accept the files only as this kind of evidence (default: the kind each signature names)',
        })
        .example('$0 evidence verify q4.json --verify-key keys/verify-key.pem', 'check a signed snapshot')
        .example(
          '$0 evidence verify evidence/signoff.json evidence/revocation-plan.json --verify-key keys/verify-key.pem',
          "check a quarter's sign-off and plan",
        )
        .example(
          '$0 evidence verify review-2026Q4.zip --key keys/verify-key.pem',
          'check an evidence pack: every hash, the seal and the review chain (exit 1 names each mismatch)',
        ),
    handler: async (argv: VerifyArgs) => {
      const keys = await loadEvidenceKeys(argv, ctx);
      const isPack = (f: string) => f.toLowerCase().endsWith('.zip');
      if (keys.verify.length === 0 && !argv.files.every(isPack))
        throw new UsageError('no verify key configured: nothing to check the signatures against', {
          hint: `give the public key with --verify-key <file> or ${EVIDENCE_ENV.verifyKey}`,
        });
      let failed = 0;
      let mismatched = 0;
      for (const file of argv.files) {
        const path = resolve(ctx.cwd, file);
        try {
          if (isPack(file)) {
            if (!(await verifyPackFile(path, file, keys.verify, ctx))) mismatched += 1;
            continue;
          }
          const kind = argv.kind ?? (await claimedKind(path, file));
          const { check } = await readEvidence(path, kind, keys, file);
          ctx.stdout(
            `ok ${terminalSafe(file)}: ${EVIDENCE_KIND_TEXT[kind]} signed by ${check.signature!.fingerprint} at ${check.signature!.signedAt}\n`,
          );
        } catch (error) {
          if (!(error instanceof KnownError)) throw error;
          failed += 1;
          ctx.stderr(`FAILED ${terminalSafe(error.message)}\n`);
        }
      }
      if (failed > 0)
        ctx.stderr(`evidence verify: ${failed} of ${argv.files.length} file(s) refused (exit 2)\n`);
      else if (mismatched > 0)
        ctx.stderr(
          `evidence verify: ${mismatched} of ${argv.files.length} pack(s) do not match their manifest (exit 1)\n`,
        );
      ctx.exitCode = failed > 0 ? ExitCode.usage : mismatched > 0 ? ExitCode.violations : ExitCode.ok;
    },
  });
}

/** The records `evidence sign` signs after the fact, each validated as that kind first. */
const SIGNABLE = {
  snapshot: (text: string, file: string) => void parseSnapshot(text, file),
  campaign: (text: string, file: string) => void parseCampaign(text, file),
} as const satisfies Partial<Record<EvidenceKind, (text: string, file: string) => void>>;

interface SignArgs extends SigningKeyArgs {
  file: string;
  kind: keyof typeof SIGNABLE;
  force: boolean;
}

/**
 * `evidence sign <file> --kind snapshot|campaign`: signs a record written before a signing key was
 * configured (a snapshot collected without one, a campaign split before campaign.json was signed), so
 * that commands under a verify key accept it. The file is validated as that kind first; the signature
 * says when it was signed (`signedAt`), which an auditor can hold against the record's own dates.
 * Sign-offs, plans and apply logs are signed as they are written, never after.
 */
function signCommand(ctx: CliContext) {
  return defineCommand<SignArgs>({
    command: 'sign <file>',
    describe:
      'Sign a snapshot or a campaign.json written before a signing key was configured (FILE.sig beside it)',
    builder: (y: Argv) =>
      signingKeyOption(y)
        .positional('file', { type: 'string', demandOption: true, describe: 'The record to sign' })
        .option('kind', {
          choices: Object.keys(SIGNABLE) as Array<keyof typeof SIGNABLE>,
          demandOption: true,
          describe: 'What the file is: it is validated as that before it is signed',
        })
        .option('force', { type: 'boolean', default: false, describe: 'Replace a signature that exists' })
        .example(
          '$0 evidence sign campaign/campaign.json --kind campaign --signing-key keys/signing-key.pem',
          'a campaign split before campaign.json was signed, for review merge under a verify key',
        ),
    handler: async (argv: SignArgs) => {
      const keys = await loadEvidenceKeys(argv, ctx);
      if (!keys.signing)
        throw new UsageError('nothing to sign with: no signing key configured', {
          hint: `give the private key with --signing-key <file>, ${EVIDENCE_ENV.signingKey} or ${EVIDENCE_ENV.signingKeyFile}`,
        });
      const path = resolve(ctx.cwd, argv.file);
      await assertWritable(signaturePath(path), argv.force);
      const { bytes, text } = await readEvidence(path, argv.kind, NO_KEYS, argv.file);
      SIGNABLE[argv.kind](text, argv.file);
      // The bytes read are the bytes signed (the file is not rewritten): the signature entry alone.
      const [sig] = evidenceEntries(path, bytes, argv.kind, evidenceSigner(keys, ctx.now()));
      await writeFileAtomic(sig!.path, sig!.data!, { force: argv.force });
      ctx.stdout(signedLine(argv.file, keys));
      ctx.exitCode = ExitCode.ok;
    },
  });
}

/**
 * Verifies one evidence pack and prints what held and what did not; false when anything did not
 * (exit 1). A zip or manifest that cannot be read throws an InputError (exit 2).
 */
async function verifyPackFile(
  path: string,
  shown: string,
  trusted: readonly VerifyKey[],
  ctx: CliContext,
): Promise<boolean> {
  const bytes = await readInputBytes(path, shown, PACK_LIMITS.zipBytes);
  const r = verifyPack(bytes, shown, trusted);
  const name = terminalSafe(shown);
  if (r.problems.length > 0) {
    ctx.stderr(`FAILED ${name}: ${r.problems.length} mismatch(es):\n`);
    for (const p of r.problems) ctx.stderr(`  - ${terminalSafe(p)}\n`);
    return false;
  }
  const by = r.seal.trustedKey
    ? `sealed by ${r.seal.signedBy} (a given verify key)`
    : `sealed by ${r.seal.signedBy}, the key recorded in the pack: give --verify-key to check who sealed it`;
  ctx.stdout(
    `ok ${name}: evidence pack, ${r.filesChecked} file(s) match the manifest; ${by}; chain: ${r.chain.ok} link(s) hold\n`,
  );
  for (const s of r.signatures)
    ctx.stdout(
      `  ${terminalSafe(s.file)}: ${EVIDENCE_KIND_TEXT[s.kind]} signed by ${s.fingerprint} at ${terminalSafe(s.signedAt)}${s.trustedKey ? ' (a given verify key)' : ', the key its signature records'}\n`,
    );
  for (const u of r.unsigned)
    ctx.stdout(
      `  ${terminalSafe(u.file)}: ${EVIDENCE_KIND_TEXT[u.kind]}, not signed (the pack holds no ${terminalSafe(u.file)}${SIGNATURE_SUFFIX})\n`,
    );
  for (const u of r.chain.unchecked) ctx.stdout(`  not checked: ${terminalSafe(u)}\n`);
  return true;
}

/** Only the kind of a signature file; the whole file is checked by readEvidence. */
const claimSchema = z.object({ kind: z.enum(EVIDENCE_KINDS) });

/**
 * The kind a signature file names (the signature covers it, so a changed kind does not verify); an
 * InputError when the file has no signature.
 */
async function claimedKind(path: string, file: string): Promise<EvidenceKind> {
  const sigShown = signaturePath(file);
  let text: string;
  try {
    text = Buffer.from(await readInputBytes(signaturePath(path), sigShown, MAX_SIGNATURE_BYTES)).toString(
      'utf8',
    );
  } catch (error) {
    if (error instanceof InputError && error.problem === 'file not found')
      throw new InputError(file, '$', `is not signed (no ${sigShown})`);
    throw error;
  }
  return parseWithSchema(claimSchema, parseJsonText(text, sigShown), sigShown).kind;
}

/** `evidence keygen|verify|pack`: the keys that sign evidence files, and checking those signatures. */
export const evidenceCommand: CommandFactory = (ctx) =>
  defineCommand<Record<string, never>>({
    command: 'evidence <command>',
    describe:
      'Sign evidence: make a signing key pair, sign or check evidence files, pack and verify a review cycle',
    builder: (y: Argv) =>
      y
        .command(keygenCommand(ctx))
        .command(signCommand(ctx))
        .command(verifyCommand(ctx))
        .command(packCommand(ctx))
        .demandCommand(1),
    handler: async () => {},
  });

/** The `evidence pack` options that name input files, in the order the manifest records them. */
const PACK_INPUTS = [
  ['snapshot', 'The snapshot that was reviewed (audited again for the verdict and the control matrix)'],
  ['report-dir', 'Folder of the reports made from it (every file in it is packed under report/)'],
  ['signoff', 'signoff.json from `review import` or `review merge`'],
  [
    'workbook',
    'The filled workbook the sign-off was imported from; with --campaign, the folder of the returned campaign workbooks',
  ],
  [
    'campaign',
    'campaign.json of the review campaign the sign-off was merged from (with --workbook <folder>)',
  ],
  ['plan', 'revocation-plan.json from `review import`'],
  ['apply-log', 'apply-log.json from `review apply --yes`'],
  ['verify', 'The `review verify --format json` output of the next quarter'],
  ['next-snapshot', 'The later snapshot that verify result checked'],
  ['previous', "The previous review's snapshot"],
  ['roster', 'The HR roster the review was compared with'],
  ['policy', 'Policy file the audit used'],
  ['waivers', 'Waivers file the audit used'],
  ['rules', 'Folder of rule files the audit used (default: the built-in catalogue, not packed)'],
] as const;

type PackInputOption = (typeof PACK_INPUTS)[number][0];

export type PackArgs = { [K in PackInputOption]?: string | undefined } & SigningKeyArgs & {
    out: string;
    'fail-on'?: FailOn | undefined;
    /** `--framework` ids the packed audit is held to. */
    framework?: string[] | undefined;
    force: boolean;
  };

/** The pack command's own argv, rebuilt from its options in a fixed order (paths and flags only: no secret; no --force). */
function packArgv(argv: PackArgs): string[] {
  const out = ['evidence', 'pack', '--out', argv.out];
  for (const [name] of PACK_INPUTS) {
    const v = argv[name];
    if (v !== undefined) out.push(`--${name}`, v);
  }
  if (argv['fail-on'] !== undefined) out.push('--fail-on', argv['fail-on']);
  for (const f of argv.framework ?? []) out.push('--framework', f);
  if (argv['signing-key'] !== undefined) out.push('--signing-key', argv['signing-key']);
  // --force is left out: it changes whether a file may be replaced, not what is packed, and a pack
  // made again over the first must be byte-identical to it.
  return out;
}

/** Refuses (before anything is read or collected) a pack that cannot be sealed or written. */
export async function preparePack(
  args: { out: string; force: boolean; 'signing-key'?: string | undefined },
  ctx: CliContext,
): Promise<SigningKey> {
  await assertWritable(resolve(ctx.cwd, args.out), args.force);
  const keys = await loadEvidenceKeys({ 'signing-key': args['signing-key'] }, ctx);
  if (!keys.signing)
    throw new UsageError('an evidence pack is sealed: no signing key configured', {
      hint: `give the private key with --signing-key <file>, ${EVIDENCE_ENV.signingKey} or ${EVIDENCE_ENV.signingKeyFile} (\`evidence keygen\` makes one)`,
    });
  return keys.signing;
}

/**
 * Packs one review cycle into `args.out`: audits the snapshot (as of its collection, so the verdict does
 * not depend on the day it is packed), reads every file, and writes the sealed zip. `command` is what
 * the manifest records as the command that made the pack.
 */
export async function packEvidence(
  args: PackArgs & {
    reportFiles?: readonly string[] | undefined;
    campaignFiles?: readonly string[] | undefined;
  },
  command: readonly string[],
  ctx: CliContext,
): Promise<void> {
  const key = await preparePack(args, ctx);
  if (!args.snapshot) throw new UsageError('--snapshot is required');
  const out = resolve(ctx.cwd, args.out);
  for (const [name] of PACK_INPUTS) {
    const v = args[name];
    if (v !== undefined && (await sameFile(out, resolve(ctx.cwd, v))))
      throw new UsageError(`--out ${args.out} would overwrite the --${name} input`);
  }
  const sources = await readPackSources(
    {
      snapshot: args.snapshot,
      reportDir: args['report-dir'],
      reportFiles: args.reportFiles,
      campaignFiles: args.campaignFiles,
      signoff: args.signoff,
      workbook: args.workbook,
      campaign: args.campaign,
      plan: args.plan,
      applyLog: args['apply-log'],
      verify: args.verify,
      nextSnapshot: args['next-snapshot'],
      previous: args.previous,
      roster: args.roster,
      policy: args.policy,
      waivers: args.waivers,
      rules: args.rules,
    },
    ctx.cwd,
  );
  // Every file packed, not only those named by an option: a signature beside an input, a report in
  // --report-dir. With --force the pack would replace the evidence it holds a copy of.
  for (const s of sources)
    if (await sameFile(out, resolve(ctx.cwd, s.source)))
      throw new UsageError(`--out ${args.out} would overwrite ${s.source}, a file it packs`, {
        hint: 'write the pack outside the folders it packs',
      });
  const packed = sources.find((s) => s.role === 'snapshot')!;
  const snapshot = parseSnapshot(Buffer.from(packed.bytes).toString('utf8'), args.snapshot);
  // The sign-off is packed, not audited: --signoff of the audit checks a later snapshot against it.
  // The roster is audited with, as the review was: its rules' findings are in the verdict and controls.
  const auditArgs = {
    rules: args.rules,
    policy: args.policy,
    waivers: args.waivers,
    roster: args.roster,
    'fail-on': args['fail-on'],
    framework: args.framework,
  };
  const opts = { ...auditFileOptions(args.snapshot, auditArgs, ctx.cwd), keys: NO_KEYS };
  const { loaded, audit } = await auditFromFiles(opts, new Date(snapshot.collectedAt));
  if (loaded.sha256 !== sha256Hex(packed.bytes))
    throw new InputError(args.snapshot, '$', 'changed while it was being packed; nothing was written');
  const { zip, manifest } = buildPack({ files: sources, snapshot, audit, command, tool: TOOL, key });
  // Checked as `evidence verify` checks it, before it is written: a packed signature that does not
  // verify (forged, of other bytes, by a degenerate key) or that contradicts the signer the sign-off
  // recorded is refused now, with or without a verify key, not found later by the auditor.
  const problems = verifyPack(zip, args.out, []).problems;
  if (problems.length > 0)
    throw new UsageError(`cannot pack: ${problems.map(terminalSafe).join('; ')}; nothing was written`, {
      hint: 'pack the evidence files with the signatures written with them',
    });
  await writeFileAtomic(out, zip, { force: args.force });
  const v = manifest.verdict;
  const unchecked = manifest.chain.filter((c) => c.status === 'unchecked').length;
  ctx.stdout(
    `wrote ${terminalSafe(args.out)} (evidence pack: ${manifest.files.length} file(s), sha256 ${sha256Hex(zip)}, sealed with ${key.fingerprint})\n` +
      `  verdict ${v.gateFailed ? 'FAIL' : 'PASS'} (fail-on ${v.failOn}): ${v.findings} finding(s), ${v.open} open, ${v.waived} waived; ` +
      `controls: ${Object.entries(v.controls)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ')}; chain: ${manifest.chain.length - unchecked} link(s) hold, ${unchecked} not checkable\n`,
  );
}

function packCommand(ctx: CliContext) {
  return defineCommand<PackArgs>({
    command: 'pack',
    describe:
      'Pack one review cycle into a sealed zip: the files, manifest.json (hashes, provenance, completeness), controls.csv, index.html',
    builder: (y: Argv) => {
      let b = signingKeyOption(y).alias('signing-key', 'key');
      b = b.option('out', {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'The zip to write',
      });
      for (const [name, describe] of PACK_INPUTS)
        b = b.option(name, {
          type: 'string',
          requiresArg: true,
          describe,
          demandOption: name === 'snapshot',
        });
      return frameworkOption(b)
        .option('fail-on', {
          choices: failOnSchema.options,
          requiresArg: true,
          describe: 'Severity the verdict is judged at (default: policy, else low)',
        })
        .option('force', { type: 'boolean', default: false, describe: 'Replace --out if it exists' })
        .example(
          '$0 evidence pack --out review-2026Q4.zip --snapshot q4.json --report-dir reports --signoff evidence/signoff.json --plan evidence/revocation-plan.json --key keys/signing-key.pem',
          'one sealed zip for the auditor',
        );
    },
    handler: async (argv: PackArgs) => {
      await packEvidence(argv, packArgv(argv), ctx);
      ctx.exitCode = ExitCode.ok;
    },
  });
}
