/**
 * `review status`: how far a review campaign is (docs/review.md, "Campaigns"), per reviewer: rows
 * decided of the rows they hold, rows reassigned to them and by them, whether their workbook came back,
 * and whether they are overdue (the campaign's due date against the CLI clock).
 *
 * A count, not a check: it reads the Decision and Comment of each row the campaign gave a workbook and
 * needs no snapshot. A decided row may still be refused by `review merge` (which checks every cell).
 */
import { type Campaign, reassignDomains } from '../campaign/campaign.js';
import { compareText } from '../domain/compare-text.js';
import { sha256Hex } from '../snapshot/store.js';
import { normaliseAddress, visibleText } from '../util/address.js';
import { terminalSafe } from '../util/terminal.js';
import { HEADERS, REASSIGN_DECISION } from '../workbook/contract.js';
import { belongingProblems, reassignedWorkbookName } from './campaign-state.js';
import { type CellData, campaignDecision, readReviewWorkbook, reassignTarget } from './import.js';
import { workbookLimits } from './xlsx-package.js';

/** One reviewer's progress. */
export interface ReviewerStatus {
  reviewer: string;
  /** Rows they hold: the campaign's, less those they reassigned, plus those reassigned to them. */
  total: number;
  decided: number;
  open: number;
  reassignedIn: number;
  reassignedOut: number;
  /**
   * Their workbook (and follow-up workbook of reassigned rows) as found in the folder: `present`, and
   * `untouched` when it is still the bytes the split wrote (campaign.json's sha256; null for follow-ups).
   * `notTheirs` says why a workbook in their file is not theirs (its Summary names another campaign or
   * reviewer, or it holds rows the campaign gave someone else); null when it is, or is missing.
   */
  workbooks: Array<{ file: string; present: boolean; untouched: boolean | null; notTheirs: string | null }>;
  overdue: boolean;
}

/** The campaign's progress. */
export interface CampaignStatus {
  campaignId: string;
  due: string;
  /** The CLI clock's date, YYYY-MM-DD. */
  asOf: string;
  pastDue: boolean;
  complete: boolean;
  totals: { rows: number; decided: number; open: number; missingWorkbooks: number };
  reviewers: ReviewerStatus[];
}

/** What a workbook says: decided keys, reassignments (key -> new reviewer) and whether it is theirs. */
interface WorkbookDecisions {
  decided: Set<string>;
  reassigned: Map<string, string>;
  notTheirs: string | null;
}

/**
 * Reads the workbook in `file` of `reviewer`, who holds the rows `keys`. Its Summary must name the
 * campaign and the reviewer, and its Review sheet hold none but their rows: a workbook put in another
 * reviewer's place (theirs by mistake, or on purpose) would otherwise be counted for them, and mailed
 * to them by `review remind`.
 */
async function readDecisions(
  bytes: Uint8Array,
  file: string,
  campaign: Campaign,
  reviewer: string,
  keys: readonly string[],
): Promise<WorkbookDecisions> {
  const contents = await readReviewWorkbook(bytes, file, workbookLimits(keys.length));
  const decided = new Set<string>();
  const reassigned = new Map<string, string>();
  const belonging = belongingProblems(contents.summary, campaign, reviewer)[0];
  const review = contents.review;
  if (!review) return { decided, reassigned, notTheirs: belonging?.message ?? null };
  const col = (h: string) =>
    [...review.headers].find(([, t]) => visibleText(t).trim().toLowerCase() === h.toLowerCase())?.[0];
  const [k, d, c, rv, nm] = [
    col(HEADERS.key),
    col(HEADERS.decision),
    col(HEADERS.comment),
    col(HEADERS.reviewer),
    col(HEADERS.name),
  ];
  const text = (v: CellData | undefined) => (v === null || v === undefined ? '' : String(v).trim());
  if (k === undefined || d === undefined)
    return { decided, reassigned, notTheirs: belonging?.message ?? null };
  const theirs = new Set(keys);
  const domains = reassignDomains(campaign);
  const foreign = review.rows
    .map((r) => text(r.cells.get(k)))
    .filter((key) => key !== '' && !theirs.has(key));
  const notTheirs =
    belonging?.message ??
    (foreign.length > 0
      ? `it holds ${foreign.length} row(s) the campaign did not give ${reviewer} (the first: ${foreign[0]})`
      : null);
  for (const r of review.rows) {
    const key = text(r.cells.get(k));
    const decision = text(r.cells.get(d));
    // A Decision nobody signed (the Revoke the workbook pre-fills for dead invitations) is still open.
    if (key === '' || decision === '' || text(rv === undefined ? null : r.cells.get(rv)) === '') continue;
    // Read as the merge reads it: a value that is no decision ("Maybe", "Keep\u200b") leaves the row open.
    const chosen = campaignDecision(decision);
    if (chosen === null) continue;
    if (chosen !== REASSIGN_DECISION) decided.add(key);
    else {
      // A Reassign to no plain mailbox (a list, a formula, a control character), outside the campaign's
      // domains, to the reviewer who has the row, or to the row's own identity (its Name: status reads
      // no snapshot, so the row's aliases are the merge's to catch) hands nothing on: the row stays
      // open with its reviewer, as review merge refuses it (src/review/import.ts checkReassignTarget);
      // review remind never mails such an address.
      const to = reassignTarget(c === undefined ? null : text(r.cells.get(c)), domains);
      const own = nm === undefined ? '' : normaliseAddress(text(r.cells.get(nm)));
      if (to !== null && to !== normaliseAddress(reviewer) && to !== own) reassigned.set(key, to);
    }
  }
  return { decided, reassigned, notTheirs };
}

