/**
 * Case table for diffSnapshots: every change kind, built from the shared snapshot builders. Each case
 * mutates a copy of a base org and states exactly which changes (kind, subject, added/removed,
 * escalations) must come out, and that nothing else does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CHANGE_KINDS, type Change, type ChangeKind, diffSnapshots } from '../../src/changes/diff.js';
import { formatDiffJson, formatDiffMarkdown, formatDiffText } from '../../src/changes/format-diff.js';
import type { DatabaseUser, NetworkAccessEntry, Organization } from '../../src/snapshot/schema.js';
import {
  apiKey,
  invitation,
  org,
  project,
  projectRole,
  resetIds,
  serviceAccount,
  snapshot,
  syncTeams,
  team,
  user,
} from '../builders/snapshot.js';

const ORG = '0000000000000000000000aa';
const P1 = 'd00000000000000000000001';
const P2 = 'd00000000000000000000002';
const T1 = 'c00000000000000000000001';
const T2 = 'c00000000000000000000002';
const ALICE = 'b00000000000000000000001';
const BOB = 'b00000000000000000000002';
const INV = 'b00000000000000000000003';
const KEY = 'e00000000000000000000001';
const SA = 'mdb_sa_id_f00000000000000000000001';

function dbUser(username: string, roleName: string): DatabaseUser {
  return {
    username,
    databaseName: 'admin',
    authKind: 'scram',
    roles: [{ roleName, databaseName: 'admin', collectionName: null }],
    scopes: [],
    deleteAfterDate: null,
    description: null,
    labels: [],
    certificates: [],
  };
}

function entry(cidrBlock: string, comment: string | null): NetworkAccessEntry {
  return { cidrBlock, ipAddress: null, awsSecurityGroup: null, comment, deleteAfterDate: null };
}

const prod = (o: Organization) => o.projects.find((p) => p.id === P1)!;

/** A base org holding one of everything, rebuilt fresh for every case. */
function base(): Organization {
  return syncTeams(
    org({
      id: ORG,
      name: 'Northwind',
      users: [
        user({
          id: ALICE,
          username: 'alice@example.com',
          orgRoles: ['ORG_OWNER'],
          teamIds: [T1],
          projectRoles: [projectRole(P1, 'GROUP_READ_ONLY')],
        }),
        user({ id: BOB, username: 'bob@example.com', orgRoles: ['ORG_OWNER'], teamIds: [T1] }),
        invitation({ id: INV, username: 'carol@example.com', orgRoles: ['ORG_MEMBER'] }),
      ],
      teams: [team({ id: T1, name: 'admins' }), team({ id: T2, name: 'devs' })],
      projects: [
        project({
          id: P1,
          name: 'prod',
          teams: [{ teamId: T1, roles: ['GROUP_OWNER'] }],
          databaseUsers: [dbUser('app', 'readWrite'), dbUser('ops', 'ops-role')],
          customRoles: [
            { roleName: 'ops-role', actions: [], inheritedRoles: [{ db: 'admin', role: 'read' }] },
          ],
          networkAccess: [entry('10.0.0.0/24', 'office')],
        }),
        project({ id: P2, name: 'staging', teams: [{ teamId: T2, roles: ['GROUP_READ_ONLY'] }] }),
      ],
      apiKeys: [apiKey({ id: KEY, publicKey: 'abcdefgh', orgRoles: ['ORG_READ_ONLY'] })],
      serviceAccounts: [
        serviceAccount({
          clientId: SA,
          name: 'ci',
          orgRoles: ['ORG_READ_ONLY'],
          secrets: [{ id: '500000000000000000000001', createdAt: null, expiresAt: null, lastUsedAt: null }],
        }),
      ],
    }),
  );
}

type Expected = Partial<
  Pick<Change, 'from' | 'to' | 'label' | 'added' | 'removed' | 'escalations' | 'previousId'>
> & {
  kind: ChangeKind;
  name: string;
};

interface Case {
  name: string;
  change: (o: Organization) => void;
  expect: Expected[];
}

const u = (o: Organization, id: string) => o.users.find((x) => x.id === id)!;

