import * as z from 'zod';
import { DEFAULT_POLICY, type Policy, policySchema, resolveRules } from '../audit/policy.js';
import { auditSnapshot, type Baseline, type ExtraFindings } from '../audit/run.js';
import type { AuditResult, Waiver } from '../audit/types.js';
import { parseWaivers } from '../audit/waivers.js';
import type { FailOn } from '../domain/severity.js';
import { InputError, UsageError } from '../errors.js';
import { type EvidenceCheck, type EvidenceKeys, NO_KEYS } from '../evidence/signature.js';
import { REVIEW_OVERDUE_RULE, type ReviewCadence, reviewCadenceFindings } from '../review/cadence.js';
import { type Signoff, signoffSchema } from '../review/signoff.js';
import { signoffCountProblem } from '../review/signoff-check.js';
import {
  REVIEW_RULE_PARAMS,
  REVIEW_RULES,
  reviewRuleSummaries,
  rubberStampFindings,
  type VerifyResult,
  verifySignoff,
} from '../review/verify.js';
import { parseRoster, type Roster, rosterPolicySchema } from '../roster/roster.js';
import { type FrameworkCatalogue, selectFrameworks } from '../rules/frameworks.js';
import type { LoadedRuleSet } from '../rules/load.js';
import { type LoadedSnapshot, readFingerprinted, readSnapshot, sha256Hex } from '../snapshot/store.js';
import { MAX_TEXT_INPUT_BYTES, readInputBytes, readInputFile } from '../util/files.js';
import { located, type ParsedInput, parseJsonOrYaml, withLocation } from '../util/json-or-yaml.js';
import { formatJsonPath, parseJsonText, parseWithSchema } from '../util/validate.js';

/** The catalogue shipped with the tool. */
// The rules folder reader has its own module, so `rules list` loads neither the audit nor YAML.
import { DEFAULT_RULES_DIR, readFrameworkCatalogues, readRulesDir } from './rules-dir.js';

export { DEFAULT_RULES_DIR, RULE_SCHEMA_FILE, readRulesDir } from './rules-dir.js';

/**
 * Reads and validates a policy file (JSON or YAML); a YAML file's errors name the line and column.
 * `input` locates the problems found later, when the policy meets the rules (src/audit/policy.ts).
 */
export async function readPolicy(file: string): Promise<ReadPolicy> {
  const bytes = await readInputBytes(file, file, MAX_TEXT_INPUT_BYTES);
  const input = parseJsonOrYaml(Buffer.from(bytes).toString('utf8'), file);
  return {
    policy: withLocation(input, file, () => parseWithSchema(policySchema, input.data ?? {}, file)),
    input,
    sha256: sha256Hex(bytes),
  };
}

/** A policy file as read: the policy, its parsed text (to locate later problems) and its bytes' sha256. */
export interface ReadPolicy {
  policy: Policy;
  input: ParsedInput;
  /** Of the exact bytes parsed (a review campaign records it). */
  sha256: string;
}

/**
 * Reads and validates a waivers file (JSON or YAML: `{waivers: [...]}` or the bare list); rule ids must
 * exist in `ruleIds`. A YAML file's errors name the line and column.
 */
export async function readWaivers(file: string, now: Date, ruleIds: ReadonlySet<string>): Promise<Waiver[]> {
  const input = parseJsonOrYaml(await readInputFile(file), file);
  return withLocation(input, file, () => parseWaivers(input.data, file, now, ruleIds));
}

/**
 * A baseline is an earlier `audit --format json` (or `report --json`) output; only the finding keys are
 * read. That JSON is the report model, findings grouped by severity and rule; the JSON `audit` wrote
 * before the one output pipeline listed findings flat, each with its key. Both are read. Built on the
 * first `--baseline` (z.lazy, once).
 */
const baselineSchema = z.lazy(() => {
  const keyed = z.object({ key: z.string().min(1) });
  return z.object({
    findings: z.array(z.union([keyed, z.object({ rules: z.array(z.object({ findings: z.array(keyed) })) })])),
  });
});

async function readBaseline(file: string): Promise<Baseline> {
  const data = parseJsonText(await readInputFile(file), file);
  const doc = parseWithSchema(baselineSchema, data, file);
  const keys = doc.findings.flatMap((f) =>
    'key' in f ? [f.key] : f.rules.flatMap((r) => r.findings.map((x) => x.key)),
  );
  return { file, keys: new Set(keys) };
}

/** A sign-off as read: the record, its exact text and sha256, and its signature check. */
export interface LoadedSignoff {
  signoff: Signoff;
  text: string;
  sha256: string;
  evidence: EvidenceCheck;
}

