/**
 * Waivers: approved, expiring exceptions. A waived finding stays in every output, marked waived with
 * its reason and expiry (Prowler-style muting); expired and unused waivers are reported so the
 * waivers file does not rot. Pure: `now` is an argument.
 */
import * as z from 'zod';
import { databaseAccessId } from '../domain/keys.js';
import { networkAccessEntryValue } from '../domain/network-access.js';
import type { SubjectKind } from '../domain/subject.js';
import { InputError } from '../errors.js';
import type { Project, Snapshot } from '../snapshot/schema.js';
import { normaliseAddress, visibleText } from '../util/address.js';
import { once, parseWithSchema } from '../util/validate.js';
import type { Finding, Waiver, WaiverNotApplied, WaiverProblem, WaiverReport } from './types.js';

/** This module's schemas, built on first use (src/util/validate.ts `once`). */
const schemas = once(() => {
  const isoDay = z.iso.date('expected a date as YYYY-MM-DD');

  const waiverSchema = z.strictObject({
    ruleId: z.string().min(1),
    /**
     * A user's username (matched as an address: case, `Name <addr>`, invisible characters ignored), or
     * the subject's Atlas id; with `subjectId`, only a label for readers.
     */
    subject: z.string().min(1),
    /**
     * The Atlas id of the subject (user id, team id, project id, API key id, service account client id,
     * org id). Required for teams, projects, API keys, service accounts and orgs, whose names anyone
     * who can create one may choose; needs `approvedOn`.
     */
    subjectId: z.string().trim().min(1).nullable().default(null),
    /**
     * The day the waiver was approved. A subject created after it is not covered; a waiver that names a
     * user by username does not apply without it.
     */
    approvedOn: isoDay.nullable().default(null),
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
  const waiversFileSchema = z.strictObject({ waivers: z.array(waiverSchema) });

  /**
   * A waivers file may also be the bare list (`- ruleId: ...` in YAML, `[...]` in JSON): the README once
   * described it as "a list", and a list is what a new user writes first. Errors then name `$[0]...`,
   * the path in the file as written.
   */
  const waiversListSchema = z.array(waiverSchema);
  return { waiver: waiverSchema, file: waiversFileSchema, list: waiversListSchema };
});

/** One waiver. */
export const waiverSchema = z.lazy(() => schemas().waiver);
/** The waivers file: `{ "waivers": [ ... ] }` in JSON or YAML. */
const waiversFileSchema = z.lazy(() => schemas().file);
/** The bare list form (see above). */
const waiversListSchema = z.lazy(() => schemas().list);
/** Days before expiry at which an applied waiver is warned about. */
const EXPIRING_SOON_DAYS = 14;

/** `now` as a UTC calendar day, YYYY-MM-DD. */
function utcDay(now: Date): string {
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
 * Validates a parsed waivers document (`{waivers: [...]}`, a bare list, or nothing for an empty file):
 * shape, and expiry at most a year after `now`. Expired waivers
 * are accepted here (the audit reports them rather than rejecting the file). When `knownRuleIds` is
 * given, a waiver naming any other rule id is an error (a typo would otherwise never match).
 */
export function parseWaivers(
  data: unknown,
  file: string,
  now: Date,
  knownRuleIds?: ReadonlySet<string>,
): Waiver[] {
  // An empty file (YAML with only comments) holds no waivers.
  if (data === null || data === undefined) return [];
  const isList = Array.isArray(data);
  const waivers = isList
    ? parseWithSchema(waiversListSchema, data, file)
    : parseWithSchema(waiversFileSchema, data, file).waivers;
  /** JSON path of a waiver's field in the file as written (a bare list or `{waivers: [...]}`). */
  const at = (i: number, field: string) => `${isList ? '$' : '$.waivers'}[${i}].${field}`;
  const latest = oneYearAfter(utcDay(now));
  waivers.forEach((w, i) => {
    if (w.expiresOn > latest) {
      throw new InputError(
        file,
        at(i, 'expiresOn'),
        `expiry ${w.expiresOn} is more than a year ahead (latest allowed: ${latest})`,
      );
    }
    if (knownRuleIds && !knownRuleIds.has(w.ruleId)) {
      throw new InputError(file, at(i, 'ruleId'), `unknown rule id "${w.ruleId}"`);
    }
    if (w.subjectId !== null && w.approvedOn === null)
      throw new InputError(
        file,
        at(i, 'approvedOn'),
        'required with subjectId: the day the waiver was approved',
      );
    if (w.approvedOn !== null && w.approvedOn > utcDay(now))
      throw new InputError(
        file,
        at(i, 'approvedOn'),
        `approval date ${w.approvedOn} is in the future (today is ${utcDay(now)})`,
      );
    if (w.approvedOn !== null && w.approvedOn > w.expiresOn)
      throw new InputError(
        file,
        at(i, 'approvedOn'),
        `approval date ${w.approvedOn} is after the expiry ${w.expiresOn}`,
      );
  });
  return waivers;
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

/** A subject a waiver may name: every subject of the snapshot, and those of extra findings. */
export interface WaiverSubject {
  orgId: string;
  type: SubjectKind;
  /** Atlas id (clientId for service accounts, the org id for orgs). */
  id: string;
  /** Names a waiver's `subject` may give: username; team, project, org or account name; key description. */
  names: string[];
  /** UTC day the subject was created; null when the snapshot does not say (API keys, teams, orgs). */
  createdOn: string | null;
}

const day = (iso: string | null | undefined): string | null => (iso ? iso.slice(0, 10) : null);

/** Every subject of `snapshot`, plus the subjects of `extra` findings that it does not hold. */
export function waiverSubjects(snapshot: Snapshot, extra: readonly Finding[] = []): WaiverSubject[] {
  const out: WaiverSubject[] = [];
  for (const o of snapshot.organizations) {
    const at = { orgId: o.id };
    out.push({ ...at, type: 'org', id: o.id, names: [o.name], createdOn: null });
    for (const u of o.users)
      out.push({
        ...at,
        type: 'user',
        id: u.id,
        names: [u.username],
        createdOn: day(u.createdAt ?? u.invitationCreatedAt),
      });
    for (const t of o.teams) out.push({ ...at, type: 'team', id: t.id, names: [t.name], createdOn: null });
    for (const p of o.projects) {
      out.push({ ...at, type: 'project', id: p.id, names: [p.name], createdOn: day(p.createdAt) });
      out.push(...databaseAccessSubjects(o.id, p));
    }
    for (const k of o.apiKeys)
      out.push({
        ...at,
        type: 'apiKey',
        id: k.id,
        names: [k.publicKey, ...(k.description ? [k.description] : [])],
        createdOn: null,
      });
    for (const sa of o.serviceAccounts)
      out.push({
        ...at,
        type: 'serviceAccount',
        id: sa.clientId,
        names: [sa.name],
        createdOn: day(sa.createdAt),
      });
  }
  const seen = new Set(out.map((x) => subjectKey(x.orgId, x.type, x.id)));
  for (const f of extra) {
    const k = subjectKey(f.orgId, f.subject.type, f.subject.id);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({
      orgId: f.orgId,
      type: f.subject.type,
      id: f.subject.id,
      names: [f.subject.name],
      createdOn: null,
    });
  }
  return out;
}

/** The database users, custom roles and access list entries of a project, as waiver subjects. */
function databaseAccessSubjects(orgId: string, p: Project): WaiverSubject[] {
  const at = { orgId, createdOn: null };
  return [
    ...p.databaseUsers.map((u) => ({
      ...at,
      type: 'databaseUser' as const,
      id: databaseAccessId(p.id, u.databaseName, u.username),
      names: [u.username],
    })),
    ...p.customRoles.map((r) => ({
      ...at,
      type: 'customRole' as const,
      id: databaseAccessId(p.id, r.roleName),
      names: [r.roleName],
    })),
    ...p.networkAccess.map((e) => {
      const value = networkAccessEntryValue(e);
      return {
        ...at,
        type: 'networkAccessEntry' as const,
        id: databaseAccessId(p.id, value),
        names: [value],
      };
    }),
  ];
}

function subjectKey(orgId: string, type: string, id: string): string {
  return `${orgId}|${type}|${id}`;
}

const KIND_NAME: Record<SubjectKind, string> = {
  org: 'organization',
  user: 'user',
  team: 'team',
  project: 'project',
  apiKey: 'API key',
  serviceAccount: 'service account',
  databaseUser: 'database user',
  customRole: 'custom database role',
  networkAccessEntry: 'network access entry',
};

/** How a name in a waiver compares: as an address for users, as visible text for other names. */
function nameKey(type: SubjectKind, name: string): string {
  return type === 'user' ? normaliseAddress(name) : visibleText(name).trim().toLowerCase();
}

const listIds = (subjects: readonly WaiverSubject[]): string => {
  const ids = [...new Set(subjects.map((s) => s.id))].sort();
  return ids.length > 5 ? `${ids.slice(0, 5).join(', ')}, ...` : ids.join(', ');
};

/** Which waiver applies to which subject, and the waivers that do not apply with the reason. */
export interface WaiverResolution {
  /** The first waiver (in file order) of this rule that applies to this subject; null if none. */
  waiverFor(ruleId: string, orgId: string, type: string, id: string): Waiver | null;
  /** Waivers not applied although they name a subject, with the reason. */
  notApplied: Map<Waiver, { problem: WaiverProblem; detail: string }>;
  /** True when `w` (not applied) names this subject: its finding would have been waived. */
  names(w: Waiver, orgId: string, type: string, id: string): boolean;
}

/**
 * Matches waivers to subjects by identity, not by name (a waiver for the key described `ci-deploy`
 * once also waived a new ORG_OWNER key described `CI-Deploy`):
 *
 * - `subjectId`, or a `subject` equal to a subject's id, names exactly that subject. An org rule's
 *   waiver scoped with `orgId` names that org.
 * - Otherwise `subject` is a name. Only people are matched by name (users by username, compared as an
 *   address); a name that is a team's, project's, key's, service account's or org's is not applied
 *   (`name-not-id`), since whoever creates one chooses its name.
 * - A name matching more than one subject (distinct ids) is not applied (`ambiguous`); neither is a
 *   name-matched waiver without `approvedOn` (`no-approval-date`).
 * - A waiver does not apply to a subject created after its `approvedOn` (`created-after-approval`),
 *   where the snapshot knows the creation date (users, projects, service accounts).
 *
 * `kinds` gives the subject kinds each rule that ran covers; a waiver of any other rule matches nothing.
 */
export function resolveWaivers(
  waivers: readonly Waiver[],
  subjects: readonly WaiverSubject[],
  kinds: ReadonlyMap<string, ReadonlySet<SubjectKind>>,
): WaiverResolution {
  const matches = new Map<Waiver, Set<string>>();
  const notApplied = new Map<Waiver, { problem: WaiverProblem; detail: string }>();
  for (const w of waivers) {
    // A rule that did not run (disabled, or a review rule without --signoff) has no subjects.
    const ruleKinds = kinds.get(w.ruleId);
    if (!ruleKinds) continue;
    const scope = subjects.filter((s) => ruleKinds.has(s.type) && (!w.orgId || s.orgId === w.orgId));
    const id = (w.subjectId ?? w.subject).trim().toLowerCase();
    let matched = scope.filter((s) => s.id.toLowerCase() === id);
    let byName = false;
    if (matched.length === 0 && !w.subjectId) {
      if (w.orgId && ruleKinds.has('org')) matched = scope.filter((s) => s.type === 'org');
      else {
        byName = true;
        matched = scope.filter((s) => s.names.some((n) => nameKey(s.type, n) === nameKey(s.type, w.subject)));
      }
    }
    if (matched.length === 0) continue;
    matches.set(w, new Set(matched.map((s) => subjectKey(s.orgId, s.type, s.id))));
    const problem = ((): { problem: WaiverProblem; detail: string } | null => {
      if (byName) {
        const things = matched.filter((s) => s.type !== 'user');
        if (things.length > 0) {
          const kind = KIND_NAME[things[0]!.type];
          const a = /^[aeiou]/i.test(kind) ? 'an' : 'a';
          return {
            problem: 'name-not-id',
            detail: `"${w.subject}" is the name of ${things.length === 1 ? `${a} ${kind}` : `${things.length} subjects`}; waivers of ${a} ${kind} match by id: set subjectId (${listIds(things)}) and approvedOn`,
          };
        }
        const ids = new Set(matched.map((s) => s.id));
        if (ids.size > 1)
          return {
            problem: 'ambiguous',
            detail: `"${w.subject}" matches ${ids.size} different users (${listIds(matched)}); set subjectId${w.orgId ? '' : ' or orgId'}`,
          };
        if (!w.approvedOn)
          return {
            problem: 'no-approval-date',
            detail: `a waiver naming a user by username needs approvedOn, so that an account created later under the same name is not covered`,
          };
      }
      const later = w.approvedOn
        ? matched.find((s) => s.createdOn !== null && s.createdOn > w.approvedOn!)
        : undefined;
      if (later)
        return {
          problem: 'created-after-approval',
          detail: `${KIND_NAME[later.type]} ${later.names[0] ?? later.id} (${later.id}) was created on ${later.createdOn}, after the waiver was approved on ${w.approvedOn}`,
        };
      return null;
    })();
    if (problem) notApplied.set(w, problem);
  }
  const applied = waivers.filter((w) => matches.has(w) && !notApplied.has(w));
  return {
    notApplied,
    waiverFor: (ruleId, orgId, type, id) =>
      applied.find((w) => w.ruleId === ruleId && matches.get(w)!.has(subjectKey(orgId, type, id))) ?? null,
    names: (w, orgId, type, id) => matches.get(w)?.has(subjectKey(orgId, type, id)) ?? false,
  };
}

/** The not-applied waivers of a resolution, with the findings each would have waived. */
export function notAppliedReport(
  resolution: WaiverResolution,
  findings: readonly Finding[],
): WaiverNotApplied[] {
  return [...resolution.notApplied].map(([w, { problem, detail }]) => ({
    ...w,
    problem,
    detail,
    findingKeys: findings
      .filter((f) => f.ruleId === w.ruleId && resolution.names(w, f.orgId, f.subject.type, f.subject.id))
      .map((f) => f.key)
      .sort(),
  }));
}