const CASES: Case[] = [
  { name: 'no change', change: () => {}, expect: [] },
  {
    name: 'database user added with a privileged role',
    change: (o) => {
      prod(o).databaseUsers.push(dbUser('etl', 'readWriteAnyDatabase'));
    },
    expect: [
      {
        kind: 'database-user-added',
        name: 'etl (prod, admin)',
        added: ['readWriteAnyDatabase@admin'],
        escalations: ['prod: readWriteAnyDatabase'],
      },
    ],
  },
  {
    name: 'database user removed',
    change: (o) => {
      prod(o).databaseUsers = prod(o).databaseUsers.filter((x) => x.username !== 'app');
    },
    expect: [{ kind: 'database-user-removed', name: 'app (prod, admin)', removed: ['readWrite@admin'] }],
  },
  {
    name: 'database user escalated to atlasAdmin',
    change: (o) => {
      prod(o).databaseUsers[0]!.roles = [
        { roleName: 'atlasAdmin', databaseName: 'admin', collectionName: null },
      ];
    },
    expect: [
      {
        kind: 'database-user-roles-changed',
        name: 'app (prod, admin)',
        added: ['atlasAdmin@admin'],
        removed: ['readWrite@admin'],
        escalations: ['prod: atlasAdmin'],
      },
    ],
  },
  {
    name: 'custom role now inherits a privileged role: its holder escalates without a role change of its own',
    change: (o) => {
      prod(o).customRoles[0]!.inheritedRoles = [{ db: 'admin', role: 'userAdminAnyDatabase' }];
    },
    expect: [
      {
        kind: 'database-user-roles-changed',
        name: 'ops (prod, admin)',
        added: [],
        removed: [],
        escalations: ['prod: userAdminAnyDatabase@admin'],
      },
    ],
  },
  {
    name: 'IP access list opened to the world, and an entry removed',
    change: (o) => {
      prod(o).networkAccess = [entry('0.0.0.0/0', null)];
    },
    expect: [
      {
        kind: 'network-access-added',
        name: '0.0.0.0/0 (prod)',
        added: [],
        escalations: ['prod: 0.0.0.0/0 open to the world'],
      },
      { kind: 'network-access-removed', name: '10.0.0.0/24 (prod)', escalations: [] },
    ],
  },
  {
    name: 'a narrow access list entry added is no escalation',
    change: (o) => {
      prod(o).networkAccess.push(entry('192.0.2.7/32', 'build agent'));
    },
    expect: [
      { kind: 'network-access-added', name: '192.0.2.7/32 (prod)', added: ['build agent'], escalations: [] },
    ],
  },
  {
    name: 'database users not collected this time: said once, not listed as removed',
    change: (o) => {
      o.coverage.databaseUsers = false;
      prod(o).databaseUsers = [];
    },
    expect: [
      {
        kind: 'database-access-not-compared',
        name: 'Northwind',
        from: 'collected',
        to: 'not collected',
        added: ['database users: not collected this time, not compared'],
      },
    ],
  },
  {
    name: 'joiner with a privileged role',
    change: (o) => {
      o.users.push(
        user({ id: 'b00000000000000000000009', username: 'dave@example.com', orgRoles: ['ORG_OWNER'] }),
      );
    },
    expect: [
      {
        kind: 'user-joined',
        name: 'dave@example.com',
        to: 'ACTIVE',
        added: ['ORG_OWNER'],
        escalations: ['ORG_OWNER'],
      },
    ],
  },
  {
    name: 'joiner who enters an owner team gets GROUP_OWNER through it',
    change: (o) => {
      o.users.push(user({ id: 'b00000000000000000000009', username: 'dave@example.com', teamIds: [T1] }));
      syncTeams(o);
    },
    expect: [
      {
        kind: 'user-joined',
        name: 'dave@example.com',
        added: ['ORG_MEMBER', 'team admins'],
        escalations: ['prod: GROUP_OWNER via team admins'],
      },
    ],
  },
  {
    name: 'leaver',
    change: (o) => {
      o.users = o.users.filter((x) => x.id !== BOB);
      syncTeams(o);
    },
    expect: [
      { kind: 'user-left', name: 'bob@example.com', from: 'ACTIVE', removed: ['ORG_OWNER', 'team admins'] },
    ],
  },
  {
    name: 'an invitation sent is not a joiner; an owner invitation is an escalation waiting to be accepted',
    change: (o) => {
      o.users.push(
        invitation({ id: 'b0000000000000000000000a', username: 'erin@example.com', orgRoles: ['ORG_OWNER'] }),
      );
    },
    expect: [
      {
        kind: 'invitation-sent',
        name: 'erin@example.com',
        to: 'PENDING',
        added: ['ORG_OWNER'],
        escalations: ['ORG_OWNER'],
      },
    ],
  },
  {
    name: 'an invitation withdrawn (or deleted after it expired) is not a leaver: nobody left',
    change: (o) => {
      o.users = o.users.filter((x) => x.id !== INV);
    },
    expect: [
      { kind: 'invitation-removed', name: 'carol@example.com', from: 'PENDING', removed: ['ORG_MEMBER'] },
    ],
  },
  {
    name: 'invitation accepted under the same id',
    change: (o) => {
      Object.assign(u(o, INV), { status: 'ACTIVE', lastAuth: '2026-05-30T00:00:00.000Z' });
    },
    expect: [
      {
        kind: 'user-status-changed',
        name: 'carol@example.com',
        from: 'PENDING',
        to: 'ACTIVE',
        label: 'invitation accepted',
      },
    ],
  },
  {
    name: 'invitation accepted under a new id is matched by username',
    change: (o) => {
      o.users = o.users.filter((x) => x.id !== INV);
      o.users.push(user({ id: 'b00000000000000000000008', username: 'Carol@example.com' }));
    },
    expect: [
      {
        kind: 'user-status-changed',
        name: 'Carol@example.com',
        from: 'PENDING',
        to: 'ACTIVE',
        label: 'invitation accepted',
        previousId: INV,
      },
    ],
  },
  {
    name: 'an active user replaced by a same-name user is a leaver and a joiner, not a match',
    change: (o) => {
      o.users = o.users.filter((x) => x.id !== BOB);
      o.users.push(
        user({
          id: 'b00000000000000000000007',
          username: 'bob@example.com',
          orgRoles: ['ORG_OWNER'],
          teamIds: [T1],
        }),
      );
      syncTeams(o);
    },
    expect: [
      {
        kind: 'user-joined',
        name: 'bob@example.com',
        escalations: ['ORG_OWNER', 'prod: GROUP_OWNER via team admins'],
      },
      { kind: 'user-left', name: 'bob@example.com' },
    ],
  },
  {
    name: 'invitation expired',
    change: (o) => {
      u(o, INV).status = 'INVITATION_EXPIRED';
    },
    expect: [{ kind: 'user-status-changed', name: 'carol@example.com', label: 'invitation expired' }],
  },
  {
    name: 'invitation rejected',
    change: (o) => {
      u(o, INV).status = 'INVITATION_REJECTED';
    },
    expect: [{ kind: 'user-status-changed', name: 'carol@example.com', label: 'invitation rejected' }],
  },
  {
    name: 'org role escalation to ORG_OWNER',
    change: (o) => {
      u(o, INV).orgRoles = ['ORG_OWNER'];
    },
    expect: [
      {
        kind: 'user-org-roles-changed',
        name: 'carol@example.com',
        added: ['ORG_OWNER'],
        removed: ['ORG_MEMBER'],
        escalations: ['ORG_OWNER'],
      },
    ],
  },
  {
    name: 'org role downgrade is not an escalation',
    change: (o) => {
      u(o, BOB).orgRoles = ['ORG_MEMBER'];
    },
    expect: [
      {
        kind: 'user-org-roles-changed',
        name: 'bob@example.com',
        added: ['ORG_MEMBER'],
        removed: ['ORG_OWNER'],
        escalations: [],
      },
    ],
  },
  {
    name: 'project role escalation to GROUP_OWNER',
    change: (o) => {
      u(o, ALICE).projectRoles = [projectRole(P1, 'GROUP_OWNER'), projectRole(P2, 'GROUP_READ_ONLY')];
    },
    expect: [
      {
        kind: 'user-project-roles-changed',
        name: 'alice@example.com',
        added: ['prod: GROUP_OWNER', 'staging: GROUP_READ_ONLY'],
        removed: ['prod: GROUP_READ_ONLY'],
        escalations: ['prod: GROUP_OWNER'],
      },
    ],
  },
  {
    name: 'team membership: joins an owner team, leaves another',
    change: (o) => {
      u(o, INV).teamIds = [T1];
      u(o, ALICE).teamIds = [T2];
      syncTeams(o);
    },
    expect: [
      {
        kind: 'user-teams-changed',
        name: 'alice@example.com',
        added: ['devs'],
        removed: ['admins'],
        escalations: [],
      },
      {
        kind: 'user-teams-changed',
        name: 'carol@example.com',
        added: ['admins'],
        removed: [],
        escalations: ['prod: GROUP_OWNER via team admins'],
      },
    ],
  },
  {
    name: 'membership seen only on the team side still counts',
    change: (o) => {
      o.teams.find((t) => t.id === T2)!.memberIds = [BOB];
    },
    expect: [{ kind: 'user-teams-changed', name: 'bob@example.com', added: ['devs'] }],
  },
  {
    name: 'new team with GROUP_OWNER, removed team, renamed team',
    change: (o) => {
      o.teams = o.teams.filter((t) => t.id !== T2);
      o.teams.find((t) => t.id === T1)!.name = 'platform-admins';
      o.teams.push(team({ id: 'c00000000000000000000009', name: 'dba' }));
      o.projects[1]!.teams = [{ teamId: 'c00000000000000000000009', roles: ['GROUP_OWNER'] }];
    },
    expect: [
      {
        kind: 'team-added',
        name: 'dba',
        added: ['staging: GROUP_OWNER'],
        escalations: ['staging: GROUP_OWNER'],
      },
      { kind: 'team-removed', name: 'devs', removed: ['staging: GROUP_READ_ONLY'] },
      { kind: 'team-renamed', name: 'platform-admins', from: 'admins', to: 'platform-admins' },
    ],
  },
  {
    name: 'team gains a project role',
    change: (o) => {
      o.projects[1]!.teams.push({ teamId: T1, roles: ['GROUP_OWNER'] });
    },
    expect: [
      {
        kind: 'team-project-roles-changed',
        name: 'admins',
        added: ['staging: GROUP_OWNER'],
        escalations: ['staging: GROUP_OWNER'],
      },
    ],
  },
  {
    name: 'projects added, removed, renamed',
    change: (o) => {
      o.projects = o.projects.filter((p) => p.id !== P2);
      o.projects[0]!.name = 'production';
      o.projects.push(project({ id: 'd00000000000000000000009', name: 'analytics' }));
    },
    expect: [
      { kind: 'team-project-roles-changed', name: 'devs', removed: ['staging: GROUP_READ_ONLY'] },
      { kind: 'project-added', name: 'analytics' },
      { kind: 'project-removed', name: 'staging' },
      { kind: 'project-renamed', name: 'production', from: 'prod', to: 'production' },
    ],
  },
  {
    name: 'API keys added, removed, role escalation, access list',
    change: (o) => {
      o.apiKeys[0]!.orgRoles = ['ORG_OWNER'];
      o.apiKeys[0]!.accessList = [];
      o.apiKeys.push(
        apiKey({
          id: 'e00000000000000000000009',
          publicKey: 'zzzzzzzz',
          projectRoles: [projectRole(P2, 'GROUP_OWNER')],
        }),
      );
    },
    expect: [
      {
        kind: 'api-key-added',
        name: 'zzzzzzzz',
        added: ['ORG_READ_ONLY', 'staging: GROUP_OWNER'],
        escalations: ['staging: GROUP_OWNER'],
      },
      {
        kind: 'api-key-roles-changed',
        name: 'abcdefgh',
        added: ['ORG_OWNER'],
        removed: ['ORG_READ_ONLY'],
        escalations: ['ORG_OWNER'],
      },
      { kind: 'api-key-access-list-changed', name: 'abcdefgh', added: [], removed: ['10.0.0.0/24'] },
    ],
  },
  {
    name: 'API key removed',
    change: (o) => {
      o.apiKeys = [];
    },
    expect: [{ kind: 'api-key-removed', name: 'abcdefgh', removed: ['ORG_READ_ONLY'] }],
  },
  {
    name: 'service accounts added, removed, roles, secrets',
    change: (o) => {
      const sa = o.serviceAccounts[0]!;
      sa.orgRoles = ['ORG_OWNER'];
      sa.secrets = [{ id: '500000000000000000000009', createdAt: null, expiresAt: null, lastUsedAt: null }];
      o.serviceAccounts.push(serviceAccount({ clientId: 'mdb_sa_id_f00000000000000000000009', name: 'etl' }));
    },
    expect: [
      { kind: 'service-account-added', name: 'etl', added: ['ORG_READ_ONLY'], escalations: [] },
      { kind: 'service-account-roles-changed', name: 'ci', added: ['ORG_OWNER'], escalations: ['ORG_OWNER'] },
      {
        kind: 'service-account-secrets-changed',
        name: 'ci',
        added: ['500000000000000000000009'],
        removed: ['500000000000000000000001'],
      },
    ],
  },
  {
    name: "a service account's project roles, GROUP_OWNER an escalation",
    change: (o) => {
      o.serviceAccounts[0]!.projectRoles = [
        projectRole(P1, 'GROUP_OWNER'),
        projectRole(P2, 'GROUP_READ_ONLY'),
      ];
    },
    expect: [
      {
        kind: 'service-account-roles-changed',
        name: 'ci',
        added: ['prod: GROUP_OWNER', 'staging: GROUP_READ_ONLY'],
        removed: [],
        escalations: ['prod: GROUP_OWNER'],
      },
    ],
  },
  {
    name: 'idle session timeout lengthened',
    change: (o) => {
      o.settings!.idleSessionTimeoutInSeconds = 7200;
    },
    expect: [
      {
        kind: 'org-settings-changed',
        name: 'Northwind',
        label: 'idleSessionTimeoutInSeconds',
        from: '900',
        to: '7200',
      },
    ],
  },
  {
    name: 'service account removed',
    change: (o) => {
      o.serviceAccounts = [];
    },
    expect: [{ kind: 'service-account-removed', name: 'ci', removed: ['ORG_READ_ONLY'] }],
  },
  {
    name: 'org renamed and MFA requirement turned off',
    change: (o) => {
      o.name = 'Northwind Traders';
      o.settings!.multiFactorAuthRequired = false;
    },
    expect: [
      { kind: 'org-renamed', name: 'Northwind Traders', from: 'Northwind', to: 'Northwind Traders' },
      {
        kind: 'org-settings-changed',
        name: 'Northwind Traders',
        label: 'multiFactorAuthRequired',
        from: 'true',
        to: 'false',
      },
    ],
  },
];