/**
 * Reads and validates a sign-off record (`review import`'s signoff.json): its signature when a verify
 * key is configured, its schema, and that its counts add up to the actions it lists (an edited record
 * whose Revokes were taken out is refused here). `shown` is the name to give in messages.
 */
export async function readSignoff(
  file: string,
  keys: EvidenceKeys = NO_KEYS,
  shown: string = file,
): Promise<LoadedSignoff> {
  const { text, sha256, check } = await readFingerprinted(file, 'signoff', keys, shown);
  const signoff = parseWithSchema(signoffSchema, parseJsonText(text, shown), shown);
  const problem = signoffCountProblem(signoff);
  if (problem)
    throw new InputError(shown, problem.path, `${problem.problem}; the sign-off does not add up (edited?)`, {
      hint: 'use the signoff.json review import wrote, or run review import again',
    });
  return { signoff, text, sha256, evidence: check };
}

/** Ids of the rules `--signoff` findings use: always accepted in waivers files, reserved in rules folders. */
const REVIEW_RULE_IDS: readonly string[] = [...Object.keys(REVIEW_RULES), REVIEW_OVERDUE_RULE];

/** The strictest review cadence the selected frameworks state, or null when none states one. */
function strictestCadence(selected: readonly FrameworkCatalogue[]): ReviewCadence | null {
  let best: ReviewCadence | null = null;
  for (const c of selected) {
    const r = c.reviewCadence;
    if (r !== null && (best === null || r.maxDays < best.maxDays))
      best = { framework: c.id, reference: `${c.referencePrefix} ${r.control}`, maxDays: r.maxDays };
  }
  return best;
}

/**
 * `review verify` inside the audit: the sign-off's Revokes checked against the audited snapshot become
 * findings (with their rule rows) that join the audit before waivers, baseline and the gate (README, `audit --signoff`).
 * The audited snapshot must be a later one than the signed-off snapshot, as for `review verify`.
 */
export function signoffFindings(
  signoff: Signoff,
  later: Pick<LoadedSnapshot, 'snapshot' | 'sha256' | 'file'>,
  now: Date,
  policy: Policy = DEFAULT_POLICY,
  /** The selected frameworks' review cadence: an older sign-off is a `review-overdue` finding per org. */
  cadence: ReviewCadence | null = null,
): { extra: ExtraFindings; verify: VerifyResult } {
  if (later.sha256 === signoff.snapshot.sha256)
    throw new UsageError(`${later.file} is the snapshot that was signed off, not a later one`, {
      hint: '--signoff checks a snapshot collected after the sign-off (drop --signoff to audit this one)',
    });
  if (later.snapshot.collectedAt < signoff.snapshot.collectedAt)
    throw new UsageError(
      `${later.file} was collected ${later.snapshot.collectedAt}, before the signed-off snapshot (${signoff.snapshot.collectedAt})`,
    );
  const verify = verifySignoff(signoff, later, now);
  const s = verify.summary;
  // Coverage as the rule table shows it: not-done is decided over the revocations the snapshot can
  // show; unverifiable over all of them.
  const stamped = rubberStampFindings(signoff);
  const reviewers = signoff.reviewers.length;
  const coverage: Record<string, { checked: number; passed: number }> = {
    'review-revocation-not-done': { checked: s.done + s.notDone, passed: s.done },
    'review-revocation-unverifiable': { checked: s.revocations, passed: s.revocations - s.unverifiable },
    'review-rubber-stamp': {
      checked: reviewers,
      passed: reviewers - new Set(stamped.map((f) => f.subject.name)).size,
    },
  };
  // The policy's `rules.<id>` turns a review rule off or changes its severity, as for catalogue rules.
  const over = (id: string) => (Object.hasOwn(policy.rules, id) ? policy.rules[id] : undefined);
  const enabled = (id: string) => over(id)?.enabled !== false;
  const findings = [...verify.findings, ...stamped]
    .filter((f) => enabled(f.ruleId))
    .map((f) => ({ ...f, severity: over(f.ruleId)?.severity ?? f.severity }));
  const overdue = cadence ? reviewCadenceFindings(signoff, later.snapshot, cadence) : null;
  const rules = reviewRuleSummaries(findings)
    .filter((r) => enabled(r.id))
    .map((r) => {
      const c = coverage[r.id] ?? { checked: r.failed, passed: 0 };
      return {
        ...r,
        severity: over(r.id)?.severity ?? r.severity,
        subjectsChecked: c.checked,
        passed: c.passed,
      };
    });
  const overdueRules = (overdue?.rules ?? [])
    .filter((r) => enabled(r.id))
    .map((r) => ({ ...r, severity: over(r.id)?.severity ?? r.severity }));
  const overdueFindings = (overdue?.findings ?? [])
    .filter((f) => enabled(f.ruleId))
    .map((f) => ({ ...f, severity: over(f.ruleId)?.severity ?? f.severity }));
  return {
    extra: { findings: [...findings, ...overdueFindings], rules: [...rules, ...overdueRules] },
    verify,
  };
}

