import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { failOnSchema, presetSettingText } from '../audit/policy.js';
import type { AuditResult } from '../audit/types.js';
import { crossOrgWaivers } from '../audit/waivers.js';
import type { FailOn } from '../domain/severity.js';
import { UsageError } from '../errors.js';
import type { AuditFileOptions } from '../input/audit-inputs.js';
import { sameFile } from '../util/files.js';
import { terminalSafe } from '../util/terminal.js';
import type { CliContext } from './context.js';
import { keyFileInputs, type SigningKeyArgs, type VerifyKeyArgs, verifyKeyOption } from './evidence-keys.js';
import { frameworkOption } from './framework-option.js';

/** Parsed values of the options `auditOptions` declares. */
export interface AuditArgs extends VerifyKeyArgs {
  rules?: string | undefined;
  policy?: string | undefined;
  waivers?: string | undefined;
  'fail-on'?: FailOn | undefined;
  baseline?: string | undefined;
  signoff?: string | undefined;
  roster?: string | undefined;
  framework?: string[] | undefined;
}

/**
 * Declares --rules, --policy, --waivers, --fail-on, --baseline, --signoff, --roster, --framework and
 * --verify-key (shared by audit, report, email, run).
 */
export function auditOptions<T>(y: Argv<T>): Argv<T & AuditArgs> {
  return frameworkOption(verifyKeyOption(y))
    .option('rules', {
      type: 'string',
      describe: 'Folder of rule files (default: the built-in catalogue)',
      requiresArg: true,
    })
    .option('policy', {
      type: 'string',
      describe:
        'Policy file (JSON or YAML): rules on/off, severities, params, allowed email domains, fail-on',
      requiresArg: true,
    })
    .option('waivers', {
      type: 'string',
      describe: 'Waivers file (JSON or YAML): approved, expiring exceptions',
      requiresArg: true,
    })
    .option('fail-on', {
      choices: failOnSchema.options,
      describe:
        'Lowest severity of an unwaived finding that fails the run with exit 1 (default: policy, else low)',
      requiresArg: true,
    })
    .option('baseline', {
      type: 'string',
      describe: 'Earlier `audit --format json` output; only findings not in it fail the gate',
      requiresArg: true,
    })
    .option('signoff', {
      type: 'string',
      describe:
        'signoff.json from `review import` of an earlier snapshot: every Revoke not carried out is a finding',
      requiresArg: true,
    })
    .option('roster', {
      type: 'string',
      describe:
        'HR / identity-provider roster (CSV or JSON export): leavers, contractors past their end date, unknown identities; columns per the policy `roster` section',
      requiresArg: true,
    }) as unknown as Argv<T & AuditArgs>;
}

/** Maps parsed `auditOptions` values to AuditFileOptions. */
export function auditFileOptions(snapshotFile: string, args: AuditArgs, cwd?: string): AuditFileOptions {
  // Paths on the command line are relative to the caller's working directory (ctx.cwd in tests).
  const at = (p: string | undefined) => (p === undefined || cwd === undefined ? p : resolve(cwd, p));
  return {
    snapshotFile: at(snapshotFile)!,
    rulesDir: at(args.rules),
    policyFile: at(args.policy),
    waiversFile: at(args.waivers),
    baselineFile: at(args.baseline),
    signoffFile: at(args.signoff),
    rosterFile: at(args.roster),
    failOn: args['fail-on'],
    frameworks: args.framework,
  };
}

/**
 * With `--framework`: says (stderr) which framework set which rule param, or that the policy file or
 * a stricter default kept it, so a threshold never moves unseen.
 */
export function noteFrameworkSettings(audit: AuditResult, ctx: Pick<CliContext, 'stderr'>): void {
  const fw = audit.frameworks;
  if (!fw || fw.selected.length === 0) return;
  ctx.stderr(`framework: ${fw.selected.join(', ')}\n`);
  for (const s of fw.settings) ctx.stderr(`  ${terminalSafe(presetSettingText(s))}\n`);
}

/** Warns (stderr) about waivers that applied across organizations: scope them with `orgId`. */
export function warnCrossOrgWaivers(audit: AuditResult, ctx: Pick<CliContext, 'stderr'>): void {
  for (const { waiver, orgIds } of crossOrgWaivers(audit.waivers)) {
    ctx.stderr(
      `warning: waiver for ${waiver.ruleId} / "${waiver.subject}" applied in ${orgIds.length} organizations (${orgIds.join(', ')}); add orgId to limit it to one\n`,
    );
  }
}

/**
 * Refuses (exit 2) an output that would overwrite one of the command's input files: `report s.json
 * --json s.json --force` once replaced its own evidence, and `--html signing-key.pem --force` would
 * have replaced the private key. `outputs` are absolute paths with the option that names each; inputs
 * are the snapshot, the audit options' files and the key files, relative to the working directory.
 */
export async function assertOutputsAreNotInputs(
  outputs: ReadonlyArray<{ path: string; option: string }>,
  inputs: { snapshot?: string | undefined; previous?: string | undefined } & AuditArgs & SigningKeyArgs,
  ctx: Pick<CliContext, 'cwd' | 'env'>,
): Promise<void> {
  await assertNotInputs(
    outputs,
    [
      ['snapshot', inputs.snapshot],
      ['--previous', inputs.previous],
      ['--policy', inputs.policy],
      ['--waivers', inputs.waivers],
      ['--baseline', inputs.baseline],
      ['--signoff', inputs.signoff],
      ['--roster', inputs.roster],
      ...keyFileInputs(inputs, ctx.env),
    ],
    ctx.cwd,
  );
}

/**
 * Refuses (exit 2) an output that is one of `inputs` (what names it, and the file relative to `cwd`),
 * under any spelling (`./a`, `b/../a`, a link): with `--force` it would replace the evidence it was
 * made from (`diff q3.json q4.json --output q4.json`).
 */
export async function assertNotInputs(
  outputs: ReadonlyArray<{ path: string; option: string }>,
  inputs: ReadonlyArray<readonly [string, string | undefined]>,
  cwd: string,
): Promise<void> {
  for (const out of outputs)
    for (const [what, file] of inputs)
      if (file !== undefined && (await sameFile(out.path, resolve(cwd, file))))
        throw new UsageError(`${out.option} would overwrite the ${what} input file ${file}`, {
          hint: 'write the output to another file',
        });
}
