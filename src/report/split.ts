/**
 * `report --split-by reviewer`: one review workbook per reviewer, holding only the rows routed to
 * them (src/campaign/routing.ts), and `campaign.json` recording the campaign (src/campaign/campaign.ts).
 * Pure: the model, the snapshot, the roster and the policy give the files' names and bytes; the CLI
 * checks and writes them (docs/review.md, "Campaigns").
 */
import { createHash } from 'node:crypto';
import {
  CAMPAIGN_FILE,
  CAMPAIGN_SCHEMA_VERSION,
  type Campaign,
  type CampaignReviewer,
  campaignSchema,
  splitReassignDomains,
} from '../campaign/campaign.js';
import type { ReviewPolicy } from '../campaign/policy.js';
import { type RoutableRow, routeRows } from '../campaign/routing.js';
import { compareText } from '../domain/compare-text.js';
import { identityKey } from '../domain/keys.js';
import { SIGNATURE_SUFFIX } from '../evidence/signature.js';
import type { RosterPerson } from '../roster/roster.js';
import type { Snapshot } from '../snapshot/schema.js';
import type { ReportModel, RosterRow } from './model.js';

/** What a split needs besides the model. */
export interface SplitInput {
  model: ReportModel;
  snapshot: Snapshot;
  /** The roster's lookup (src/roster/roster.ts rosterIndex), or null without `--roster`. */
  personOf: ((address: string) => RosterPerson | undefined) | null;
  roster: { sha256: string; people: number } | null;
  /** The policy's `review` section; its fallbackReviewer is required (checked by the caller). */
  policy: ReviewPolicy & { fallbackReviewer: string };
  /** sha256 of the policy file; null for the default policy. */
  policySha256: string | null;
  campaignId: string;
  /** YYYY-MM-DD. */
  due: string;
  /** The CLI clock. */
  createdAt: Date;
  tool: { name: string; version: string };
}

/** The files of a campaign, workbooks first and campaign.json last (the order they are written in). */
export interface SplitOutput {
  files: Array<{ name: string; bytes: Uint8Array | string }>;
  campaign: Campaign;
}

const SAFE = /[^a-z0-9._+-]/g;
const MAX_PART = 60;

/**
 * The workbook file name of a reviewer: `review-<local>-at-<domain>.xlsx`, lower case, every character
 * outside `a-z 0-9 . _ + -` replaced by `-`, each part at most 60 characters. When that changed the
 * address (or could make two addresses meet: `-at-` more than once in the name, a domain ending like a
 * suffix), a 16-hex suffix of the address's sha256 (64 bits: no one can search out a collision) keeps the names apart. No separator, no leading dot,
 * nothing a file system reserves; lower case, so two addresses differing in case never meet on a
 * case-insensitive file system.
 */
export function reviewerFileName(reviewer: string): string {
  const at = reviewer.lastIndexOf('@');
  const local = at < 0 ? reviewer : reviewer.slice(0, at);
  const domain = at < 0 ? '' : reviewer.slice(at + 1);
  const clean = (s: string) => s.toLowerCase().replace(SAFE, '-').slice(0, MAX_PART);
  const [l, d] = [clean(local), clean(domain)];
  // `-at-` once in the name (`x-at@corp.com` and `x@at-corp.com` would both be `x-at-at-corp.com`), and
  // no domain ending as a suffix does (`a@b.com-1a2b3c4d` would meet `A@b.com` if its hash were 1a2b3c4d).
  const joined = `${l}-at-${d}`;
  const exact =
    l === local &&
    d === domain &&
    at > 0 &&
    joined.indexOf('-at-') === joined.lastIndexOf('-at-') &&
    !d.startsWith('-') &&
    !/-[0-9a-f]{16}$/.test(d);
  const suffix = exact ? '' : `-${createHash('sha256').update(reviewer).digest('hex').slice(0, 16)}`;
  return `review-${l}-at-${d}${suffix}.xlsx`;
}

/**
 * Whether a split could write a file of this name into its folder: campaign.json (and its signature),
 * or a reviewer's workbook ({@link reviewerFileName}). Which workbooks a split writes is known only once the rows are
 * routed; a command that must refuse a clash before it has the rows (`run --split-by`) asks this.
 */
export function isCampaignFileName(name: string): boolean {
  const n = name.toLowerCase();
  return (
    n === CAMPAIGN_FILE ||
    n === `${CAMPAIGN_FILE}${SIGNATURE_SUFFIX}` ||
    (n.startsWith('review-') && n.endsWith('.xlsx'))
  );
}