/** The policy's `rules.<id>.params` of a review rule name only params it has, with a whole number ≥ 2. */
function checkReviewRulePolicy(policy: Policy, file: string): void {
  for (const id of REVIEW_RULE_IDS) {
    const params = Object.hasOwn(policy.rules, id) ? (policy.rules[id]?.params ?? {}) : {};
    const known: Readonly<Record<string, number>> =
      REVIEW_RULE_PARAMS[id as keyof typeof REVIEW_RULE_PARAMS] ?? {};
    for (const [name, value] of Object.entries(params)) {
      const where = formatJsonPath(['rules', id, 'params', name]);
      if (!Object.hasOwn(known, name))
        throw new InputError(
          file,
          where,
          `rule "${id}" has no param "${name}" (params: ${Object.keys(known).join(', ') || 'none'})`,
        );
      if (!Number.isInteger(value) || (value as number) < 2)
        throw new InputError(
          file,
          where,
          `expected a whole number of at least 2, got ${JSON.stringify(value)}`,
        );
    }
  }
}

/** Rows with one identical comment that make a rubber-stamp signal: the policy's param, else the default. */
export function identicalCommentRows(policy: Policy): number {
  const id = 'review-rubber-stamp';
  const given = Object.hasOwn(policy.rules, id) ? policy.rules[id]?.params?.identicalCommentRows : undefined;
  return typeof given === 'number' ? given : REVIEW_RULE_PARAMS[id].identicalCommentRows!;
}

/** A roster export larger than this is refused unread (a million people export to far less). */
const MAX_ROSTER_BYTES = 512 * 1024 * 1024;

/**
 * Reads and validates the HR / identity-provider roster (CSV or JSON) with the policy's `roster`
 * section: a file that cannot be read, lacks a mapped column or repeats an address is an InputError
 * naming the file and row (exit 2). The sha256 is of the file's bytes, as read.
 */
async function readRoster(file: string, policy: Policy): Promise<Roster> {
  const bytes = await readInputBytes(file, file, MAX_ROSTER_BYTES);
  return parseRoster(bytes, file, rosterPolicySchema.parse(policy.roster));
}

/** File options shared by `audit`, `report` and `run`. */
export interface AuditFileOptions {
  snapshotFile: string;
  rulesDir?: string | undefined;
  policyFile?: string | undefined;
  waiversFile?: string | undefined;
  baselineFile?: string | undefined;
  /** `review import`'s signoff.json: Revokes not carried out in the snapshot become findings. */
  signoffFile?: string | undefined;
  /** The HR / identity-provider roster (CSV or JSON) the identities are joined to. */
  rosterFile?: string | undefined;
  failOn?: FailOn | undefined;
  /**
   * `--framework` ids (soc2, iso27001, pci-dss-4, cis-v8): their presets apply under the policy and
   * findings carry only their control ids. Empty or absent: no preset, every framework's control ids.
   */
  frameworks?: readonly string[] | undefined;
  /** Keys the snapshot and sign-off must be signed with (none: not checked, reported as unsigned). */
  keys?: EvidenceKeys | undefined;
}

/** Every audit input but the snapshot, read and checked. */
export interface AuditInputs {
  rulesDir: string;
  rules: LoadedRuleSet;
  read: ReadPolicy | null;
  policy: Policy;
  waivers: Waiver[];
  baseline: Baseline | null;
  keys: EvidenceKeys;
  signoff: Awaited<ReturnType<typeof readSignoff>> | null;
  roster: Roster | null;
  /** Every framework catalogue, and those `--framework` selected. */
  frameworks: { catalogues: FrameworkCatalogue[]; selected: FrameworkCatalogue[] };
}

/**
 * Reads and checks every audit input but the snapshot: rules, the policy against the rules (unknown rule
 * ids and params, with the line and column), waivers, baseline and sign-off. `run` calls it before its
 * first request, so a bad input fails in a second, not after a whole collection.
 */