describe('diffSnapshots case table', () => {
  beforeEach(() => resetIds());
  it.each(CASES)('$name', ({ change, expect: expected }) => {
    const before = snapshot([base()]);
    const afterOrg = base();
    change(afterOrg);
    const after = snapshot([afterOrg], { collectedAt: '2026-09-01T12:00:00.000Z' });
    const diff = diffSnapshots(before, after);
    const changes = diff.organizations.flatMap((o) => o.changes);
    expect(changes.map((c) => [c.kind, c.subject.name])).toEqual(expected.map((e) => [e.kind, e.name]));
    changes.forEach((c, i) => {
      const { kind: _k, name: _n, ...fields } = expected[i]!;
      expect(c).toMatchObject(fields);
    });
    expect(diff.summary.total).toBe(expected.length);
    expect(diff.summary.escalations).toBe(changes.filter((c) => c.escalations.length > 0).length);
    expect(diff.organizations[0]!.status).toBe(expected.length === 0 ? 'unchanged' : 'changed');
  });

  it('covers every change kind except whole-org ones in the table', () => {
    const covered = new Set(CASES.flatMap((c) => c.expect.map((e) => e.kind)));
    const missing = CHANGE_KINDS.filter((k) => !covered.has(k) && k !== 'org-added' && k !== 'org-removed');
    expect(missing).toEqual([]);
  });
});

