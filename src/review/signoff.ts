/**
 * The sign-off record: the evidence an auditor keeps for one completed review (docs/review.md, `review import`). It binds the
 * reviewed snapshot and the filled workbook by sha256, counts decisions per org and per reviewer, and
 * lists every Revoke and Modify with its comment and the access the identity held at review time
 * (`review verify` checks it against the signed-off snapshot, src/review/signoff-check.ts, and shows it
 * beside what a later snapshot still grants).
 *
 * The zod schema is the type (docs/architecture.md, principle 2): `review verify` reads the JSON back through it.
 */

import * as z from 'zod';
import { compareText } from '../domain/compare-text.js';
import { databaseAuthKindSchema, databaseUserRoleSchema, type Snapshot } from '../snapshot/schema.js';
import { once } from '../util/validate.js';
import type { ReviewDecision } from './import.js';

const SIGNOFF_SCHEMA_VERSION = 1 as const;

/** The reviewer recorded for rows `review merge --close` decided by the policy's `review.undecided`. */
export const CLOSED_BY_POLICY = 'policy review.undecided';

/** The sign-off's schemas, built on first use (src/util/validate.ts `once`). */
const schemas = once(() => {
  const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'expected a sha256 hex digest');
  const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

  const decisionCounts = {
    /** Rows decided. */
    identities: z.number().int().nonnegative(),
    keep: z.number().int().nonnegative(),
    revoke: z.number().int().nonnegative(),
    modify: z.number().int().nonnegative(),
  };

  /** Access at review time, as recorded for a Revoke/Modify. */
  const accessSchema = z.object({
    orgRoles: z.array(z.string()),
    projectRoles: z.array(
      z.object({ projectId: z.string(), projectName: z.string(), roles: z.array(z.string()) }),
    ),
    teams: z.array(z.object({ id: z.string(), name: z.string() })),
  });

  /** A database user's address and roles at review time (database user actions only). */
  const databaseUserAccessSchema = z.object({
    projectId: z.string(),
    projectName: z.string(),
    databaseName: z.enum(['admin', '$external']),
    username: z.string().min(1),
    authKind: databaseAuthKindSchema,
    roles: z.array(databaseUserRoleSchema),
  });

  /** One Revoke or Modify decision. */
  const signoffActionSchema = z.object({
    /** Identity key `orgId:subjectType:id` (as in the workbook and the report roster). */
    key: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    subjectType: z.enum(['user', 'apiKey', 'serviceAccount', 'databaseUser', 'networkAccessEntry']),
    kind: z.enum(['user', 'invitation', 'apiKey', 'serviceAccount', 'databaseUser', 'networkAccessEntry']),
    /** Atlas id (clientId for service accounts; `<projectId>/<databaseName>/<username>` for database users). */
    id: z.string(),
    /** Username, API key public key or service account name. */
    name: z.string(),
    status: z.string(),
    decision: z.enum(['Revoke', 'Modify']),
    reviewer: z.string(),
    reviewedOn: day,
    comment: z.string().nullable(),
    /** Row of the Review sheet the decision was read from. */
    workbookRow: z.number().int().positive(),
    access: accessSchema,
    /** Database users only: where the user lives and the roles it held at review time. */
    databaseUser: databaseUserAccessSchema.optional(),
    /** Network access entries only: the project and the entry removed. */
    networkAccess: z
      .object({ projectId: z.string(), projectName: z.string(), entryValue: z.string().min(1) })
      .optional(),
  });

  /** A rubber-stamp signal (src/review/trust.ts): recorded, printed as a warning, a `review-rubber-stamp` finding. */
  const signalSchema = z.object({
    reviewer: z.string(),
    signal: z.enum(['kept-everything', 'identical-comment']),
    rows: z.number().int().nonnegative(),
    count: z.number().int().nonnegative(),
    comment: z.string().nullable(),
  });

  /**
   * Who signed an evidence file the sign-off was made from, as checked when it was read: the signing
   * key's fingerprint and the signer's clock; null when no verify key was configured (not checked).
   * Absent in sign-offs written before it was recorded.
   */
  const signerSchema = z
    .object({ fingerprint: z.string(), signedAt: z.iso.datetime({ offset: true }) })
    .strict()
    .nullable()
    .optional();

  /** What `review merge` adds: the campaign, every workbook read, every decision, reassignments, closing. */
  const campaignRecordSchema = z.object({
    campaignId: z.string(),
    /** campaign.json as read. */
    file: z.string(),
    sha256,
    /** campaign.json's signature as checked by the merge. */
    signature: signerSchema,
    /** Every workbook read, in the order read: the reviewer's own (`assigned`) and follow-ups (`reassigned`). */
    workbooks: z.array(
      z.object({
        reviewer: z.string(),
        file: z.string(),
        sha256,
        kind: z.enum(['assigned', 'reassigned']),
        rows: z.number().int().nonnegative(),
      }),
    ),
    /** Every row's decision with who decided it, sorted by key. */
    decisions: z.array(
      z.object({
        key: z.string(),
        decision: z.enum(['Keep', 'Revoke', 'Modify']),
        reviewer: z.string(),
        reviewedOn: day,
        workbook: z.string().nullable(),
      }),
    ),
    /** Rows handed on: who reassigned them to whom, when, and in which workbook row. */
    reassignments: z.array(
      z.object({
        key: z.string(),
        name: z.string(),
        from: z.string(),
        to: z.string(),
        reviewedOn: day,
        workbook: z.string(),
        workbookRow: z.number().int().positive(),
      }),
    ),
    /** Set when `--close` decided the rows nobody decided, by the policy's `review.undecided`. */
    closedUndecided: z.object({ policy: z.enum(['revoke', 'keep']), rows: z.array(z.string()) }).nullable(),
    /** The policy's `review` settings the merge applied. */
    policy: z.object({ undecided: z.enum(['revoke', 'keep', 'fail']), keepNeedsJustification: z.boolean() }),
  });

  const signoff = z.object({
    signoffSchemaVersion: z.literal(SIGNOFF_SCHEMA_VERSION),
    tool: z.object({ name: z.string(), version: z.string() }),
    /** When the import ran (the CLI clock). */
    signedOffAt: z.iso.datetime({ offset: true }),
    snapshot: z.object({
      file: z.string(),
      sha256,
      /** The snapshot's signature as checked when the decisions were read against it. */
      signature: signerSchema,
      collectedAt: z.iso.datetime({ offset: true }),
      organizations: z.array(z.object({ id: z.string(), name: z.string() })),
    }),
    workbook: z.object({ file: z.string(), sha256 }),
    counts: z.object(decisionCounts),
    byOrg: z.array(z.object({ orgId: z.string(), orgName: z.string(), ...decisionCounts })),
    /**
     * Decisions per kind of row (`user`, `invitation`, `apiKey`, `serviceAccount`, `databaseUser`,
     * `networkAccessEntry`), only the kinds reviewed, sorted by kind; the sign-off HTML shows it. Absent in
     * sign-offs written before database users were reviewed (an optional field: schema version 1 still).
     */
    byKind: z.array(z.object({ kind: z.string(), ...decisionCounts })).optional(),
    reviewers: z.array(
      z.object({ reviewer: z.string(), ...decisionCounts, firstReviewedOn: day, lastReviewedOn: day }),
    ),
    /** First and last review date over all rows. */
    reviewPeriod: z.object({ from: day, to: day }).nullable(),
    /** Every Revoke and Modify, sorted by org, decision, name. */
    actions: z.array(signoffActionSchema),
    /** Rubber-stamp signals (absent in sign-offs written before they were computed). */
    signals: z.array(signalSchema).optional(),
    /**
     * Set by `review merge`: the campaign. `workbook` is then the campaign folder, and its sha256 that of
     * the manifest of every workbook read (`<sha256>  <file>` lines, src/review/merge.ts).
     */
    campaign: campaignRecordSchema.optional(),
  });
  return { signoff, signoffAction: signoffActionSchema, campaignRecord: campaignRecordSchema };
});

