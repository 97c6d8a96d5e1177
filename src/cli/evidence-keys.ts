/**
 * The evidence signing options and environment (README "collect", "Security"): which private key signs
 * what a command writes, and which public keys what it reads must be signed by. Loaded once, with the
 * other inputs, before any request or file is written; a key that cannot be used is a UsageError (exit 2).
 *
 * Trusted keys are every `--verify-key` (else `ATLAS_REVIEW_VERIFY_KEY`) plus the signing key's own
 * public key: a holder of the signing key can sign anything anyway. No key at all: nothing is checked
 * and the reports say the evidence is unsigned.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { InputError, UsageError } from '../errors.js';
import {
  type EvidenceKeys,
  parseSigningKey,
  parseVerifyKey,
  type SigningKey,
  uniqueKeys,
  type VerifyKey,
} from '../evidence/signature.js';
import { type EvidenceSigner, signaturePath } from '../evidence/store.js';
import { readInputFile } from '../util/files.js';
import { TOOL } from '../version.js';
import type { CliContext } from './context.js';

/** The environment variables, in one place for messages, docs and tests. */
export const EVIDENCE_ENV = {
  /** The private key itself (PEM). */
  signingKey: 'ATLAS_REVIEW_SIGNING_KEY',
  /** A file holding the private key (PEM). */
  signingKeyFile: 'ATLAS_REVIEW_SIGNING_KEY_FILE',
  /** A trusted public key (PEM, or the raw key in base64 as a signature file records it). */
  verifyKey: 'ATLAS_REVIEW_VERIFY_KEY',
} as const;

const GROUP = 'Evidence signatures:';

/** A key file is a few hundred bytes; anything much larger is not one. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

export interface VerifyKeyArgs {
  /** Repeated options arrive as an array. */
  'verify-key'?: string | string[] | undefined;
}

export interface SigningKeyArgs extends VerifyKeyArgs {
  'signing-key'?: string | undefined;
}

/**
 * The key files a command reads, each with what names it (`--signing-key`, the environment's
 * `..._FILE`, each `--verify-key`): inputs like any other, so no output may be written over one.
 */
export function keyFileInputs(
  args: SigningKeyArgs,
  env: CliContext['env'],
): Array<readonly [string, string | undefined]> {
  const verify = args['verify-key'];
  return [
    ['--signing-key', args['signing-key']],
    [EVIDENCE_ENV.signingKeyFile, env[EVIDENCE_ENV.signingKeyFile] || undefined],
    ...(verify === undefined ? [] : Array.isArray(verify) ? verify : [verify]).map(
      (f) => ['--verify-key', f] as const,
    ),
  ];
}

/** Declares `--verify-key` (every command that reads evidence). */
export function verifyKeyOption<T>(y: Argv<T>): Argv<T & VerifyKeyArgs> {
  return y.option('verify-key', {
    type: 'string',
    requiresArg: true,
    describe: `Public key (PEM) the evidence read must be signed by; repeat to trust several [env ${EVIDENCE_ENV.verifyKey}]. With any key configured, a file without a valid signature is refused`,
    group: GROUP,
  }) as unknown as Argv<T & VerifyKeyArgs>;
}

/** Declares `--signing-key` (every command that writes evidence). */
export function signingKeyOption<T>(y: Argv<T>): Argv<T & SigningKeyArgs> {
  return y.option('signing-key', {
    type: 'string',
    requiresArg: true,
    describe: `Ed25519 private key (PEM file) to sign the evidence written with (FILE.sig beside it) [env ${EVIDENCE_ENV.signingKey}, ${EVIDENCE_ENV.signingKeyFile}]`,
    group: GROUP,
  }) as unknown as Argv<T & SigningKeyArgs>;
}