describe('against a snapshot upgraded from schema 2 (no database data)', () => {
  it('says "not collected last time" once per dataset instead of listing every database user as added', () => {
    const previous = base();
    previous.coverage.databaseUsers = false;
    previous.coverage.networkAccess = false;
    prod(previous).databaseUsers = [];
    prod(previous).networkAccess = [];
    const now = base();
    prod(now).networkAccess.push(entry('::/0', null));
    const diff = diffSnapshots(snapshot([previous]), snapshot([now]));
    const changes = diff.organizations.flatMap((o) => o.changes);
    expect(changes.map((c) => [c.kind, c.added])).toEqual([
      ['database-access-not-compared', ['database users: not collected last time, not compared']],
      ['database-access-not-compared', ['IP access list: not collected last time, not compared']],
    ]);
    expect(diff.summary.escalations).toBe(0);
    expect(formatDiffText(diff)).toContain('Database access not compared: Northwind');
  });
});

describe('against a snapshot upgraded from schema 1', () => {
  it("does not report service accounts' project roles or session timeouts that schema 1 never read as changes", () => {
    const previous = base();
    previous.coverage.serviceAccountAccess = false;
    previous.coverage.sessionTimeouts = false;
    previous.serviceAccounts[0]!.projectRoles = [];
    previous.settings!.idleSessionTimeoutInSeconds = null;
    const now = base();
    now.serviceAccounts[0]!.projectRoles = [projectRole(P1, 'GROUP_OWNER')];
    now.serviceAccounts[0]!.orgRoles = ['ORG_MEMBER'];
    const diff = diffSnapshots(
      snapshot([previous]),
      snapshot([now], { collectedAt: '2026-09-01T12:00:00.000Z' }),
    );
    const changes = diff.organizations.flatMap((o) => o.changes);
    // Org roles were read by both: still compared.
    expect(changes.map((c) => [c.kind, c.added, c.removed])).toEqual([
      ['service-account-roles-changed', ['ORG_MEMBER'], ['ORG_READ_ONLY']],
    ]);
  });
});

