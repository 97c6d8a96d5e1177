/**
 * The policy's `review` section: how a review campaign routes rows to reviewers, what `review merge
 * --close` does with undecided rows, and which Keeps need a written justification
 * (docs/review.md, "Campaigns"). Kept apart from src/audit/policy.ts so the report (which splits the
 * workbook) and the review (which merges it back) read one definition.
 */
import * as z from 'zod';
import { isMailbox } from '../util/address.js';
import { once } from '../util/validate.js';

/** Where a row's reviewer comes from, tried in the order the policy lists them. */
export const ROUTES = ['manager', 'teamOwner', 'projectOwner', 'fallback'] as const;
export type Route = (typeof ROUTES)[number];

/** A domain name of at least two labels, lower case (as `reassignDomains` and campaign.json hold them). */
export const DOMAIN_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** This module's schemas, built on first use (src/util/validate.ts `once`). */
const schemas = once(() => {
  /** An email address as reviewers are named (compared after normalisation, src/util/address.ts). */
  const reviewerAddress = z
    .string()
    .trim()
    // One plain mailbox (src/util/address.ts isMailbox): a reviewer is mailed by `review remind` and named
    // in a workbook, so no list, quoted name, formula or control character.
    .refine(isMailbox, 'expected an email address like lead@example.com');

  /** An email domain, lower case: `example.com`, `eu.example.com`. */
  const domainName = z
    .string()
    .trim()
    .toLowerCase()
    .regex(DOMAIN_NAME, 'expected an email domain like example.com');

  const section = z.strictObject({
    /**
     * The routes to try for each row, in order; the first that names a reviewer who is not the row's
     * subject (nor a subject of the row's findings) wins. `fallback` always answers, so it is implied last.
     */
    routing: z
      .array(z.enum(ROUTES))
      .min(1)
      .default([...ROUTES]),
    /** Reviewer of last resort, and whom `review remind` escalates to after the due date. */
    fallbackReviewer: reviewerAddress.optional(),
    /** Fallback reviewer per organization (id or name); wins over `fallbackReviewer` for that org. */
    orgFallbackReviewers: z.record(z.string().min(1), reviewerAddress).default({}),
    /** Reviewer per Atlas team (id or name): the team's owner. */
    teamOwners: z.record(z.string().min(1), reviewerAddress).default({}),
    /** Reviewer per project (id or name): reviews its programmatic identities and database users. */
    projectOwners: z.record(z.string().min(1), reviewerAddress).default({}),
    /** What `review merge --close` does with rows nobody decided; it records that it did. */
    undecided: z.enum(['revoke', 'keep', 'fail']).default('fail'),
    /** Keep on a privileged or flagged row needs a justification in Comment (import and merge refuse otherwise). */
    keepNeedsJustification: z.boolean().default(true),
    /**
     * Email domains a Reassign may hand a row to, besides those of the campaign's reviewers and of the
     * addresses in this section (a subdomain of one counts). The split records them in campaign.json.
     */
    reassignDomains: z.array(domainName).default([]),
  });
  return { section };
});

export const reviewPolicySchema = z.lazy(() => schemas().section);
export type ReviewPolicy = z.infer<typeof reviewPolicySchema>;

/** The `review` section when the policy has none: what the schema makes of `{}` (a test holds them equal). */
export const DEFAULT_REVIEW_POLICY: ReviewPolicy = {
  routing: [...ROUTES],
  orgFallbackReviewers: {},
  teamOwners: {},
  projectOwners: {},
  undecided: 'fail',
  keepNeedsJustification: true,
  reassignDomains: [],
};
