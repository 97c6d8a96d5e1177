/**
 * Derived facts: computed once per subject, as flat plain values, before any rule runs.
 *
 * Why flat: json-rules-engine resolves `path` with JSONPath on every condition, which measured ~3x
 * slower than plain facts (measured), and a misspelt path silently never fires.
 * So rules name facts only, and every fact is declared with its type per subject kind, which
 * lets rule loading reject a condition that names an unknown fact or compares it with the wrong type.
 *
 * Each subject kind is one derivation in src/rules/facts/ (its fact declaration and the computation
 * typed by it) plus one line in DERIVATIONS below.
 *
 * Everything is a pure function of the snapshot, the policy's global lists and `now`.
 */

import { knownRoleSet } from '../domain/roles.js';
import { SUBJECT_KINDS, type SubjectKind, type SubjectRef } from '../domain/subject.js';
import type { Snapshot } from '../snapshot/schema.js';
import { apiKeyDerivation } from './facts/api-key.js';
import { customRoleDerivation } from './facts/custom-role.js';
import { databaseUserDerivation } from './facts/database-user.js';
import { networkAccessEntryDerivation } from './facts/network-access-entry.js';
import { orgDerivation } from './facts/org.js';
import { orgView } from './facts/org-view.js';
import { projectDerivation } from './facts/project.js';
import type { RosterLookup } from './facts/roster.js';
import { serviceAccountDerivation } from './facts/service-account.js';
import type { FactDeclaration, FactRecord, SubjectDerivation } from './facts/spec.js';
import { teamDerivation } from './facts/team.js';
import { userDerivation } from './facts/user.js';

export { daysSince } from './facts/org-view.js';
export type { FactRecord, FactSpec, FactValue } from './facts/spec.js';

/** The derivation of every subject kind, in the order subjects are derived. */
const DERIVATIONS: Readonly<Record<SubjectKind, SubjectDerivation>> = {
  org: orgDerivation,
  user: userDerivation,
  team: teamDerivation,
  project: projectDerivation,
  apiKey: apiKeyDerivation,
  serviceAccount: serviceAccountDerivation,
  databaseUser: databaseUserDerivation,
  customRole: customRoleDerivation,
  networkAccessEntry: networkAccessEntryDerivation,
};

/** Every fact each subject kind provides. Rule loading checks conditions and templates against this. */
// `Object.fromEntries` loses the key type; the entries are one per SUBJECT_KINDS, so the record is whole.
export const FACTS = Object.fromEntries(SUBJECT_KINDS.map((k) => [k, DERIVATIONS[k].facts])) as Readonly<
  Record<SubjectKind, FactDeclaration>
>;

/** One thing a rule runs over, with its facts computed once. */
export interface Subject {
  kind: SubjectKind;
  orgId: string;
  orgName: string;
  ref: SubjectRef;
  /** Strings a waiver's `subject` may match: id, name, username / public key / client id. */
  aliases: string[];
  facts: FactRecord;
  /** Facts this subject's evidence cannot establish, with the reason (see DerivedSubject.unknown). */
  unknown?: Readonly<Partial<Record<string, string>>>;
}

/** Inputs to fact derivation besides the snapshot. */
export interface FactContext {
  now: Date;
  /** Policy `allowedEmailDomains`, lower case; empty means "not checked". */
  allowedEmailDomains: readonly string[];
  /** Policy `extraKnownRoles`: role names to treat as known. */
  extraKnownRoles: readonly string[];
  /** The roster (`--roster`, src/roster/roster.ts rosterIndex); null or absent without one. */
  roster?: RosterLookup | null;
}

export type SubjectsByKind = Record<SubjectKind, Subject[]>;

/** True for a snapshot of Atlas for Government (cloud.mongodbgov.com), whose session defaults differ. */
function isAtlasForGovernment(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'cloud.mongodbgov.com' || host.endsWith('.mongodbgov.com');
  } catch {
    return false;
  }
}

/** Derives the subjects of every kind, with their facts, for the whole snapshot. */
export function deriveSubjects(snapshot: Snapshot, ctx: FactContext): SubjectsByKind {
  const out: SubjectsByKind = {
    org: [],
    user: [],
    team: [],
    project: [],
    apiKey: [],
    serviceAccount: [],
    databaseUser: [],
    customRole: [],
    networkAccessEntry: [],
  };
  const known = knownRoleSet(ctx.extraKnownRoles);
  const allowed = ctx.allowedEmailDomains.map((d) => d.toLowerCase());
  const government = isAtlasForGovernment(snapshot.source.baseUrl);
  for (const org of snapshot.organizations) {
    const view = orgView(org, ctx.now, known, allowed, government, ctx.roster ?? null);
    for (const kind of SUBJECT_KINDS) {
      // Object.assign, not `{ kind, ...base, ...s }`: the spreads cost a few µs per subject on V8,
      // a tenth of a second per 100,000 subjects (bench/audit.ts). Same keys, same order.
      for (const s of DERIVATIONS[kind].derive(view))
        out[kind].push(Object.assign({ kind, orgId: org.id, orgName: org.name }, s));
    }
  }
  return out;
}
