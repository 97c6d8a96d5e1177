/**
 * The Review sheet's Recommendation: what the evidence suggests for each row, with its reason
 * (`Revoke: terminated in the roster (2026-10-31)`, `Revoke: no sign-in for 143 days (policy 90)`,
 * `Keep`). Not a second copy of the rules: a row is recommended for revocation exactly when the audit
 * found one of the findings below on it, and the reason is read from that finding's evidence and its
 * rule's effective params. Waived findings are accepted exceptions and recommend nothing.
 *
 * The table is the one place that maps rule ids to recommendations; test/report/recommendation.test.ts
 * checks that every rule id it names exists and that every fact it reads is recorded as evidence.
 */
import { identityKey } from '../domain/keys.js';
import type { FindingRow, ReportModel } from './model.js';

/** What a reason reads: the finding's evidence facts and its rule's params, by name. */
type Lookup = (name: string) => string;

/** One rule whose open finding recommends revoking the access, and the reason in words. */
interface RevokeReason {
  ruleId: string;
  /** Evidence facts the reason reads (recorded by the rule: conditions, message and `evidence`). */
  facts: readonly string[];
  reason(v: Lookup): string;
}

/** The day of an ISO date-time (evidence dates are full timestamps). */
const day = (iso: string): string => iso.slice(0, 10);
const dated = (text: string, iso: string): string => (iso === '' ? text : `${text} (${day(iso)})`);

/** Revoke reasons, strongest first: a row flagged by several lists them in this order. */
export const REVOKE_REASONS: readonly RevokeReason[] = [
  {
    ruleId: 'roster-terminated-still-active',
    facts: ['rosterEndDate'],
    reason: (v) => dated('terminated in the roster', v('rosterEndDate')),
  },
  {
    ruleId: 'roster-contractor-past-end-date',
    facts: ['rosterEndDate'],
    reason: (v) => dated('contract ended in the roster', v('rosterEndDate')),
  },
  { ruleId: 'roster-unknown-identity', facts: [], reason: () => 'not in the roster (orphan)' },
  {
    ruleId: 'db-user-orphan-identity',
    facts: ['identityAddress'],
    reason: (v) => `its identity ${v('identityAddress')} is no member of the organization (orphan)`,
  },
  { ruleId: 'expired-invitation', facts: [], reason: () => 'invitation expired' },
  {
    ruleId: 'db-user-temporary-expired',
    facts: ['deleteAfterDate'],
    reason: (v) => dated('temporary user past its deletion date', v('deleteAfterDate')),
  },
  {
    ruleId: 'stale-last-auth',
    facts: ['daysSinceLastAuth'],
    reason: (v) => `no sign-in for ${v('daysSinceLastAuth')} days (policy ${v('maxDays')})`,
  },
  {
    ruleId: 'never-signed-in',
    facts: ['daysSinceCreated'],
    reason: (v) => `never signed in, created ${v('daysSinceCreated')} days ago (policy ${v('maxDays')})`,
  },
  {
    ruleId: 'stale-invitation',
    facts: ['daysSinceInvited'],
    reason: (v) => `invitation pending for ${v('daysSinceInvited')} days (policy ${v('maxDays')})`,
  },
  {
    ruleId: 'db-user-inactive',
    facts: ['daysSinceLastUse'],
    reason: (v) => `database user unused for ${v('daysSinceLastUse')} days (policy ${v('inactiveDays')})`,
  },
  {
    ruleId: 'db-user-never-used',
    facts: ['accessHistorySince'],
    reason: (v) => dated('database user not used since the access history began', v('accessHistorySince')),
  },
];

const RANK = new Map(REVOKE_REASONS.map((r, i) => [r.ruleId, i]));

/** `name=value` params of each rule, as the Rules sheet lists them. */
function paramsByRule(model: ReportModel): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const r of model.rules) {
    const params = new Map<string, string>();
    for (const p of r.params) {
      const eq = p.indexOf('=');
      if (eq > 0) params.set(p.slice(0, eq), p.slice(eq + 1));
    }
    out.set(r.id, params);
  }
  return out;
}

/**
 * The recommendation of every Review row that has one, by Identity key; a row absent from the map
 * is `Keep`. Reasons are listed strongest first, each once.
 */
export function recommendations(model: ReportModel): Map<string, string> {
  const params = paramsByRule(model);
  const found = new Map<string, FindingRow[]>();
  for (const g of model.findings)
    for (const r of g.rules) {
      if (!RANK.has(r.ruleId)) continue;
      for (const f of r.findings) {
        if (f.waived) continue;
        const key = identityKey(f.orgId, f.subjectType, f.subjectId);
        found.set(key, [...(found.get(key) ?? []), f]);
      }
    }
  const out = new Map<string, string>();
  for (const [key, findings] of found) {
    const reasons = findings
      .sort((a, b) => RANK.get(a.ruleId)! - RANK.get(b.ruleId)!)
      .map((f) => {
        const evidence = new Map(f.evidence.map((e) => [e.name, e.value]));
        const ruleParams = params.get(f.ruleId);
        const lookup: Lookup = (name) => evidence.get(name) ?? ruleParams?.get(name) ?? '';
        return REVOKE_REASONS[RANK.get(f.ruleId)!]!.reason(lookup);
      });
    out.set(key, `Revoke: ${[...new Set(reasons)].join('; ')}`);
  }
  return out;
}

/** The recommendation of a row with no revoke reason. */
export const KEEP_RECOMMENDATION = 'Keep';
