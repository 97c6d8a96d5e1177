/**
 * `review remind` as data (docs/review.md, "Campaigns"): one reminder per reviewer with open rows,
 * from the campaign's status. After the due date the fallback reviewer is copied (escalation). The
 * CLI turns each into an email (src/email) with the reviewer's workbooks attached, or an .eml file.
 */
import type { Campaign } from '../campaign/campaign.js';
import { normaliseAddress } from '../util/address.js';
import { escapeXml } from '../util/text-safety.js';
import type { CampaignStatus, ReviewerStatus } from './status.js';

/** One reminder: to whom, whom to copy, what to say, which workbooks of the folder to attach. */
export interface Reminder {
  reviewer: string;
  /** The fallback reviewer after the due date (never the reviewer themself); else empty. */
  cc: string[];
  subject: string;
  text: string;
  html: string;
  /** Workbook files in the campaign folder to attach (those that are there). */
  attach: string[];
  /** Workbook files the campaign names for them that are not in the folder. */
  missing: string[];
}

/** The reminders of a campaign: reviewers with open rows, in address order. */
export function campaignReminders(campaign: Campaign, status: CampaignStatus): Reminder[] {
  const fallback = normaliseAddress(campaign.fallbackReviewer);
  return status.reviewers.filter((r) => r.open > 0).map((r) => reminder(campaign, status, r, fallback));
}

function reminder(campaign: Campaign, status: CampaignStatus, r: ReviewerStatus, fallback: string): Reminder {
  const overdue = status.pastDue;
  const subject = overdue
    ? `[Atlas access review] ${campaign.campaignId}: ${r.open} row(s) overdue since ${campaign.due}`
    : `[Atlas access review] ${campaign.campaignId}: ${r.open} row(s) to decide by ${campaign.due}`;
  const attach = r.workbooks.filter((w) => w.present).map((w) => w.file);
  const missing = r.workbooks.filter((w) => !w.present).map((w) => w.file);
  const lines = [
    `Hello ${r.reviewer},`,
    '',
    `${r.open} of the ${r.total} row(s) of access review ${campaign.campaignId} assigned to you ${r.open === 1 ? 'has' : 'have'} no decision yet${overdue ? `; the review was due on ${campaign.due}` : `; decisions are due on ${campaign.due}`}.`,
    r.reassignedIn > 0 ? `${r.reassignedIn} of them were reassigned to you by another reviewer.` : null,
    '',
    attach.length > 0
      ? `Your workbook${attach.length === 1 ? ' is' : 's are'} attached (${attach.join(', ')}): fill Decision (Keep, Revoke, Modify, or Reassign with the new reviewer's address in Comment), Reviewer, Reviewed on and Comment; a Keep of privileged or flagged access needs a justification in Comment.`
      : null,
    missing.length > 0
      ? `Not in the campaign folder, ask the campaign owner for: ${missing.join(', ')}.`
      : null,
    overdue ? `The fallback reviewer ${fallback} is copied.` : null,
  ].filter((l): l is string => l !== null);
  const text = `${lines.join('\n')}\n`;
  const html = `<!doctype html><html><body>${lines
    .map((l) => (l === '' ? '' : `<p>${escapeXml(l, false)}</p>`))
    .join('')}</body></html>`;
  return {
    reviewer: r.reviewer,
    cc: overdue && fallback !== r.reviewer ? [fallback] : [],
    subject,
    text,
    html,
    attach,
    missing,
  };
}
