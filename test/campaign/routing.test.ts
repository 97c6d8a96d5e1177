/**
 * Routing, case by case: every route answers for the rows it covers, in the policy's order; nobody
 * reviews themself (by address or by a roster alias) nor a row whose finding names them; a row no
 * route answers is an error; the same inputs give the same reviewers.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REVIEW_POLICY, type ReviewPolicy, reviewPolicySchema } from '../../src/campaign/policy.js';
import { NoReviewerError, type RoutableRow, routeRows } from '../../src/campaign/routing.js';
import { parseRoster, rosterIndex } from '../../src/roster/roster.js';
import type { Organization } from '../../src/snapshot/schema.js';
import { dbUser } from '../builders/database-access.js';
import { rosterCsv } from '../builders/roster.js';
import {
  apiKey,
  org,
  project,
  projectRole,
  serviceAccount,
  snapshot,
  team,
  user,
} from '../builders/snapshot.js';

const ORG = '0000000000000000000000a1';
const prod = project({ id: 'd000000000000000000000a1', name: 'prod' });
const stage = project({ id: 'd000000000000000000000a2', name: 'stage' });
const alpha = team({ id: 'c000000000000000000000a1', name: 'alpha' });
const beta = team({ id: 'c000000000000000000000a2', name: 'beta' });
const ann = user({
  id: 'b000000000000000000000a1',
  username: 'ann@corp.example',
  teamIds: [beta.id, alpha.id],
});
const bob = user({
  id: 'b000000000000000000000a2',
  username: 'Bob@Corp.example',
  projectRoles: [projectRole(stage.id, 'GROUP_READ_ONLY')],
});
const cat = user({ id: 'b000000000000000000000a3', username: 'cat@corp.example', teamIds: [alpha.id] });
const dan = user({ id: 'b000000000000000000000a4', username: 'dan@corp.example', teamIds: [beta.id] });
const key = apiKey({
  id: 'e000000000000000000000a1',
  projectRoles: [projectRole(stage.id, 'GROUP_OWNER'), projectRole(prod.id, 'GROUP_READ_ONLY')],
});
const sa = serviceAccount({
  clientId: 'mdb_sa_id_f000000000000000000000a1',
  projectRoles: [projectRole(stage.id, 'GROUP_OWNER')],
});
prod.databaseUsers = [
  dbUser({ username: 'app' }),
  dbUser({ username: 'idp1/dan@corp.example', databaseName: 'admin', authKind: 'oidc-user' }),
];
stage.teams = [{ teamId: beta.id, roles: ['GROUP_CLUSTER_MANAGER'] }];
alpha.memberIds = [ann.id, cat.id];
beta.memberIds = [ann.id, dan.id];

const estate: Organization = org({
  id: ORG,
  name: 'Acme',
  users: [ann, bob, cat, dan],
  teams: [alpha, beta],
  projects: [prod, stage],
  apiKeys: [key],
  serviceAccounts: [sa],
});
const snap = snapshot([estate]);
const roster = rosterIndex(
  parseRoster(
    rosterCsv([
      { email: 'ann@corp.example', manager: 'mgr@corp.example' },
      // Bob's manager is Bob under another address: an alias, so never Bob's reviewer.
      { email: 'bob@corp.example', manager: 'robert@corp.example', aliases: ['robert@corp.example'] },
      { email: 'cat@corp.example', manager: 'cat@corp.example' },
      { email: 'dan@corp.example', manager: 'ann@corp.example' },
    ]),
    'hr.csv',
  ),
);

const row = (subjectType: string, id: string, name: string, findingSubjects: string[] = []): RoutableRow => ({
  key: `${ORG}:${subjectType}:${id}`,
  orgId: ORG,
  subjectType,
  id,
  name,
  findingSubjects,
});
const ROWS = {
  ann: row('user', ann.id, ann.username),
  bob: row('user', bob.id, bob.username),
  cat: row('user', cat.id, cat.username),
  dan: row('user', dan.id, dan.username),
  key: row('apiKey', key.id, key.publicKey),
  sa: row('serviceAccount', sa.clientId, sa.name),
  app: row('databaseUser', `${prod.id}/admin/app`, 'app'),
  oidc: row('databaseUser', `${prod.id}/admin/idp1/dan@corp.example`, 'idp1/dan@corp.example'),
  entry: row('networkAccessEntry', `${prod.id}/0.0.0.0/0`, '0.0.0.0/0'),
};

const policy = (over: Partial<ReviewPolicy> = {}): ReviewPolicy => ({
  ...reviewPolicySchema.parse({
    fallbackReviewer: 'lead@corp.example',
    teamOwners: { alpha: 'alpha-owner@corp.example', [beta.id]: 'beta-owner@corp.example' },
    projectOwners: { stage: 'stage-owner@corp.example', [prod.id]: 'prod-owner@corp.example' },
  }),
  ...over,
});

const route = (r: RoutableRow, p: ReviewPolicy = policy(), people: typeof roster | null = roster) => {
  const [routed] = routeRows([r], snap, people, p);
  return [routed!.route, routed!.reviewer];
};

describe('DEFAULT_REVIEW_POLICY', () => {
  it('is what the schema makes of an empty review section (it is written out so that loading the module builds no schema)', () => {
    expect(DEFAULT_REVIEW_POLICY).toStrictEqual(reviewPolicySchema.parse({}));
  });
});

describe('routeRows', () => {
  it.each([
    ['a user: their manager from the roster', ROWS.ann, ['manager', 'mgr@corp.example']],
    [
      'a manager who is the user: next route (team owner, first team by name)',
      ROWS.cat,
      ['teamOwner', 'alpha-owner@corp.example'],
    ],
    [
      'a manager who is an alias of the user: next route (project owner)',
      ROWS.bob,
      ['projectOwner', 'stage-owner@corp.example'],
    ],
    [
      'an OIDC Workforce database user: the manager of the person it names',
      ROWS.oidc,
      ['manager', 'ann@corp.example'],
    ],
    [
      'an API key: the owner of its first project by name',
      ROWS.key,
      ['projectOwner', 'prod-owner@corp.example'],
    ],
    ['a service account: the owner of its project', ROWS.sa, ['projectOwner', 'stage-owner@corp.example']],
    [
      'a SCRAM database user: the owner of its project (by id)',
      ROWS.app,
      ['projectOwner', 'prod-owner@corp.example'],
    ],
    [
      'an access list entry: the owner of its project',
      ROWS.entry,
      ['projectOwner', 'prod-owner@corp.example'],
    ],
  ])('%s', (_what, r, expected) => expect(route(r)).toEqual(expected));

  it('a team owner by team id, and a user in several owned teams gets the first by name', () => {
    const p = policy({ routing: ['teamOwner', 'fallback'] });
    expect(route(ROWS.dan, p)).toEqual(['teamOwner', 'beta-owner@corp.example']);
    expect(route(ROWS.ann, p)).toEqual(['teamOwner', 'alpha-owner@corp.example']);
  });

  it('projects held through a team count for a user', () => {
    const p = policy({ routing: ['projectOwner'] });
    expect(route(ROWS.dan, p)).toEqual(['projectOwner', 'stage-owner@corp.example']);
  });

  it('follows the policy order', () => {
    expect(route(ROWS.ann, policy({ routing: ['projectOwner', 'manager'] }))).toEqual([
      'projectOwner',
      'stage-owner@corp.example',
    ]);
    expect(route(ROWS.ann, policy({ routing: ['fallback'] }))).toEqual(['fallback', 'lead@corp.example']);
  });

  it('an org fallback (by id or name) wins over the fallback reviewer', () => {
    const byName = policy({
      routing: ['fallback'],
      orgFallbackReviewers: { Acme: 'acme-lead@corp.example' },
    });
    expect(route(ROWS.ann, byName)).toEqual(['fallback', 'acme-lead@corp.example']);
    const byId = policy({ routing: ['fallback'], orgFallbackReviewers: { [ORG]: 'acme-id@corp.example' } });
    expect(route(ROWS.ann, byId)).toEqual(['fallback', 'acme-id@corp.example']);
  });

  it('skips a reviewer who is a subject of one of the row’s findings', () => {
    const flagged = { ...ROWS.ann, findingSubjects: ['MGR@corp.example'] };
    expect(route(flagged)).toEqual(['teamOwner', 'alpha-owner@corp.example']);
  });

  it('skips the subject as a team owner, project owner or fallback alike (normalised addresses)', () => {
    const self = policy({
      teamOwners: { alpha: 'CAT@corp.example', beta: 'beta-owner@corp.example' },
      projectOwners: {},
      fallbackReviewer: 'Cat <cat@corp.example>',
      orgFallbackReviewers: {},
    });
    // Cat's own manager is Cat, alpha's owner is Cat; Cat is in no other owned team, the fallback is Cat.
    expect(() => routeRows([ROWS.cat], snap, roster, self)).toThrow(NoReviewerError);
    expect(route(ROWS.cat, { ...self, fallbackReviewer: 'lead@corp.example' })).toEqual([
      'fallback',
      'lead@corp.example',
    ]);
  });

  it('without a roster the manager route is skipped', () => {
    expect(route(ROWS.ann, policy(), null)).toEqual(['teamOwner', 'alpha-owner@corp.example']);
  });

  it('a row no route answers, without a fallback reviewer, is an error naming the row', () => {
    const none = reviewPolicySchema.parse({});
    expect(() => routeRows([ROWS.key], snap, roster, none)).toThrow(
      `no reviewer for ${key.publicKey} (${ROWS.key.key}) of Acme`,
    );
  });

  it('is deterministic: the same reviewers whatever the order of teams and projects in the snapshot', () => {
    const rows = Object.values(ROWS);
    const first = routeRows(rows, snap, roster, policy());
    const shuffled = snapshot([
      { ...estate, teams: [...estate.teams].reverse(), projects: [...estate.projects].reverse() },
    ]);
    expect(routeRows(rows, shuffled, roster, policy())).toEqual(first);
    expect(routeRows(rows, snap, roster, policy())).toEqual(first);
    expect(first.map((r) => r.key)).toEqual(rows.map((r) => r.key));
  });
});
