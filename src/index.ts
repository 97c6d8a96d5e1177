/**
 * The library API: the auditor as functions that take data and return data, for a team that embeds it
 * in its own scheduler. Nothing here exits the process, prints, or reads the environment or the clock
 * unless told to: credentials, the clock and every input are arguments; errors are thrown as the typed
 * errors of `errors.ts` (each with the exit code the CLI would use).
 *
 * Covered: collect, audit, buildReport, render, diff, and the review cycle (importReview of a filled
 * workbook, plan, verify); the input loaders (loadRules, loadPolicy, loadWaivers) read files only when
 * called. Not covered: `review apply` (writes to Atlas) and evidence signing, which the CLI offers.
 * docs/library.md shows a whole cycle.
 */

import { DEFAULT_POLICY, type Policy, policySchema } from './audit/policy.js';
import { auditSnapshot } from './audit/run.js';
import type { AuditResult, Waiver } from './audit/types.js';
import { parseWaivers } from './audit/waivers.js';
import { diffSnapshots, type SnapshotDiff } from './changes/diff.js';
import { type AtlasArgs, buildClient } from './cli/atlas-options.js';
import { collectSnapshot } from './collect/collect.js';
import type { FailOn } from './domain/severity.js';
import { InputError, redactSecrets } from './errors.js';
import { DEFAULT_RULES_DIR, readPolicy, readRulesDir, readWaivers } from './input/audit-inputs.js';
import { readFrameworkCatalogues } from './input/rules-dir.js';
import { buildReportModel, type ReportModel } from './report/model.js';
import { type RenderOptions, type ReportFormat, renderReport } from './report/renderers/index.js';
import { type ImportReviewResult, importReview as importReviewData } from './review/import-review.js';
import { buildRevocationPlan, type RevocationPlan } from './review/plan.js';
import { type Signoff, serializeSignoff, signoffSchema } from './review/signoff.js';
import { signoffCountProblem } from './review/signoff-check.js';
import {
  checkLaterSnapshot,
  checkReviewedSnapshot,
  type VerifyResult,
  verifySignoff,
} from './review/verify.js';
import { parseRoster, rosterPolicySchema } from './roster/roster.js';
import { selectFrameworks } from './rules/frameworks.js';
import type { LoadedRuleSet } from './rules/load.js';
import type { OptionalDataset } from './snapshot/optional-datasets.js';
import type { ApiKind, Snapshot, UsersApiVersion } from './snapshot/schema.js';
import { serializeSnapshot, sha256Hex } from './snapshot/store.js';
import { parseWithSchema } from './util/validate.js';

export type { Policy } from './audit/policy.js';
export type { AuditResult, Finding, Waiver } from './audit/types.js';
export type { SnapshotDiff } from './changes/diff.js';
export type { FailOn } from './domain/severity.js';
export { AtlasApiError, ExitCode, InputError, KnownError, OutputError, UsageError } from './errors.js';
export type { ReportModel } from './report/model.js';
export { REPORT_FORMATS, type RenderOptions, type ReportFormat } from './report/renderers/index.js';
export type { ReviewProblem } from './review/import.js';
export type { ImportReviewResult } from './review/import-review.js';
export type { RevocationPlan } from './review/plan.js';
export type { Signoff } from './review/signoff.js';
export type { VerifyResult } from './review/verify.js';
export type { LoadedRuleSet } from './rules/load.js';
export type {
  AccessHistory,
  ApiKey,
  Cluster,
  Collector,
  CustomRole,
  DatabaseAccessSummary,
  DatabaseAuthKind,
  DatabaseUser,
  DatabaseUserRole,
  NetworkAccessEntry,
  Organization,
  Project,
  ServiceAccount,
  Snapshot,
  Team,
  User,
} from './snapshot/schema.js';
export { parseSnapshot, serializeSnapshot } from './snapshot/store.js';

/** Credentials: a service account (preferred) or a programmatic API key. Never stored or printed. */
export type Credentials =
  | { clientId: string; clientSecret: string }
  | { publicKey: string; privateKey: string };

export interface CollectInput {
  credentials: Credentials;
  /** Organization ids, or 'all' for every organization the credentials see. */
  orgs: string[] | 'all';
  /** Default https://cloud.mongodb.com; plain http only to a loopback address. */
  baseUrl?: string;
  api?: ApiKind;
  usersVersion?: UsersApiVersion;
  include?: OptionalDataset[];
  concurrency?: number;
  timeoutMs?: number;
  maxRetries?: number;
  keepPii?: boolean;
  /**
   * The command line to record in the snapshot (`collector.command`), e.g. your job's argv; known secrets
   * and secret-looking values are redacted. Default: recorded as null. The identity (client id or public
   * key, never the secret) and its roles are recorded either way.
   */
  command?: readonly string[];
  /** Clock for `collectedAt` (default: the wall clock). */
  now?: () => Date;
}

