/**
 * The previous review of the report fixture (test/fixtures/report/estate.ts): the Q3 snapshot the
 * current one is compared with under `--previous`. From Q3 to now:
 * - oscar@acme.example left (a leaver; his inactivity finding is resolved),
 * - grace@beta.example joined Beta Labs (a joiner),
 * - carol@contractor.example was ORG_MEMBER and is ORG_OWNER now (a privilege escalation; her
 *   owner-never-signed-in finding is new),
 * - bob@acme.example was not in the Platform team and is now (a team change).
 */
import type { AuditResult, Finding } from '../../src/audit/types.js';
import type { PreviousReview } from '../../src/report/model.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';

export const PREVIOUS_SHA = 'e'.repeat(64);
export const OSCAR_ID = '000000000000000000001006';

/** The Q3 snapshot. */
export function previousSnapshot(): Snapshot {
  const snap = structuredClone(fixtureSnapshot());
  snap.collectedAt = '2026-08-25T03:00:00Z';
  const orgA = snap.organizations[0]!;
  const orgB = snap.organizations[1]!;
  const carol = orgA.users.find((u) => u.username === 'carol@contractor.example')!;
  carol.orgRoles = ['ORG_MEMBER'];
  const bob = orgA.users.find((u) => u.username === 'bob@acme.example')!;
  bob.teamIds = [];
  const platform = orgA.teams[0]!;
  platform.memberIds = platform.memberIds.filter((id) => id !== bob.id);
  orgA.users.push({
    ...structuredClone(orgA.users[0]!),
    id: OSCAR_ID,
    username: 'oscar@acme.example',
    firstName: 'Oscar',
    lastName: 'Leaver',
    orgRoles: ['ORG_MEMBER'],
    projectRoles: [],
    teamIds: [],
    lastAuth: '2026-01-05T08:00:00Z',
  });
  orgB.users = orgB.users.filter((u) => u.username !== 'grace@beta.example');
  return snap;
}

/** The Q3 audit: the fixture audit without carol's owner finding, plus oscar's inactivity. */
export function previousAudit(snapshot: Snapshot = previousSnapshot()): AuditResult {
  const audit = fixtureAudit(snapshot);
  const orgA = snapshot.organizations[0]!;
  const oscar: Finding = {
    ruleId: 'user-inactive',
    ruleTitle: 'Rule user-inactive',
    severity: 'medium',
    orgId: orgA.id,
    orgName: orgA.name,
    subject: { type: 'user', id: OSCAR_ID, name: 'oscar@acme.example' },
    message: 'oscar@acme.example last signed in 232 days ago (limit 90)',
    evidence: { daysSinceLastAuth: 232, maxDays: 90 },
    waived: false,
    waiver: null,
    key: `user-inactive:${orgA.id}:user:${OSCAR_ID}`,
    isNew: true,
  };
  audit.findings = [...audit.findings.filter((f) => f.ruleId !== 'owner-never-signed-in'), oscar];
  return audit;
}

/** What `loadPrevious` would return for the Q3 snapshot file. */
export function previousReview(): PreviousReview {
  const snapshot = previousSnapshot();
  return { snapshot, snapshotSha256: PREVIOUS_SHA, file: 'q3-snapshot.json', audit: previousAudit(snapshot) };
}
