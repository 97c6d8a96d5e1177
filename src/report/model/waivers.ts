/** Waivers section of the report model: every waiver once, with what it matched. */
import type { AuditResult, Waiver } from '../../audit/types.js';
import { compareText } from '../../domain/compare-text.js';
import type { WaiverRow } from '../model.js';

/** Waiver rows: not applied first, then expired, expiring soon, unused, applied; then by expiry. */
export function waiverRows(audit: AuditResult): WaiverRow[] {
  // Built on the first waiver that matched findings: with no waivers, no index of every finding.
  let byKey: Map<string, AuditResult['findings'][number]> | null = null;
  // "name (id)" of the subject a waiver covers: from its findings when it matched any (one subject),
  // else from the waiver's own subject and subjectId. A bare name or a bare id alone is ambiguous.
  const subjectText = (w: Waiver, findingKeys: readonly string[]): string => {
    const subjects = new Map<string, { name: string; id: string }>();
    if (findingKeys.length > 0) byKey ??= new Map(audit.findings.map((f) => [f.key, f]));
    for (const k of findingKeys) {
      const f = byKey?.get(k);
      if (f) subjects.set(`${f.subject.type}\u0000${f.subject.id}`, f.subject);
    }
    const only = subjects.size === 1 ? [...subjects.values()][0]! : null;
    const name = only?.name ?? w.subject;
    const id = only?.id ?? w.subjectId ?? null;
    return id && id !== name ? `${name} (${id})` : name;
  };
  const row = (status: WaiverRow['status'], w: Waiver, findingKeys: readonly string[]): WaiverRow => ({
    status,
    ruleId: w.ruleId,
    subject: subjectText(w, findingKeys),
    reason: w.reason,
    approver: w.approver,
    approvedOn: w.approvedOn ?? null,
    ticket: w.ticket,
    expiresOn: w.expiresOn,
    findingCount: findingKeys.length,
  });
  // Each waiver once: an applied waiver that expires soon is listed as expiringSoon (it is still
  // applied, and counted so); one expiring soon but unused or not applied keeps that status.
  const identity = (w: Waiver): string =>
    JSON.stringify([
      w.ruleId,
      w.subject,
      w.orgId ?? null,
      w.subjectId ?? null,
      w.expiresOn,
      w.approver,
      w.reason,
    ]);
  const soon = new Set(audit.waivers.expiringSoon.map(identity));
  const rows: WaiverRow[] = [
    ...audit.waivers.applied.map((w) =>
      row(soon.has(identity(w)) ? 'expiringSoon' : 'applied', w, w.findingKeys),
    ),
    ...audit.waivers.expired.map((w) => row('expired', w, [])),
    ...audit.waivers.unused.map((w) => row('unused', w, [])),
    ...(audit.waivers.notApplied ?? []).map((w) => ({
      ...row('notApplied', w, w.findingKeys),
      problem: `${w.problem}: ${w.detail}`,
    })),
  ];
  const order: Record<WaiverRow['status'], number> = {
    notApplied: 0,
    expired: 1,
    expiringSoon: 2,
    unused: 3,
    applied: 4,
  };
  return rows.sort(
    (a, b) =>
      order[a.status] - order[b.status] ||
      compareText(a.expiresOn, b.expiresOn) ||
      compareText(a.ruleId, b.ruleId) ||
      compareText(a.subject, b.subject),
  );
}