export async function readAuditInputs(
  opts: Omit<AuditFileOptions, 'snapshotFile'>,
  now: Date,
): Promise<AuditInputs> {
  const catalogues = await readFrameworkCatalogues();
  // An unknown --framework is a usage error before any file is read.
  const frameworks = { catalogues, selected: selectFrameworks(opts.frameworks ?? [], catalogues) };
  const rulesDir = opts.rulesDir ?? DEFAULT_RULES_DIR;
  const rules = await readRulesDir(rulesDir);
  // The review rules' ids belong to `--signoff`: a user rule with one would give two rows one id.
  for (const r of rules.rules)
    if (REVIEW_RULE_IDS.includes(r.id))
      throw new InputError(r.file, '$.id', `rule id "${r.id}" is reserved for --signoff findings`);
  const read = opts.policyFile ? await optionalInput('--policy', readPolicy(opts.policyFile)) : null;
  const policy = read?.policy ?? DEFAULT_POLICY;
  if (read && opts.policyFile) {
    try {
      checkReviewRulePolicy(policy, opts.policyFile);
      resolveRules(rules, policy, opts.policyFile, [], REVIEW_RULE_IDS);
    } catch (error) {
      // The policy's params and severities are checked against the rules here: say where in the file.
      throw located(read.input, opts.policyFile, error);
    }
  }
  // Waivers may name the review rules even without --signoff, so one waivers file serves every run
  // (a waiver that matches nothing is reported as unused, not rejected).
  const ruleIds = new Set([...rules.rules.map((r) => r.id), ...REVIEW_RULE_IDS]);
  const waivers = opts.waiversFile
    ? await optionalInput('--waivers', readWaivers(opts.waiversFile, now, ruleIds))
    : [];
  const baseline = opts.baselineFile ? await readBaseline(opts.baselineFile) : null;
  const keys = opts.keys ?? NO_KEYS;
  const signoff = opts.signoffFile ? await readSignoff(opts.signoffFile, keys) : null;
  const roster = opts.rosterFile ? await readRoster(opts.rosterFile, policy) : null;
  return { rulesDir, rules, read, policy, waivers, baseline, keys, signoff, roster, frameworks };
}

/**
 * The policy and the waivers are the reader's own files, and optional: a newcomer copying the
 * README's lines has neither yet, so a missing one says so and where the format is described.
 */
async function optionalInput<T>(option: '--policy' | '--waivers', reading: Promise<T>): Promise<T> {
  try {
    return await reading;
  } catch (error) {
    if (!(error instanceof InputError) || error.problem !== 'file not found' || error.hint !== undefined)
      throw error;
    const what = option === '--policy' ? 'the built-in defaults' : 'no waivers';
    throw new InputError(error.file, error.jsonPath, error.problem, {
      hint: `${option} is optional: leave it out for ${what}, or write the file (format: docs/audit.md; \`atlas-access-review demo\` writes an example)`,
      cause: error,
    });
  }
}

/** Reads and validates every input file, then runs the audit. */
export async function auditFromFiles(
  opts: AuditFileOptions,
  now: Date,
  /** Inputs already read by {@link readAuditInputs} with the same options and clock (`run` reads them first). */
  inputs?: AuditInputs,
): Promise<{
  loaded: LoadedSnapshot;
  audit: AuditResult;
  rules: LoadedRuleSet;
  /** What `--signoff` found (null without it), for a summary line. */
  verify: VerifyResult | null;
  /** The signature checks of the files read: the snapshot, then the sign-off. */
  evidence: EvidenceCheck[];
}> {
  const { rulesDir, rules, read, policy, waivers, baseline, keys, signoff, roster, frameworks } =
    inputs ?? (await readAuditInputs(opts, now));
  const loaded = await readSnapshot(opts.snapshotFile, keys);
  const cadence = strictestCadence(frameworks.selected);
  const verified = signoff ? signoffFindings(signoff.signoff, loaded, now, policy, cadence) : null;
  let audit: AuditResult;
  try {
    audit = await auditSnapshot({
      snapshot: loaded.snapshot,
      rules,
      policy,
      waivers,
      baseline,
      ...(opts.failOn ? { failOn: opts.failOn } : {}),
      extra: verified?.extra ?? null,
      otherRuleIds: REVIEW_RULE_IDS,
      roster,
      frameworks,
      now,
      inputs: {
        rulesDir,
        policyFile: opts.policyFile ?? null,
        waiversFile: opts.waiversFile ?? null,
        baselineFile: opts.baselineFile ?? null,
        signoffFile: opts.signoffFile ?? null,
      },
    });
  } catch (error) {
    // The policy's params and severities are checked against the rules here: say where in the file.
    throw read && opts.policyFile ? located(read.input, opts.policyFile, error) : error;
  }
  const evidence = [loaded.evidence, ...(signoff ? [signoff.evidence] : [])];
  return { loaded, audit, rules, verify: verified?.verify ?? null, evidence };
}