/** Collects a snapshot over HTTP, all or nothing (throws AtlasApiError on any failure). */
export async function collect(input: CollectInput): Promise<Snapshot> {
  const api = input.api ?? 'atlas-v2';
  const args: AtlasArgs = {
    api,
    'api-version': input.usersVersion ?? '2025-02-19',
    concurrency: input.concurrency ?? 16,
    'timeout-ms': input.timeoutMs ?? 30_000,
    'max-retries': input.maxRetries ?? 5,
    'keep-pii': input.keepPii ?? false,
    ...(input.baseUrl === undefined ? {} : { 'base-url': input.baseUrl }),
    auth: 'clientId' in input.credentials ? 'service-account' : 'api-key',
  };
  // The client reads credentials with the Atlas CLI's variable names; here they come from the caller.
  const env =
    'clientId' in input.credentials
      ? {
          MONGODB_ATLAS_CLIENT_ID: input.credentials.clientId,
          MONGODB_ATLAS_CLIENT_SECRET: input.credentials.clientSecret,
        }
      : {
          MONGODB_ATLAS_PUBLIC_API_KEY: input.credentials.publicKey,
          MONGODB_ATLAS_PRIVATE_API_KEY: input.credentials.privateKey,
        };
  const client = buildClient(args, env);
  return collectSnapshot({
    client,
    // After buildClient, which registers the secrets: a secret given in the command is redacted too.
    command: input.command?.map((word) => redactSecrets(word)),
    api,
    usersVersion: args['api-version'],
    orgs: input.orgs,
    keepPii: args['keep-pii'],
    include: input.include ?? [],
    now: input.now ?? (() => new Date()),
  });
}

/** Loads a rule catalogue folder (default: the built-in `rules/`). */
export function loadRules(dir: string = DEFAULT_RULES_DIR): Promise<LoadedRuleSet> {
  return readRulesDir(dir);
}

export interface AuditInput {
  snapshot: Snapshot;
  /** Default: the built-in catalogue. */
  rules?: LoadedRuleSet;
  /** A policy object, as the policy file holds it (validated). */
  policy?: unknown;
  /** Waivers, as the waivers file holds them: a list, or `{waivers: [...]}` (validated). */
  waivers?: unknown;
  failOn?: FailOn;
  /** Day counts are as of this instant; default: the snapshot's `collectedAt` (the evidence's clock). */
  now?: Date;
  /**
   * The HR / identity-provider roster export (CSV or JSON by `file`'s extension), read with the
   * policy's `roster` section; `file` names it in errors and outputs. Without it the roster rules are
   * not evaluated.
   */
  roster?: { file: string; content: string | Uint8Array };
  /**
   * Framework profiles to hold the audit to (`soc2`, `iso27001`, `pci-dss-4`, `cis-v8`): their preset
   * thresholds apply where the policy sets none, and rules carry only their control ids. Default: none
   * (no preset; every framework's control ids).
   */
  frameworks?: string[];
}

/** Audits a snapshot: findings, waivers, rules not evaluated, the gate. No network, no files but the rules. */
export async function audit(input: AuditInput): Promise<AuditResult> {
  const rules = input.rules ?? (await loadRules());
  const catalogues = await readFrameworkCatalogues();
  const selected = selectFrameworks(input.frameworks ?? [], catalogues);
  const policy: Policy =
    input.policy === undefined ? DEFAULT_POLICY : parseWithSchema(policySchema, input.policy, 'policy');
  const now = input.now ?? new Date(input.snapshot.collectedAt);
  const waivers =
    input.waivers === undefined
      ? []
      : parseWaivers(input.waivers, 'waivers', now, new Set(rules.rules.map((r) => r.id)));
  return auditSnapshot({
    snapshot: input.snapshot,
    rules,
    policy,
    waivers,
    ...(input.failOn ? { failOn: input.failOn } : {}),
    roster: input.roster
      ? parseRoster(input.roster.content, input.roster.file, rosterPolicySchema.parse(policy.roster))
      : null,
    frameworks: { catalogues, selected },
    now,
    inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
  });
}

/** The report model every format renders. `generatedAt` defaults to the wall clock. */
export function buildReport(input: {
  snapshot: Snapshot;
  audit: AuditResult;
  generatedAt?: Date;
  /** sha256 of the snapshot file's bytes; default: of its serialized form. */
  snapshotSha256?: string;
}): ReportModel {
  return buildReportModel({
    snapshot: input.snapshot,
    snapshotSha256: input.snapshotSha256 ?? sha256Hex(serializeSnapshot(input.snapshot)),
    audit: input.audit,
    generatedAt: input.generatedAt ?? new Date(),
  });
}

/**
 * Renders the model in one format: text formats as a string, XLSX as bytes. `options.groupBy:
 * 'control'` lays the HTML findings out per control and adds a Controls sheet to the XLSX.
 */