/**
 * Counts the campaign folder. `readFile` returns a workbook's bytes, or null when it is not there;
 * workbooks are read one at a time.
 */
export async function campaignStatus(
  campaign: Campaign,
  readFile: (name: string) => Promise<Uint8Array | null>,
  now: Date,
): Promise<CampaignStatus> {
  const asOf = now.toISOString().slice(0, 10);
  const pastDue = asOf > campaign.due;
  const by = new Map<string, ReviewerStatus>();
  const entry = (reviewer: string) => {
    const k = normaliseAddress(reviewer);
    const e = by.get(k) ?? {
      reviewer: k,
      total: 0,
      decided: 0,
      open: 0,
      reassignedIn: 0,
      reassignedOut: 0,
      workbooks: [],
      overdue: false,
    };
    by.set(k, e);
    return e;
  };
  const handedOn = new Map<string, string[]>();
  for (const r of campaign.reviewers) {
    const e = entry(r.reviewer);
    const keys = r.rows.map((x) => x.key);
    const bytes = await readFile(r.workbook);
    const read = bytes ? await readDecisions(bytes, r.workbook, campaign, r.reviewer, keys) : null;
    e.workbooks.push({
      file: r.workbook,
      present: bytes !== null,
      untouched: bytes === null ? null : sha256Hex(bytes) === r.sha256,
      notTheirs: read?.notTheirs ?? null,
    });
    for (const key of keys) {
      const to = read?.reassigned.get(key);
      if (to) {
        e.reassignedOut++;
        handedOn.set(to, [...(handedOn.get(to) ?? []), key]);
        continue;
      }
      e.total++;
      if (read?.decided.has(key)) e.decided++;
    }
  }
  for (const [to, keys] of handedOn) {
    const e = entry(to);
    const file = reassignedWorkbookName(to);
    const bytes = await readFile(file);
    const read = bytes ? await readDecisions(bytes, file, campaign, to, keys) : null;
    e.workbooks.push({ file, present: bytes !== null, untouched: null, notTheirs: read?.notTheirs ?? null });
    e.reassignedIn += keys.length;
    e.total += keys.length;
    e.decided += keys.filter((k) => read?.decided.has(k)).length;
  }
  const reviewers = [...by.values()].sort((a, b) => compareText(a.reviewer, b.reviewer));
  for (const e of reviewers) {
    e.open = e.total - e.decided;
    e.overdue = pastDue && e.open > 0;
  }
  const sum = (f: (e: ReviewerStatus) => number) => reviewers.reduce((n, e) => n + f(e), 0);
  const totals = {
    rows: sum((e) => e.total),
    decided: sum((e) => e.decided),
    open: sum((e) => e.open),
    missingWorkbooks: sum((e) => e.workbooks.filter((w) => !w.present).length),
  };
  return {
    campaignId: campaign.campaignId,
    due: campaign.due,
    asOf,
    pastDue,
    complete: totals.open === 0,
    totals,
    reviewers,
  };
}

/** The status as a terminal table; every value from a workbook or campaign.json is escaped. */
export function formatStatusText(s: CampaignStatus): string {
  const head = ['reviewer', 'decided', 'open', 'reassigned in', 'reassigned out', 'workbook', 'overdue'];
  const rows = s.reviewers.map((e) => [
    terminalSafe(e.reviewer),
    `${e.decided}/${e.total}`,
    String(e.open),
    String(e.reassignedIn),
    String(e.reassignedOut),
    e.workbooks
      .map(
        (w) =>
          `${terminalSafe(w.file)}${!w.present ? ' (missing)' : w.notTheirs ? ' (NOT THEIRS)' : w.untouched ? ' (untouched)' : ''}`,
      )
      .join(', '),
    e.overdue ? 'OVERDUE' : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()}\n`;
  const t = s.totals;
  const notTheirs = s.reviewers.flatMap((e) =>
    e.workbooks.flatMap((w) =>
      w.notTheirs ? [terminalSafe(`${w.file} is not ${e.reviewer}'s workbook: ${w.notTheirs}`)] : [],
    ),
  );
  return (
    `campaign ${terminalSafe(s.campaignId)}, due ${s.due} (as of ${s.asOf}${s.pastDue ? ', past due' : ''})\n` +
    line(head) +
    rows.map(line).join('') +
    `${t.decided}/${t.rows} decided, ${t.open} open, ${t.missingWorkbooks} workbook(s) missing${s.complete ? '; complete' : ''}\n` +
    notTheirs.map((w) => `warning: ${w}\n`).join('')
  );
}

/**
 * The workbooks a reminder would attach that are not the reviewer's ({@link ReviewerStatus}
 * `notTheirs`), as one line each: `review remind` sends nothing while there is one.
 */
export function misplacedWorkbooks(s: CampaignStatus): string[] {
  return s.reviewers.flatMap((e) =>
    e.open === 0
      ? []
      : e.workbooks.flatMap((w) =>
          w.present && w.notTheirs ? [`${w.file} is not ${e.reviewer}'s workbook: ${w.notTheirs}`] : [],
        ),
  );
}