type Schemas = ReturnType<typeof schemas>;
export type SignoffAction = z.infer<Schemas['signoffAction']>;
export type CampaignRecord = z.infer<Schemas['campaignRecord']>;
/** Who signed an evidence file, as checked when it was read; null when nothing was checked. */
export type Signer = { fingerprint: string; signedAt: string } | null;

export const signoffSchema = z.lazy(() => schemas().signoff);
/** A sign-off record (the `review import` JSON output). */
export type Signoff = z.infer<typeof signoffSchema>;

/** Inputs of {@link buildSignoff}. */
export interface BuildSignoffInput {
  snapshot: Snapshot;
  snapshotFile: string;
  snapshotSha256: string;
  /**
   * The snapshot's signature as checked when it was read (null: no verify key configured). Left out
   * of the record when undefined: `review apply` rebuilds sign-offs written before it was recorded.
   */
  snapshotSignature?: Signer | undefined;
  workbookFile: string;
  workbookSha256: string;
  /** Decisions from a workbook that had no problems. */
  decisions: ReviewDecision[];
  signedOffAt: Date;
  tool: { name: string; version: string };
  /** Rubber-stamp signals (src/review/trust.ts); none when not given. */
  signals?: Signoff['signals'];
  /** `review merge` only. */
  campaign?: CampaignRecord;
}

