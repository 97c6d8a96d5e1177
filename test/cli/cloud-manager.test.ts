/**
 * `--api cloud-manager --all-orgs` end to end through the CLI: the simulator serves the documented
 * Cloud Manager v1.0 shapes (users without dates, projects without teams), and `run` collects every
 * organization the API key sees, audits and reports it. A healthy v1.0 estate passes the gate:
 * owner counts need no date, and the rules that need sign-ins, teams, keys or settings are reported
 * as not evaluated, never as passed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEstate } from '../../src/sim/generate.js';
import { DEFAULT_CREDENTIALS, type Simulator, startSimulator } from '../../src/sim/server.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { findingRows } from '../helpers/report-json.js';

const NOW = new Date('2026-11-25T12:00:00Z');
// A clean estate: every org has at least two active owners and no planted violation.
const estate = generateEstate({
  seed: 11,
  now: NOW,
  orgs: 3,
  usersPerOrg: 30,
  teamsPerOrg: 4,
  projectsPerOrg: 3,
  plantViolations: false,
});
const key = DEFAULT_CREDENTIALS.apiKeys[0]!;
const env = { MONGODB_ATLAS_PUBLIC_API_KEY: key.publicKey, MONGODB_ATLAS_PRIVATE_API_KEY: key.privateKey };

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('--api cloud-manager --all-orgs', () => {
  it('collects every live org the key sees and passes a healthy estate, with rules not evaluated', async () => {
    const deleted = estate.organizations[2]!;
    sim = await startSimulator({ organizations: estate.organizations, deletedOrgIds: [deleted.id] });
    const dir = tempDir();
    const run = await runCliForTest(
      ['run', '--api', 'cloud-manager', '--all-orgs', '--base-url', sim.baseUrl, '--out-dir', 'out'],
      { env, cwd: dir, now: NOW },
    );
    expect(run.stderr).toContain(
      'run: PASS: no open findings; 42 rules not evaluated in 2 organizations (no data for them)',
    );
    expect(run.code).toBe(0);

    const snapshot = JSON.parse(readFileSync(join(dir, 'out', 'snapshot.json'), 'utf8')) as Snapshot;
    expect(snapshot.source).toMatchObject({ api: 'cloud-manager', apiVersion: null, auth: 'api-key' });
    const live = estate.organizations.filter((o) => o.id !== deleted.id);
    expect(snapshot.organizations.map((o) => o.id)).toEqual(live.map((o) => o.id).sort());
    for (const o of snapshot.organizations) {
      expect(o.coverage).toMatchObject({ users: true, projects: true, teams: false, signIns: false });
      expect(o.projects).toHaveLength(3);
      expect(o.users.every((u) => u.lastAuth === null && u.createdAt === null)).toBe(true);
    }

    const report = JSON.parse(readFileSync(join(dir, 'out', 'access-review.json'), 'utf8'));
    expect(report.summary.findings.total).toBe(0);
    expect(report.summary.notEvaluated).toEqual({ checks: 84, rules: 42, organizations: 2 });
    const owners = report.rules.find((r: { id: string }) => r.id === 'too-few-org-owners');
    expect([owners.subjectsChecked, owners.passed, owners.failed]).toEqual([2, 2, 0]);
    const stale = report.rules.find((r: { id: string }) => r.id === 'stale-last-auth');
    expect([stale.subjectsChecked, stale.passed]).toEqual([0, 0]);
    const html = readFileSync(join(dir, 'out', 'access-review.html'), 'utf8');
    expect(html).toContain('<strong>Not evaluated: 42 rules in 2 organizations.</strong>');
    expect(html).toContain('No findings in the rules that could run');
  });

  it('a v1.0 estate where one org has a single owner: too-few-org-owners fires there only', async () => {
    const orgs = structuredClone(estate.organizations.slice(0, 2));
    const thin = orgs[0]!;
    const [keep, ...demote] = thin.users.filter(
      (u) => u.status === 'ACTIVE' && u.orgRoles.includes('ORG_OWNER'),
    );
    for (const u of demote) u.orgRoles = ['ORG_MEMBER'];
    sim = await startSimulator({ organizations: orgs });
    const dir = tempDir();
    const run = await runCliForTest(
      [
        'collect',
        '--api',
        'cloud-manager',
        '--all-orgs',
        '--base-url',
        sim.baseUrl,
        '-o',
        join(dir, 's.json'),
      ],
      { env, cwd: dir, now: NOW },
    );
    expect(run.code).toBe(0);
    const audit = await runCliForTest(['audit', join(dir, 's.json'), '--format', 'json'], {
      cwd: dir,
      now: NOW,
    });
    expect(audit.code).toBe(1);
    const doc = JSON.parse(audit.stdout);
    expect(findingRows(doc).map((f) => `${f.ruleId} ${f.orgId}`)).toEqual([`too-few-org-owners ${thin.id}`]);
    expect(findingRows(doc)[0]!.message).toContain(`1 active ORG_OWNERs (minimum 2): ${keep!.username}`);
  });
});
