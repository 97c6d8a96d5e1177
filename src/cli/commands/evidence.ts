import { chmod } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { z } from 'zod';
import { ExitCode, InputError, KnownError, UsageError } from '../../errors.js';
import {
  EVIDENCE_KIND_TEXT,
  EVIDENCE_KINDS,
  type EvidenceKind,
  generateEvidenceKeyPair,
} from '../../evidence/signature.js';
import { readEvidence, signaturePath } from '../../evidence/store.js';
import { assertWritable, readInputFile, writeFilesAtomic } from '../../util/files.js';
import { terminalSafe } from '../../util/terminal.js';
import { parseJsonText, parseWithSchema } from '../../util/validate.js';
import type { CliContext } from '../context.js';
import { EVIDENCE_ENV, loadEvidenceKeys, type VerifyKeyArgs, verifyKeyOption } from '../evidence-keys.js';
import { type CommandFactory, defineCommand } from './define.js';

/** Files `evidence keygen` writes into --out-dir. */
export const KEY_FILES = { signing: 'signing-key.pem', verify: 'verify-key.pem' } as const;

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
      // Both or neither; every file the tool writes is created with mode 600 (src/util/files.ts).
      await writeFilesAtomic(
        [
          { path: verify, data: pair.publicPem },
          { path: signing, data: pair.privatePem },
        ],
        { force: argv.force },
      );
      // The public key is meant to be handed out.
      await chmod(verify, 0o644);
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
      'Check the signatures (FILE.sig) of evidence files: snapshots, sign-offs, revocation plans, apply logs',
    builder: (y: Argv) =>
      verifyKeyOption(y)
        .positional('files', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'Evidence files; each is checked against FILE.sig beside it',
        })
        .option('kind', {
          choices: EVIDENCE_KINDS,
          describe: 'Accept the files only as this kind of evidence (default: the kind each signature names)',
        })
        .example('$0 evidence verify q4.json --verify-key keys/verify-key.pem', 'check a signed snapshot')
        .example(
          '$0 evidence verify evidence/signoff.json evidence/revocation-plan.json --verify-key keys/verify-key.pem',
          "check a quarter's sign-off and plan",
        ),
    handler: async (argv: VerifyArgs) => {
      const keys = await loadEvidenceKeys(argv, ctx);
      if (keys.verify.length === 0)
        throw new UsageError('no verify key configured: nothing to check the signatures against', {
          hint: `give the public key with --verify-key <file> or ${EVIDENCE_ENV.verifyKey}`,
        });
      let failed = 0;
      for (const file of argv.files) {
        const path = resolve(ctx.cwd, file);
        try {
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
      ctx.exitCode = failed > 0 ? ExitCode.usage : ExitCode.ok;
    },
  });
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
    text = await readInputFile(signaturePath(path));
  } catch (error) {
    if (error instanceof InputError && error.problem === 'file not found')
      throw new InputError(file, '$', `is not signed (no ${sigShown})`);
    throw error;
  }
  return parseWithSchema(claimSchema, parseJsonText(text, sigShown), sigShown).kind;
}

/** `evidence keygen|verify`: the keys that sign evidence files, and checking those signatures. */
export const evidenceCommand: CommandFactory = (ctx) =>
  defineCommand<Record<string, never>>({
    command: 'evidence <command>',
    describe: 'Sign evidence: make a signing key pair, check the signatures of evidence files',
    builder: (y: Argv) => y.command(keygenCommand(ctx)).command(verifyCommand(ctx)).demandCommand(1),
    handler: async () => {},
  });