type Counts = { identities: number; keep: number; revoke: number; modify: number };
const zero = (): Counts => ({ identities: 0, keep: 0, revoke: 0, modify: 0 });
function count(c: Counts, d: ReviewDecision): void {
  c.identities++;
  if (d.decision === 'Keep') c.keep++;
  else if (d.decision === 'Revoke') c.revoke++;
  else c.modify++;
}

/** Builds the sign-off record. Pure and deterministic (sorted everywhere). */
export function buildSignoff(input: BuildSignoffInput): Signoff {
  const counts = zero();
  const byOrg = new Map<string, { orgId: string; orgName: string } & Counts>();
  const reviewers = new Map<string, Counts & { first: string; last: string; display: string }>();
  const byKind = new Map<string, Counts>();
  let from: string | null = null;
  let to: string | null = null;
  for (const d of input.decisions) {
    count(counts, d);
    const o = byOrg.get(d.orgId) ?? { orgId: d.orgId, orgName: d.orgName, ...zero() };
    byOrg.set(d.orgId, o);
    count(o, d);
    const k = byKind.get(d.kind) ?? zero();
    byKind.set(d.kind, k);
    count(k, d);
    // Reviewers compared case-insensitively (email addresses), shown as first written.
    const rk = d.reviewer.toLowerCase();
    const r = reviewers.get(rk) ?? {
      ...zero(),
      first: d.reviewedOn,
      last: d.reviewedOn,
      display: d.reviewer,
    };
    reviewers.set(rk, r);
    count(r, d);
    if (d.reviewedOn < r.first) r.first = d.reviewedOn;
    if (d.reviewedOn > r.last) r.last = d.reviewedOn;
    if (from === null || d.reviewedOn < from) from = d.reviewedOn;
    if (to === null || d.reviewedOn > to) to = d.reviewedOn;
  }
  const decisionOrder = { Revoke: 0, Modify: 1 } as const;
  const actions: SignoffAction[] = input.decisions
    .filter((d): d is ReviewDecision & { decision: 'Revoke' | 'Modify' } => d.decision !== 'Keep')
    .map((d) => ({
      key: d.key,
      orgId: d.orgId,
      orgName: d.orgName,
      subjectType: d.subjectType,
      kind: d.kind,
      id: d.id,
      name: d.name,
      status: d.status,
      decision: d.decision,
      reviewer: d.reviewer,
      reviewedOn: d.reviewedOn,
      comment: d.comment,
      workbookRow: d.row,
      access: d.access,
      ...(d.databaseUser ? { databaseUser: d.databaseUser } : {}),
      ...(d.networkAccess ? { networkAccess: d.networkAccess } : {}),
    }))
    .sort(
      (a, b) =>
        compareText(a.orgName, b.orgName) ||
        compareText(a.orgId, b.orgId) ||
        decisionOrder[a.decision] - decisionOrder[b.decision] ||
        compareText(a.name, b.name) ||
        compareText(a.key, b.key),
    );
  return {
    signoffSchemaVersion: SIGNOFF_SCHEMA_VERSION,
    tool: { ...input.tool },
    signedOffAt: input.signedOffAt.toISOString(),
    snapshot: {
      file: input.snapshotFile,
      sha256: input.snapshotSha256,
      ...(input.snapshotSignature !== undefined ? { signature: input.snapshotSignature } : {}),
      collectedAt: input.snapshot.collectedAt,
      organizations: input.snapshot.organizations
        .map((o) => ({ id: o.id, name: o.name }))
        .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id)),
    },
    workbook: { file: input.workbookFile, sha256: input.workbookSha256 },
    counts,
    byOrg: [...byOrg.values()].sort(
      (a, b) => compareText(a.orgName, b.orgName) || compareText(a.orgId, b.orgId),
    ),
    byKind: [...byKind.entries()]
      .map(([kind, c]) => ({ kind, ...c }))
      .sort((a, b) => compareText(a.kind, b.kind)),
    reviewers: [...reviewers.values()]
      .map((r) => ({
        reviewer: r.display,
        identities: r.identities,
        keep: r.keep,
        revoke: r.revoke,
        modify: r.modify,
        firstReviewedOn: r.first,
        lastReviewedOn: r.last,
      }))
      .sort((a, b) => compareText(a.reviewer.toLowerCase(), b.reviewer.toLowerCase())),
    reviewPeriod: from !== null && to !== null ? { from, to } : null,
    actions,
    signals: input.signals ?? [],
    ...(input.campaign ? { campaign: input.campaign } : {}),
  };
}

/** The sign-off as JSON (2-space, trailing newline). */
export function serializeSignoff(s: Signoff): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
