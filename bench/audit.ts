/**
 * Audit benchmark: 100 orgs x 500 users (50,000 users with teams, projects, keys and service
 * accounts) plus 2,500 database users per org (250,000, with custom roles, access lists and clusters
 * with access history) through the whole catalogue.
 *
 *   node --expose-gc --import tsx bench/audit.ts [--orgs 100] [--users 500] [--db-users 2500]
 *
 * Prints wall time of the whole audit (facts + engine + findings), its parts, peak RSS
 * (process.resourceUsage().maxRSS), and, in the same process, a hand-written TypeScript evaluation of
 * the same predicates over the same facts: the floor the engine's overhead is measured against.
 */
import { Engine } from 'json-rules-engine';
import { DEFAULT_POLICY, resolveRules } from '../src/audit/policy.js';
import { auditSnapshot } from '../src/audit/run.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../src/input/audit-inputs.js';
import { evaluateRules } from '../src/rules/evaluate.js';
import { deriveSubjects, type FactRecord } from '../src/rules/facts.js';
import { factsOf } from '../src/rules/load.js';
import { generateEstate, PRESETS } from '../src/sim/generate.js';
import { snapshotOf } from '../src/sim/offline-snapshot.js';
import { addDatabaseAccess } from './database-access.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;

const now = new Date('2026-05-01T00:00:00.000Z');
const size = { ...PRESETS.large, orgs: arg('orgs', 100), usersPerOrg: arg('users', 500) };
const estate = generateEstate({ seed: 42, now, ...size });
const dbUsers = addDatabaseAccess(estate.organizations, arg('db-users', 2500), now);
const snapshot = snapshotOf(estate.organizations, now);
const rules = await readRulesDir(DEFAULT_RULES_DIR);
const policy = { ...DEFAULT_POLICY, allowedEmailDomains: [...estate.companyEmailDomains] };
const users = estate.organizations.reduce((n, o) => n + o.users.length, 0);
console.log(
  `estate: ${size.orgs} orgs, ${users} users, ${estate.organizations.reduce((n, o) => n + o.teams.length, 0)} teams, ` +
    `${estate.organizations.reduce((n, o) => n + o.projects.length, 0)} projects, ${dbUsers} database users; ${rules.rules.length} rules`,
);
gc();
const rssBefore = process.resourceUsage().maxRSS;

// 1. The whole audit, as the CLI runs it.
let t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
const result = await auditSnapshot({
  snapshot,
  rules,
  policy,
  waivers: [],
  now,
  inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
});
const wallAudit = ms(t0);
// CPU time of the audit: on a shared, loaded machine wall time measures the neighbours too.
const cpuAudit = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpu0));
const peak = process.resourceUsage().maxRSS;

// 2. Its parts: fact derivation, then engine evaluation alone.
gc();
t0 = process.hrtime.bigint();
const subjects = deriveSubjects(snapshot, {
  now,
  allowedEmailDomains: policy.allowedEmailDomains,
  extraKnownRoles: [],
});
const wallFacts = ms(t0);
const effective = resolveRules(rules, policy, null);
gc();
t0 = process.hrtime.bigint();
const evaluation = await evaluateRules(effective, subjects);
const wallEngine = ms(t0);

// 3. The floor: the same predicates, hand-written, over the same facts.
const p = Object.fromEntries(effective.map((r) => [r.id, r.params])) as Record<
  string,
  Record<string, number>