describe('whole organizations', () => {
  it('reports an org present in one snapshot only as added or removed, with its owners as escalations', () => {
    const a = base();
    const b = org({ id: '0000000000000000000000bb', name: 'Acme' });
    const diff = diffSnapshots(snapshot([a]), snapshot([b]));
    expect(diff.organizations.map((o) => [o.orgName, o.status])).toEqual([
      ['Acme', 'added'],
      ['Northwind', 'removed'],
    ]);
    expect(diff.organizations[0]!.changes[0]!.escalations).toEqual([
      'ORG_OWNER owner1@example.com',
      'ORG_OWNER owner2@example.com',
    ]);
    expect(diff.summary.byKind['org-added']).toBe(1);
    expect(diff.summary.byKind['org-removed']).toBe(1);
  });
});

describe('formatters', () => {
  const hostile = () => {
    const o = base();
    o.users.push(
      user({
        id: 'b00000000000000000000009',
        username: '<b>x</b>|`y`\u001b[2J@evil.example',
        orgRoles: ['ORG_OWNER'],
      }),
    );
    return diffSnapshots(snapshot([base()]), snapshot([o]), {
      oldFile: { file: 'q2.json', sha256: 'a'.repeat(64) },
      newFile: { file: 'q3.json', sha256: 'b'.repeat(64) },
    });
  };
  it('text marks escalations and neutralises control characters', () => {
    const text = formatDiffText(hostile());
    expect(text).toContain('!! Joiner: <b>x</b>|`y`?[2J@evil.example');
    expect(text).toContain('privilege escalation: ORG_OWNER');
    expect(text).not.toContain('\u001b');
    expect(text).toContain('1 change: 1 joiner, 0 leavers, 1 privilege escalation');
  });
  it('markdown escapes Atlas values and lists escalations first', () => {
    const md = formatDiffMarkdown(hostile());
    expect(md).toContain('### Privilege escalations');
    expect(md).toContain('&lt;b&gt;x&lt;/b&gt;\\|\\`y\\`');
    expect(md).not.toContain('<b>');
  });
  it('json round-trips and is deterministic', () => {
    const a = formatDiffJson(hostile());
    expect(JSON.parse(a).summary.escalations).toBe(1);
    expect(formatDiffJson(hostile())).toBe(a);
  });
});
