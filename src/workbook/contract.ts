/**
 * The review workbook's contract: what `report --xlsx` writes and `review import` reads back. One
 * module, in a layer below both, so the writer (src/report/renderers/xlsx.ts) and the reader
 * (src/review/import.ts) cannot drift apart and neither imports the other's layer: sheet names, the fingerprint label, the Review sheet's headers and their order, the
 * decisions, and which rows are written already decided.
 *
 * The import finds columns by header text, never by position (reviewers may move and hide columns),
 * so the order below is the writer's layout for the reader's eyes, not something the import checks.
 */

/** The sheet with the snapshot fingerprint. */
export const SUMMARY_SHEET = 'Summary';
/** The sheet reviewers fill in. */
export const REVIEW_SHEET = 'Review';
/** Label (column A) of the Summary row that carries the snapshot sha256 (column B). */
export const SUMMARY_SHA_LABEL = 'Snapshot sha256';

/** Label (column A) of the Summary row naming the review campaign a split workbook belongs to (src/campaign). */
export const CAMPAIGN_ID_LABEL = 'Campaign id';
/** Label (column A) of the Summary row naming the reviewer a campaign workbook was written for. */
export const ASSIGNED_REVIEWER_LABEL = 'Assigned reviewer';

/** Allowed reviewer decisions (the Decision column's list validation). */
export const REVIEW_DECISIONS = ['Keep', 'Revoke', 'Modify'] as const;
export type Decision = (typeof REVIEW_DECISIONS)[number];

/**
 * The fourth decision of a campaign workbook (`report --split-by reviewer`): the row belongs to
 * another reviewer, whose address is in Comment. `review merge` moves the row to them; the
 * single-workbook `review import` refuses it (docs/review.md, "Campaigns").
 */
export const REASSIGN_DECISION = 'Reassign';

/** The Decision column's list validation in a campaign workbook. */
export const CAMPAIGN_DECISIONS = [...REVIEW_DECISIONS, REASSIGN_DECISION] as const;

/** Review sheet headers the import reads. */
export const HEADERS = {
  key: 'Identity key',
  name: 'Name',
  decision: 'Decision',
  reviewer: 'Reviewer',
  reviewedOn: 'Reviewed on',
  comment: 'Comment',
} as const;

/**
 * Who the row is about: the first columns, frozen beside the header row so they stay on screen
 * while a reviewer scrolls right through the evidence.
 */
export const REVIEW_IDENTITY_HEADERS = [HEADERS.name, 'Display name', 'Kind', 'Organization'] as const;

/** The columns reviewers fill in, right after the identity: they must be single, visible, plain values. */
export const INPUT_HEADERS = [
  HEADERS.decision,
  HEADERS.reviewer,
  HEADERS.reviewedOn,
  HEADERS.comment,
] as const;

/** Why the identity is on the reviewer's radar, in words: rule titles and what each finding saw. */
export const WHY_FLAGGED_HEADER = 'Why flagged';

/**
 * What the evidence suggests, with its reason (`Revoke: terminated in the roster (2026-10-31)`,
 * `Keep`; src/report/recommendation.ts). Evidence like the rest: the import does not read it, and the
 * reviewer's Decision is theirs to make.
 */
export const RECOMMENDATION_HEADER = 'Recommendation';

/**
 * The evidence, after the input columns. Every roster column (src/report/renderers/csv.ts) that is
 * not an identity column appears here; the Identity key the import matches rows by is among them.
 */
const REVIEW_EVIDENCE_HEADERS = [
  RECOMMENDATION_HEADER,
  WHY_FLAGGED_HEADER,
  'Status',
  'Identity type',
  'Org roles',
  'Project roles',
  'Teams',
  'Last activity',
  'Days since activity',
  'Created',
  'Expires',
  'Open findings',
  'Max severity',
  'Rules',
  'Not evaluated',
  HEADERS.key,
  'Organization id',
  'Id',
] as const;

/** The Review sheet's columns, in order. */
export const REVIEW_HEADERS = [
  ...REVIEW_IDENTITY_HEADERS,
  ...INPUT_HEADERS,
  ...REVIEW_EVIDENCE_HEADERS,
] as const;

/** Number format of the Review sheet's dates (Reviewed on included): a day, not a time of day. */
export const REVIEW_DATE_FORMAT = 'yyyy-mm-dd';

/**
 * Invitations that can no longer be accepted are written with Decision already `Revoke`: there is
 * nothing to keep, and the plan withdraws them. The cell stays an ordinary editable input, and the
 * import treats the value like any typed decision, so the row still needs a Reviewer and a Reviewed
 * on date: a pre-filled Revoke without a reviewer is refused (`reviewer-blank`), because the sign-off
 * must name a person for every decision, and a proposal nobody confirmed is not one.
 */
export const PREDECIDED_REVOKE: Readonly<Record<string, string>> = {
  INVITATION_EXPIRED: 'invitation expired',
  INVITATION_REJECTED: 'invitation rejected',
};

/** The Kind column of a database user's Review row; its decisions are the same three. */
const DATABASE_USER_ROW_KIND = 'databaseUser';

/**
 * The Identity key of a database user's Review row: `<orgId>:databaseUser:<projectId>/<databaseName>/<username>`.
 * A database user has no Atlas id; the project, the authentication database and the username identify
 * it (the path of `/groups/{groupId}/databaseUsers/{databaseName}/{username}`). The project id (24 hex)
 * and the database (`admin` or `$external`) hold no `/`, so the username, which may (IAM ARNs, OIDC
 * `<IdP>/<name>`), is everything after the second one. The same id as the domain's database user id.
 */
export function databaseUserRowKey(
  orgId: string,
  projectId: string,
  databaseName: string,
  username: string,
): { key: string; id: string } {
  const id = `${projectId}/${databaseName}/${username}`;
  return { key: `${orgId}:${DATABASE_USER_ROW_KIND}:${id}`, id };
}

/**
 * The Kind column of a network access entry's Review row. The report writes such rows only for the
 * project IP access list entries a rule flags (open to the world, wider than the policy, no comment),
 * so the import accepts them without requiring one per entry. Their decisions are Keep or Revoke
 * (remove the entry from the access list); Modify has nothing to change and is refused.
 */
const NETWORK_ACCESS_ROW_KIND = 'networkAccessEntry';

/** What names an access list entry in the Atlas path: its security group, CIDR block or address. */
export function networkAccessEntryValue(e: {
  cidrBlock: string | null;
  ipAddress: string | null;
  awsSecurityGroup: string | null;
}): string | null {
  return e.awsSecurityGroup ?? e.cidrBlock ?? e.ipAddress;
}

/** The Identity key of a network access entry's Review row: `<orgId>:networkAccessEntry:<projectId>/<entry>`. */
export function networkAccessRowKey(
  orgId: string,
  projectId: string,
  entry: string,
): { key: string; id: string } {
  const id = `${projectId}/${entry}`;
  return { key: `${orgId}:${NETWORK_ACCESS_ROW_KIND}:${id}`, id };
}