/** The Review rows with an open (unwaived) finding, sorted: what campaign.json records as flagged. */
function flaggedRows(model: ReportModel): string[] {
  const open = new Set<string>();
  for (const g of model.findings)
    for (const r of g.rules)
      for (const f of r.findings) if (!f.waived) open.add(identityKey(f.orgId, f.subjectType, f.subjectId));
  return model.roster
    .map((r) => r.key)
    .filter((k) => open.has(k))
    .sort(compareText);
}

/** Routing's view of the Review rows: each with the names of its findings' subjects. */
function routableRows(model: ReportModel): RoutableRow[] {
  const subjects = new Map<string, Set<string>>();
  for (const g of model.findings)
    for (const r of g.rules)
      for (const f of r.findings) {
        const key = identityKey(f.orgId, f.subjectType, f.subjectId);
        const set = subjects.get(key) ?? new Set<string>();
        set.add(f.subjectName);
        subjects.set(key, set);
      }
  return model.roster.map((r) => ({
    key: r.key,
    orgId: r.orgId,
    subjectType: r.subjectType,
    id: r.id,
    name: r.name,
    findingSubjects: [...(subjects.get(r.key) ?? [])],
  }));
}

function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Routes every Review row, renders one workbook per reviewer (reviewers in address order, rows in the
 * full Review sheet's order) and builds campaign.json, validated by its schema. Throws the routing's
 * NoReviewerError when a row has no reviewer: the caller maps it to exit 2 before writing anything.
 */
export async function splitByReviewer(input: SplitInput): Promise<SplitOutput> {
  const { model } = input;
  const routed = routeRows(routableRows(model), input.snapshot, input.personOf, input.policy);
  const byReviewer = new Map<string, { rows: RosterRow[]; routes: typeof routed }>();
  model.roster.forEach((row, i) => {
    const r = routed[i]!;
    const entry = byReviewer.get(r.reviewer) ?? { rows: [], routes: [] };
    entry.rows.push(row);
    entry.routes.push(r);
    byReviewer.set(r.reviewer, entry);
  });
  const reviewers = [...byReviewer.keys()].sort(compareText);
  const names = reviewers.map(reviewerFileName);
  if (new Set(names).size !== names.length) throw new Error('internal: two reviewers share a workbook name');
  // exceljs is loaded when a workbook is made (src/report/renderers/index.ts): `report --json` does not pay 0.27 s for it.
  const { renderReviewerWorkbooks } = await import('./renderers/xlsx.js');
  const workbooks = await renderReviewerWorkbooks(
    model,
    reviewers.map((reviewer) => {
      const rows = byReviewer.get(reviewer)!.rows;
      return {
        rows,
        campaign: { campaignId: input.campaignId, reviewer, due: input.due, rows: rows.length },
      };
    }),
  );
  const files: SplitOutput['files'] = reviewers.map((_, i) => ({ name: names[i]!, bytes: workbooks[i]! }));
  const campaignReviewers: CampaignReviewer[] = reviewers.map((reviewer, i) => ({
    reviewer,
    workbook: names[i]!,
    sha256: sha256Hex(workbooks[i]!),
    rows: byReviewer.get(reviewer)!.routes.map((r) => ({ key: r.key, route: r.route })),
  }));
  const campaign = campaignSchema.parse({
    campaignSchemaVersion: CAMPAIGN_SCHEMA_VERSION,
    campaignId: input.campaignId,
    tool: input.tool,
    createdAt: input.createdAt.toISOString(),
    due: input.due,
    snapshot: { sha256: model.meta.snapshotSha256, collectedAt: model.meta.collectedAt },
    roster: input.roster,
    policy: input.policySha256 ? { sha256: input.policySha256 } : null,
    fallbackReviewer: input.policy.fallbackReviewer,
    reviewers: campaignReviewers,
    flagged: flaggedRows(model),
    reassignDomains: splitReassignDomains(input.policy, reviewers),
  } satisfies Campaign);
  files.push({ name: CAMPAIGN_FILE, bytes: `${JSON.stringify(campaign, null, 2)}\n` });
  return { files, campaign };
}

/** The default campaign id: the due date and the snapshot's sha256 prefix (`2026-12-15-3f2a9c1b`). */
export function defaultCampaignId(due: string, snapshotSha256: string): string {
  return `${due}-${snapshotSha256.slice(0, 8)}`;
}