>;
const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
const flag = (v: unknown): boolean => v === true;
const predicates: Record<string, (f: FactRecord) => boolean> = {
  'too-many-org-owners': (f) =>
    f.usersCovered === true && num(f.ownerCount) > p['too-many-org-owners']!.maxOwners!,
  'too-few-org-owners': (f) =>
    f.usersCovered === true && num(f.activeOwnerCount) < p['too-few-org-owners']!.minActiveOwners!,
  'mfa-not-required': (f) => f.settingsCovered === true && f.mfaRequired !== true,
  'api-access-list-not-required': (f) => f.settingsCovered === true && f.apiAccessListRequired !== true,
  'stale-last-auth': (f) =>
    f.isActive === true && f.isHuman === true && num(f.daysSinceLastAuth) > p['stale-last-auth']!.maxDays!,
  'never-signed-in': (f) =>
    f.isActive === true &&
    f.isHuman === true &&
    f.neverSignedIn === true &&
    num(f.daysSinceCreated) > p['never-signed-in']!.maxDays!,
  'idle-privileged-user': (f) =>
    f.isActive === true &&
    f.isHuman === true &&
    f.isPrivileged === true &&
    num(f.daysIdle) > p['idle-privileged-user']!.maxDays!,
  'user-without-team': (f) =>
    f.isActive === true && f.isHuman === true && f.teamsCovered === true && f.teamCount === 0,
  'direct-project-roles': (f) =>
    (f.status === 'ACTIVE' || f.status === 'PENDING') &&
    f.isHuman === true &&
    f.projectsCovered === true &&
    num(f.directProjectRoleCount) > 0,
  'stale-invitation': (f) =>
    f.isPending === true && num(f.daysSinceInvited) > p['stale-invitation']!.maxDays!,
  'expired-invitation': (f) => f.status === 'INVITATION_EXPIRED',
  'outside-email-domain': (f) =>
    (f.status === 'ACTIVE' || f.status === 'PENDING') && f.isHuman === true && f.emailDomainAllowed === false,
  'unknown-role': (f) => num(f.unknownRoleCount) > 0,
  'empty-team': (f) => f.memberCount === 0,
  'team-membership-mismatch': (f) => num(f.membershipMismatchCount) > 0,
  'unknown-role-team': (f) => num(f.unknownRoleCount) > 0,
  'too-many-project-owners': (f) => num(f.ownerCount) > p['too-many-project-owners']!.maxOwners!,
  'api-key-org-owner': (f) => f.isOrgOwner === true,
  'api-key-no-access-list': (f) => f.accessListCount === 0,
  'unknown-role-api-key': (f) => num(f.unknownRoleCount) > 0,
  'service-account-secret-expired': (f) => num(f.expiredSecretCount) > 0,
  'service-account-secret-unused': (f) =>
    num(f.maxDaysSecretUnused) > p['service-account-secret-unused']!.maxDays!,
  'unknown-role-service-account': (f) => num(f.unknownRoleCount) > 0,
  'service-account-no-access-list': (f) => f.systemManaged === false && f.accessListCount === 0,
  'session-timeout-too-long': (f) =>
    f.hasIdleSessionTimeout === false ||
    num(f.idleSessionTimeoutMinutes) > p['session-timeout-too-long']!.maxIdleMinutes! ||
    num(f.absoluteSessionTimeoutMinutes) > p['session-timeout-too-long']!.maxAbsoluteMinutes!,
  'db-user-privileged': (f) => f.isPrivileged === true,
  'custom-role-dangerous-actions': (f) => num(f.dangerousActionCount) > 0,
  'db-user-unscoped': (f) => f.isScoped === false && num(f.projectClusterCount) > 1,
  'db-user-temporary-expired': (f) => f.isPastDeleteAfterDate === true,
  'db-user-no-expiry': (f) => f.isPermanent === true && flag(p['db-user-no-expiry']!.requireExpiry),
  'db-user-password-auth': (f) =>
    f.isPasswordAuth === true && flag(p['db-user-password-auth']!.requireExternalAuth),
  'db-user-inactive': (f) => num(f.daysSinceLastUse) > p['db-user-inactive']!.inactiveDays!,
  'db-user-never-used': (f) => f.usedInWindow === false,
  'x509-cert-expired': (f) => num(f.expiredCertificateCount) > 0,
  'x509-cert-expiring': (f) => num(f.daysUntilCertificateExpiry) <= p['x509-cert-expiring']!.days!,
  'db-user-orphan-identity': (f) => f.isPersonIdentity === true && f.isOrgMember === false,
  'network-access-open-to-world': (f) => f.isOpenToWorld === true,
  'network-access-wide-cidr': (f) =>
    f.isOpenToWorld === false &&
    ((f.ipVersion === 4 && num(f.prefixLength) < p['network-access-wide-cidr']!.minPrefixLength!) ||
      (f.ipVersion === 6 && num(f.prefixLength) < p['network-access-wide-cidr']!.minPrefixLengthIpv6!)),
  'network-access-no-comment': (f) => f.hasComment === false,
  'roster-contractor-past-end-date': (f) =>
    f.employmentType === 'contractor' &&
    f.rosterStatus !== 'terminated' &&
    (f.status === 'ACTIVE' || f.status === 'PENDING') &&
    num(f.daysPastRosterEndDate) > p['roster-contractor-past-end-date']!.graceDays!,
  'roster-on-leave-privileged': (f) =>
    f.rosterStatus === 'on-leave' && f.isActive === true && f.isPrivileged === true,
  'roster-terminated-still-active': (f) =>
    f.rosterStatus === 'terminated' && (f.status === 'ACTIVE' || f.status === 'PENDING'),
  'roster-unknown-identity': (f) => f.inRoster === false && f.isHuman === true,
  'db-user-roster-terminated': (f) => f.rosterStatus === 'terminated',
  'db-user-roster-unknown': (f) => f.isPersonIdentity === true && f.inRoster === false,
  'project-db-users-no-access-list': (f) =>
    num(f.databaseUserCount) > 0 && num(f.networkAccessEntryCount) === 0,
};
/** A subject a rule cannot judge (a fact it reads is unknown for the subject) is skipped, as evaluate does. */
const judges = (names: readonly string[], unknown: Readonly<Partial<Record<string, string>>> | undefined) =>
  !unknown || names.every((n) => unknown[n] === undefined);