export function render(
  model: ReportModel,
  format: ReportFormat,
  options: RenderOptions = {},
): Promise<string | Uint8Array> {
  return renderReport(format, model, options);
}

/** What changed between two snapshots: joiners, leavers, role changes, escalations. */
export function diff(before: Snapshot, after: Snapshot): SnapshotDiff {
  return diffSnapshots(before, after);
}

/** Reads and validates a policy file (JSON or YAML); a problem is an InputError naming the file and path. */
export async function loadPolicy(file: string): Promise<Policy> {
  return (await readPolicy(file)).policy;
}

/**
 * Reads and validates a waivers file (JSON or YAML); its rule ids must be in `rules` (default: the
 * built-in catalogue), and no expiry may be more than a year after `now`.
 */
export async function loadWaivers(
  file: string,
  options: { now: Date; rules?: LoadedRuleSet },
): Promise<Waiver[]> {
  const rules = options.rules ?? (await loadRules());
  return readWaivers(file, options.now, new Set(rules.rules.map((r) => r.id)));
}

export interface ImportReviewInput {
  /** The filled review workbook's bytes (the XLSX `render(model, 'xlsx')` gave, after reviewers filled it). */
  workbook: Uint8Array;
  /** The snapshot the workbook was rendered from. */
  snapshot: Snapshot;
  /** Sign-off time, and the upper bound of review dates. */
  now: Date;
  /** Names recorded in the sign-off and given in problems; defaults `review.xlsx`, `snapshot.json`. */
  workbookFile?: string;
  snapshotFile?: string;
  /** sha256 of the snapshot file's bytes; default: of its serialized form. */
  snapshotSha256?: string;
}

/**
 * Reads a filled review workbook back against its snapshot: the problems (`ok: false`, nothing signed),
 * or the sign-off, its revocation plan and the texts `review import` writes. Bytes that are not a
 * workbook are an InputError.
 */
export function importReview(input: ImportReviewInput): Promise<ImportReviewResult> {
  return importReviewData({
    workbook: { file: input.workbookFile ?? 'review.xlsx', bytes: input.workbook },
    snapshot: {
      file: input.snapshotFile ?? 'snapshot.json',
      snapshot: input.snapshot,
      sha256: input.snapshotSha256 ?? sha256Hex(serializeSnapshot(input.snapshot)),
    },
    now: input.now,
  });
}

/**
 * Validates a sign-off given as data (a parsed signoff.json, or `importReview`'s `signoff`): its schema,
 * and counts that add up to its actions. Throws InputError naming `file` and the JSON path.
 */
export function parseSignoff(data: unknown, file = 'signoff.json'): Signoff {
  const signoff = parseWithSchema(signoffSchema, data, file);
  const problem = signoffCountProblem(signoff);
  if (problem)
    throw new InputError(file, problem.path, `${problem.problem}; the sign-off does not add up (edited?)`);
  return signoff;
}

/** The revocation plan of a sign-off (what `review import` writes as plan.json), naming it by its sha256. */
export function plan(signoff: Signoff): RevocationPlan {
  const checked = parseSignoff(signoff);
  return buildRevocationPlan(checked, sha256Hex(serializeSignoff(checked)));
}

export interface VerifyInput {
  signoff: Signoff;
  /** The snapshot that was signed off (its sha256 must be the one the sign-off names). */
  reviewed: Snapshot;
  /** A later snapshot, collected after the revocations were carried out. */
  later: Snapshot;
  /** When the check runs (recorded as `checkedAt`). */
  now: Date;
  /** sha256 of each snapshot's file bytes; default: of its serialized form. */
  reviewedSha256?: string;
  laterSha256?: string;
  /** sha256 of the sign-off file's bytes, recorded in the result; default: of its serialized form (as `plan` names it). */
  signoffSha256?: string;
}

/**
 * `review verify` as data: every Revoke of the sign-off checked against the later snapshot. `failed`
 * is true when one was not done or cannot be verified. A reviewed snapshot that is not the signed-off
 * one is an InputError; a later snapshot that is the same or older is a UsageError.
 */
export function verify(input: VerifyInput): VerifyResult {
  const signoff = parseSignoff(input.signoff);
  const reviewed = {
    file: 'reviewed snapshot',
    snapshot: input.reviewed,
    sha256: input.reviewedSha256 ?? sha256Hex(serializeSnapshot(input.reviewed)),
  };
  const later = {
    file: 'later snapshot',
    snapshot: input.later,
    sha256: input.laterSha256 ?? sha256Hex(serializeSnapshot(input.later)),
  };
  checkReviewedSnapshot(signoff, 'signoff', reviewed);
  checkLaterSnapshot(signoff, later);
  return verifySignoff(
    signoff,
    later,
    input.now,
    input.signoffSha256 ?? sha256Hex(serializeSignoff(signoff)),
  );
}