async function readKeyFile(path: string, what: string, option: string): Promise<string> {
  try {
    const { size } = await stat(path);
    if (size > MAX_KEY_FILE_BYTES) throw new UsageError(`${what} file ${path} (${option}) is not a key file`);
    // Bounded and without blocking: a FIFO or a device in the key's place is refused, never waited on.
    return await readInputFile(path, MAX_KEY_FILE_BYTES);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (error instanceof InputError)
      throw new UsageError(`cannot read the ${what} file ${path} (${option}): ${error.problem}`);
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read the ${what} file ${path} (${option}): ${code === 'ENOENT' ? 'file not found' : (code ?? (error as Error).message)}`,
    );
  }
}

/** A private key readable by others is no longer private: said on every run, not refused. */
async function warnIfShared(path: string, option: string, ctx: Pick<CliContext, 'stderr'>): Promise<void> {
  try {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0)
      ctx.stderr(
        `warning: the signing key file ${path} (${option}) can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it\n`,
      );
  } catch {
    // Read a moment ago; a race here changes nothing about the key already loaded.
  }
}

async function loadSigningKey(
  args: SigningKeyArgs,
  ctx: Pick<CliContext, 'env' | 'cwd' | 'stderr'>,
): Promise<SigningKey | null> {
  const text = ctx.env[EVIDENCE_ENV.signingKey];
  const file = ctx.env[EVIDENCE_ENV.signingKeyFile];
  if (args['signing-key'] !== undefined) {
    const path = resolve(ctx.cwd, args['signing-key']);
    const pem = await readKeyFile(path, 'signing key', '--signing-key');
    const key = parseSigningKey(pem, `${path} (--signing-key)`);
    await warnIfShared(path, '--signing-key', ctx);
    return key;
  }
  if (text && file)
    throw new UsageError(
      `both ${EVIDENCE_ENV.signingKey} and ${EVIDENCE_ENV.signingKeyFile} are set; which key signs is ambiguous`,
      { hint: 'unset one of them' },
    );
  if (text) return parseSigningKey(text, EVIDENCE_ENV.signingKey);
  if (file) {
    const path = resolve(ctx.cwd, file);
    const key = parseSigningKey(
      await readKeyFile(path, 'signing key', EVIDENCE_ENV.signingKeyFile),
      `${path} (${EVIDENCE_ENV.signingKeyFile})`,
    );
    await warnIfShared(path, EVIDENCE_ENV.signingKeyFile, ctx);
    return key;
  }
  return null;
}

async function loadVerifyKeys(
  args: VerifyKeyArgs,
  ctx: Pick<CliContext, 'env' | 'cwd'>,
): Promise<VerifyKey[]> {
  const given = args['verify-key'];
  const files = given === undefined ? [] : Array.isArray(given) ? given : [given];
  if (files.length > 0) {
    const keys: VerifyKey[] = [];
    for (const f of files) {
      const path = resolve(ctx.cwd, f);
      keys.push(
        parseVerifyKey(await readKeyFile(path, 'verify key', '--verify-key'), `${path} (--verify-key)`),
      );
    }
    return keys;
  }
  const text = ctx.env[EVIDENCE_ENV.verifyKey];
  if (!text) return [];
  try {
    return [parseVerifyKey(text, EVIDENCE_ENV.verifyKey)];
  } catch (error) {
    // A path where the key itself belongs is the likely mistake.
    if (error instanceof UsageError && !text.includes('\n') && /\.pem$/i.test(text.trim()))
      throw new UsageError(`${EVIDENCE_ENV.verifyKey} holds a file name, not a key`, {
        hint: `pass the file with --verify-key ${text.trim()}, or put the key's text in ${EVIDENCE_ENV.verifyKey}`,
      });
    throw error;
  }
}

/**
 * Loads the signing key (`--signing-key`, else `ATLAS_REVIEW_SIGNING_KEY` or `..._FILE`) and the
 * trusted public keys. Commands that write no evidence have no `--signing-key` option but still honour
 * the environment: its public key is trusted like a verify key.
 */
export async function loadEvidenceKeys(
  args: SigningKeyArgs,
  ctx: Pick<CliContext, 'env' | 'cwd' | 'stderr'>,
): Promise<EvidenceKeys> {
  const signing = await loadSigningKey(args, ctx);
  const verify = await loadVerifyKeys(args, ctx);
  return {
    signing,
    verify: uniqueKeys([
      ...verify,
      ...(signing ? [{ publicKey: signing.publicKey, fingerprint: signing.fingerprint }] : []),
    ]),
  };
}

/** Who signs what a command writes now (null without a signing key). */
export function evidenceSigner(keys: EvidenceKeys, now: Date): EvidenceSigner | null {
  return keys.signing ? { key: keys.signing, signedAt: now, tool: TOOL } : null;
}

/** The line a command prints for evidence it signed: where the signature is, and the key's fingerprint. */
export function signedLine(file: string, keys: EvidenceKeys): string {
  return keys.signing ? `signed ${signaturePath(file)} with key ${keys.signing.fingerprint}\n` : '';
}
