/**
 * The review's own age, where a selected framework states how often the review must happen (PCI DSS
 * v4.0 7.2.4: at least once every six months; docs/audit.md, "Framework profiles"). With `audit
 * --signoff` and such a framework, each organization of the audited snapshot whose last signed-off
 * review is older than the cadence at the snapshot's collection, or that the sign-off did not cover,
 * is a `review-overdue` finding: it joins the audit like the revocation findings (waivers, baseline,
 * gate). Pure.
 */
import type { ExtraFindings } from '../audit/run.js';
import type { Finding } from '../audit/types.js';
import { findingKey } from '../domain/keys.js';
import type { Severity } from '../domain/severity.js';
import type { Snapshot } from '../snapshot/schema.js';
import type { Signoff } from './signoff.js';

export const REVIEW_OVERDUE_RULE = 'review-overdue';

/** The strictest cadence of the selected frameworks, as the rule needs it. */
export interface ReviewCadence {
  framework: string;
  /** The control that states it, as rule references cite it ("PCI DSS v4.0 7.2.4"). */
  reference: string;
  maxDays: number;
}

const DAY_MS = 86_400_000;
const SEVERITY: Severity = 'high';
const TITLE = 'Access review older than the framework requires';

/** `review-overdue` findings and their rule row for the audited snapshot `later`. */
export function reviewCadenceFindings(
  signoff: Signoff,
  later: Snapshot,
  cadence: ReviewCadence,
): ExtraFindings {
  const reviewed = new Set(signoff.snapshot.organizations.map((o) => o.id));
  const ageDays = Math.floor((Date.parse(later.collectedAt) - Date.parse(signoff.signedOffAt)) / DAY_MS);
  const signedOn = signoff.signedOffAt.slice(0, 10);
  const findings: Finding[] = [];
  for (const org of later.organizations) {
    const covered = reviewed.has(org.id);
    if (covered && ageDays <= cadence.maxDays) continue;
    findings.push({
      ruleId: REVIEW_OVERDUE_RULE,
      ruleTitle: TITLE,
      severity: SEVERITY,
      orgId: org.id,
      orgName: org.name,
      subject: { type: 'org', id: org.id, name: org.name },
      message: covered
        ? `${org.name} was last reviewed on ${signedOn} (sign-off), ${ageDays} days before this snapshot; ${cadence.reference} requires a review at least every ${cadence.maxDays} days`
        : `${org.name} is not in the last signed-off review (${signedOn}); ${cadence.reference} requires a review at least every ${cadence.maxDays} days`,
      evidence: {
        signedOffAt: signoff.signedOffAt,
        reviewAgeDays: ageDays,
        maxDays: cadence.maxDays,
        covered,
      },
      waived: false,
      waiver: null,
      key: findingKey(REVIEW_OVERDUE_RULE, org.id, 'org', org.id),
      isNew: true,
    });
  }
  const checked = later.organizations.length;
  return {
    findings,
    rules: [
      {
        id: REVIEW_OVERDUE_RULE,
        title: TITLE,
        severity: SEVERITY,
        subjectKind: 'org',
        description:
          'With a framework that states a review cadence (--framework) and --signoff: the last signed-off review is older than the cadence at the audited snapshot, or did not cover the organization.',
        rationale: `${cadence.reference} requires user accounts and access privileges to be reviewed at least every ${cadence.maxDays} days; an older review does not evidence the control.`,
        remediation:
          'Run the access review (report, fill in the workbook, review import) and sign it off, then audit with the new sign-off.',
        references: [cadence.reference],
        enabled: true,
        params: { maxDays: cadence.maxDays },
        subjectsChecked: checked,
        passed: checked - findings.length,
        failed: findings.length,
      },
    ],
  };
}
