/**
 * `campaign.json`: the record of one review campaign. `report --split-by reviewer` (and `run --split-by
 * reviewer`) writes it beside one workbook per reviewer; `review merge`, `review status` and `review remind` read it
 * back through this schema (docs/architecture.md, principle 2: the zod schema is the type).
 *
 * It binds the campaign to its snapshot (and roster and policy) by sha256, and lists for every
 * reviewer the workbook written for them, that workbook's sha256 as written, and the Identity keys of
 * the rows routed to them with the route that chose them, so a merge can tell a row added, dropped or
 * moved to another reviewer's workbook from one the campaign assigned.
 */
import * as z from 'zod';
import { compareText } from '../domain/compare-text.js';
import { emailDomainOf, isMailbox, normaliseAddress } from '../util/address.js';
import { parseJsonText, parseWithSchema } from '../util/validate.js';
import { DOMAIN_NAME, type ReviewPolicy, ROUTES } from './policy.js';

export const CAMPAIGN_SCHEMA_VERSION = 1 as const;

/** The file `report --split-by reviewer` and `run --split-by reviewer` write into `--out-dir`. */
export const CAMPAIGN_FILE = 'campaign.json';

const sha256 = z.string().regex(/^[a-f0-9]{64}$/, 'expected a sha256 hex digest');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');
/** An address `review remind` may put in a header (src/util/address.ts isMailbox). */
const mailbox = z.string().refine(isMailbox, 'expected one email address like lead@example.com');
/** A file name inside the campaign folder: no directories, nothing hidden. */
const fileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@+-]*$/, 'expected a plain file name');

/** One row routed to a reviewer. */
const campaignRowSchema = z.strictObject({
  /** The Review sheet's Identity key. */
  key: z.string().min(1),
  /** The route that chose the reviewer. */
  route: z.enum(ROUTES),
});

const campaignReviewerSchema = z.strictObject({
  /** The reviewer's address, normalised (lower case): one plain mailbox (`review remind` mails it). */
  reviewer: mailbox,
  /** Their workbook, a file in the campaign folder. */
  workbook: fileName,
  /** sha256 of the workbook as written (a returned workbook differs: the reviewer filled it in). */
  sha256,
  rows: z.array(campaignRowSchema),
});
export type CampaignReviewer = z.infer<typeof campaignReviewerSchema>;

export const campaignSchema = z
  .strictObject({
    campaignSchemaVersion: z.literal(CAMPAIGN_SCHEMA_VERSION),
    /** Written into every workbook's Summary sheet (CAMPAIGN_ID_LABEL). */
    campaignId: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected letters, digits, dot, dash or underscore'),
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    /** When the split ran (ISO date-time, the CLI clock). */
    createdAt: z.string().datetime(),
    /** The date decisions are due (`--due`); `review status` and `review remind` compare with it. */
    due: day,
    snapshot: z.strictObject({ sha256, collectedAt: z.string() }),
    roster: z.strictObject({ sha256, people: z.number().int().nonnegative() }).nullable(),
    policy: z.strictObject({ sha256 }).nullable(),
    /** Escalation address after the due date, and the reviewer of last resort. */
    fallbackReviewer: mailbox,
    reviewers: z.array(campaignReviewerSchema),
    /**
     * Identity keys of the rows that had an open finding when the campaign was split, sorted: the rows
     * whose "Why flagged" each reviewer's workbook showed. `review merge` and `review status` hold the
     * campaign to them whatever policy they are given (src/review/campaign-state.ts campaignFlagged).
     * Absent in a campaign.json written before they were recorded.
     */
    flagged: z.array(z.string().min(1)).optional(),
    /**
     * The email domains a Reassign may hand a row to, sorted (src/campaign/campaign.ts reassignDomains):
     * `review remind` mails the new reviewer their rows, so a returned workbook, which anyone could have
     * edited, must not send them outside the organization. Absent in a campaign.json written before they
     * were recorded: then those of its reviewers and fallback reviewer.
     */
    reassignDomains: z
      .array(z.string().regex(DOMAIN_NAME, 'expected an email domain like example.com'))
      .optional(),
  })
  // Listed once, in order (as the split writes them): a hand edit that lists a key twice is refused
  // where the file is read. That each is a row of the campaign is checked with the snapshot
  // (src/review/campaign-state.ts campaignRows).
  .superRefine((c, ctx) => {
    const sortedOnce = (field: 'flagged' | 'reassignDomains', what: string) =>
      c[field]?.forEach((item, i, list) => {
        if (i > 0 && compareText(list[i - 1]!, item) >= 0)
          ctx.addIssue({
            code: 'custom',
            path: [field, i],
            message: `${item} is listed twice or out of order (the ${what} are sorted, each once)`,
          });
      });
    sortedOnce('reassignDomains', 'domains');
    sortedOnce('flagged', 'keys');
  });
export type Campaign = z.infer<typeof campaignSchema>;

/** campaign.json read and validated (InputError naming the file and JSON path). */
export function parseCampaign(text: string, file: string): Campaign {
  return parseWithSchema(campaignSchema, parseJsonText(text, file), file);
}

// A mailbox may name a domain that is no host name (`corp-.example`, a label over 63 characters: a
// roster's manager cell is HR's data); it can receive no mail and is no domain campaign.json can hold,
// so it is left out rather than stopping the split.
const sortedDomains = (addresses: readonly string[], extra: readonly string[] = []): string[] =>
  [...new Set([...addresses.map((a) => emailDomainOf(normaliseAddress(a))), ...extra])]
    .filter((d) => DOMAIN_NAME.test(d))
    .sort(compareText);

/**
 * The domains a split records as those a Reassign may hand a row to: the domains of every address the
 * review policy names (fallback, per-organization fallbacks, team and project owners) and of every
 * reviewer the campaign routed rows to, and the policy's `review.reassignDomains`.
 */
export function splitReassignDomains(
  policy: ReviewPolicy & { fallbackReviewer: string },
  reviewers: readonly string[],
): string[] {
  const named = [
    policy.fallbackReviewer,
    ...Object.values(policy.orgFallbackReviewers),
    ...Object.values(policy.teamOwners),
    ...Object.values(policy.projectOwners),
    ...reviewers,
  ];
  return sortedDomains(named, policy.reassignDomains);
}

/**
 * The domains a Reassign in this campaign may hand a row to (a subdomain of one counts): those
 * campaign.json records, or for one written before they were recorded, its reviewers' and fallback
 * reviewer's.
 */
export function reassignDomains(campaign: Campaign): readonly string[] {
  return (
    campaign.reassignDomains ??
    sortedDomains([campaign.fallbackReviewer, ...campaign.reviewers.map((r) => r.reviewer)])
  );
}
