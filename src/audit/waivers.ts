/**
 * Waivers: approved, expiring exceptions. A waived finding stays in every output, marked waived with
 * its reason and expiry (Prowler-style muting); expired and unused waivers are reported so the
 * waivers file does not rot. Pure: `now` is an argument.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseWithSchema } from '../util/validate.js';
import type { Waiver, WaiverReport } from './types.js';

const isoDay = z.iso.date('expected a date as YYYY-MM-DD');

export const waiverSchema = z.strictObject({
  ruleId: z.string().min(1),
  /** The subject's username, id or name (case-insensitive). */
  subject: z.string().min(1),
  /** Only this organization (24 hex); optional, recommended when `subject` is a name. */
  orgId: z
    .string()
    .regex(/^[a-f0-9]{24}$/, 'expected a 24-hex organization id')
    .nullable()
    .default(null),
  reason: z.string().min(1),
  approver: z.string().min(1),
  ticket: z.string().min(1).nullable().default(null),
  /** Last day (UTC) on which the waiver applies; required, at most a year after the audit date. */
  expiresOn: isoDay,
});

/** The waivers file: `{ "waivers": [ ... ] }` in JSON or YAML. */
export const waiversFileSchema = z.strictObject({ waivers: z.array(waiverSchema) });

/** Days before expiry at which an applied waiver is warned about. */
export const EXPIRING_SOON_DAYS = 14;

/** `now` as a UTC calendar day, YYYY-MM-DD. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** The same calendar day one year later (Feb 29 -> Mar 1). */
function oneYearAfter(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Validates a parsed waivers document: shape, and expiry at most a year after `now`. Expired waivers
 * are accepted here (the audit reports them rather than rejecting the file). When `knownRuleIds` is
 * given, a waiver naming any other rule id is an error (a typo would otherwise never match).
 */
export function parseWaivers(
  data: unknown,
  file: string,
  now: Date,
  knownRuleIds?: ReadonlySet<string>,
): Waiver[] {
  const doc = parseWithSchema(waiversFileSchema, data, file);
  const latest = oneYearAfter(utcDay(now));
  doc.waivers.forEach((w, i) => {
    if (w.expiresOn > latest) {
      throw new InputError(
        file,
        `$.waivers[${i}].expiresOn`,
        `expiry ${w.expiresOn} is more than a year ahead (latest allowed: ${latest})`,
      );
    }
    if (knownRuleIds && !knownRuleIds.has(w.ruleId)) {
      throw new InputError(file, `$.waivers[${i}].ruleId`, `unknown rule id "${w.ruleId}"`);
    }
  });
  return doc.waivers;
}

/** True when the waiver still applies on `now`'s UTC day (the expiry day itself is included). */
export function isWaiverActive(w: Waiver, now: Date): boolean {
  return w.expiresOn >= utcDay(now);
}

/** True when an active waiver ends within EXPIRING_SOON_DAYS of `now`. */
export function isExpiringSoon(w: Waiver, now: Date): boolean {
  return isWaiverActive(w, now) && w.expiresOn <= addDays(utcDay(now), EXPIRING_SOON_DAYS);
}

/**
 * True when the waiver names this rule, the finding's organization (if the waiver is scoped to one)
 * and one of the subject's aliases (case-insensitive).
 */
export function waiverMatches(w: Waiver, ruleId: string, orgId: string, aliases: readonly string[]): boolean {
  if (w.ruleId !== ruleId) return false;
  if (w.orgId && w.orgId !== orgId) return false;
  const s = w.subject.toLowerCase();
  return aliases.some((a) => a.toLowerCase() === s);
}

/**
 * Applied waivers without an `orgId` that waived findings in more than one organization: usually a
 * name (team, project, key description) that repeats across orgs, which the approver may not have
 * meant to cover. Reported so the waiver can be scoped with `orgId`.
 */
export function crossOrgWaivers(report: WaiverReport): Array<{ waiver: Waiver; orgIds: string[] }> {
  const out: Array<{ waiver: Waiver; orgIds: string[] }> = [];
  for (const { findingKeys, ...waiver } of report.applied) {
    if (waiver.orgId) continue;
    // Finding keys are `ruleId|orgId|subjectType|subjectId` (findingKey in run.ts).
    const orgIds = [...new Set(findingKeys.map((k) => k.split('|')[1] ?? ''))].sort();
    if (orgIds.length > 1) out.push({ waiver, orgIds });
  }
  return out;
}