gc();
t0 = process.hrtime.bigint();
const floorCounts = new Map<string, number>();
for (const r of effective) {
  const pred = predicates[r.id];
  if (!pred) throw new Error(`bench: no hand-written predicate for ${r.id}`);
  const names = factsOf(r.conditions);
  let n = 0;
  for (const s of subjects[r.subject]) if (judges(names, s.unknown) && pred(s.facts)) n++;
  floorCounts.set(r.id, n);
}
const wallFloor = ms(t0);

// The floor must agree with the engine rule by rule, or the comparison means nothing.
const engineCounts = new Map<string, number>();
for (const h of evaluation.hits) engineCounts.set(h.rule.id, (engineCounts.get(h.rule.id) ?? 0) + 1);
const mismatch = effective.filter((r) => (engineCounts.get(r.id) ?? 0) !== floorCounts.get(r.id));
if (mismatch.length)
  throw new Error(`bench: engine and floor disagree on ${mismatch.map((r) => r.id).join(', ')}`);

// 4. Where the engine's time goes: the fixed cost of one run() with no rules (almanac, fact
// registration, promise chain), then per rule (RuleResult deep-clones the rule's conditions and
// event on every run, plus one promise per condition and an emitted event).
const empty = new Engine([], { allowUndefinedFacts: false });
gc();
t0 = process.hrtime.bigint();
for (const kind of Object.keys(subjects) as (keyof typeof subjects)[]) {
  if (!effective.some((r) => r.enabled && r.subject === kind)) continue;
  for (let i = 0; i < subjects[kind].length; i++) await empty.run();
}
const wallEmpty = ms(t0);
gc();
t0 = process.hrtime.bigint();
let noMemoHits = 0;
for (const kind of Object.keys(subjects) as (keyof typeof subjects)[]) {
  const kindRules = effective.filter((r) => r.enabled && r.subject === kind);
  if (kindRules.length === 0) continue;
  let cur: FactRecord = {};
  const engine = new Engine([], { allowUndefinedFacts: false });
  const names = new Set<string>();
  for (const r of kindRules) {
    engine.addRule({ name: r.id, conditions: r.conditions, event: { type: r.id } });
    for (const n of JSON.stringify(r.conditions).matchAll(/"fact":"(\w+)"/g)) names.add(n[1]!);
  }
  for (const n of names) engine.addFact(n, () => cur[n] ?? null, { cache: false });
  const namesOf = new Map(kindRules.map((r) => [r.id, factsOf(r.conditions)]));
  for (const sub of subjects[kind]) {
    cur = sub.facts;
    const { events } = await engine.run();
    noMemoHits += events.filter((e) => judges(namesOf.get(e.type) ?? [], sub.unknown)).length;
  }
}
const wallNoMemo = ms(t0);
if (noMemoHits !== evaluation.hits.length) throw new Error('bench: memoised and unmemoised engine disagree');
let ruleRuns = 0;
let leafRuns = 0;
for (const r of effective) {
  if (!r.enabled) continue;
  ruleRuns += subjects[r.subject].length;
  leafRuns +=
    subjects[r.subject].length * JSON.stringify(r.conditions).split('"fact"').length -
    subjects[r.subject].length;
}

const subjectsTotal = Object.values(subjects).reduce((n, l) => n + l.length, 0);
console.log(`findings: ${result.findings.length} (engine and floor agree on every rule)`);
console.log(
  `engine runs: ${evaluation.engineRuns} (distinct fact combinations) for ${ruleRuns} rule x subject checks`,
);
console.log(
  `audit wall (facts + engine + findings): ${wallAudit.toFixed(0)} ms (CPU ${cpuAudit.toFixed(0)} ms)`,
);
console.log(`  facts derivation: ${wallFacts.toFixed(0)} ms for ${subjectsTotal} subjects`);
console.log(`  json-rules-engine evaluation: ${wallEngine.toFixed(0)} ms`);
console.log(`  hand-written predicates (floor): ${wallFloor.toFixed(1)} ms`);
console.log(
  `  engine / floor: ${(wallEngine / wallFloor).toFixed(0)}x; audit / (facts + floor): ${(wallAudit / (wallFacts + wallFloor)).toFixed(1)}x`,
);
console.log(
  `  unmemoised engine (one run per subject per kind, all rules): ${wallNoMemo.toFixed(0)} ms; empty run() x subjects ` +
    `${wallEmpty.toFixed(0)} ms; so ${(((wallNoMemo - wallEmpty) * 1000) / ruleRuns).toFixed(1)} µs per rule evaluation ` +
    `(${ruleRuns} rules x subjects, ${leafRuns} leaf conditions)`,
);
console.log(
  `peak RSS: ${mib(peak)} (before audit ${mib(rssBefore)}; target < 1024 MiB); target wall < 5000 ms: ${wallAudit < 5000 ? 'met' : 'MISSED'}`,
);
