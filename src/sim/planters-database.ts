/**
 * Planters of the database-access rules: each changes exactly what its rule must find in the clean
 * database access of estate-database.ts and records it. They run in the `afterDatabase` phase, in
 * registry order, and draw only on the org's database stream.
 *
 * Subject ids (what `planted` lists and the audit's findings must name):
 * - databaseUser: `{projectId}/{databaseName}/{username}` (a database user's identity in a project);
 * - customRole: `{projectId}/{roleName}`;
 * - networkAccessEntry: `{projectId}/{entry value}` (CIDR, address or security group, as in its DELETE path);
 * - project: the project id.
 *
 * Rules without a planter: `db-user-no-expiry` and `db-user-password-auth` are off by default (policy
 * `requireExpiry`, `requireExternalAuth`), so with the default policy the clean data must not fire
 * them; `x509-cert-expired` cannot be planted faithfully, because Atlas's certificates endpoint lists
 * only unexpired certificates (spec: listGroupDatabaseUserCerts), so the generator makes none that has
 * expired at its `now`. The rule fires on a snapshot audited after a listed certificate ended
 * (docs/audit.md, "X.509 certificates"; test/sim/x509-expiry.test.ts collects and audits such a case).
 */
import type { DatabaseUser, NetworkAccessEntry, Project } from '../snapshot/schema.js';
import {
  ACCESS_HISTORY_DAYS,
  entryValue,
  OIDC_IDP_ID,
  reachableClusters,
  setSummary,
} from './estate-database.js';
import { byKey, DAY, iso } from './estate-random.js';
import { COMPANY_EMAIL_DOMAINS } from './estate-terms.js';
import type { OrgWork } from './org-work.js';
import type { Planter } from './planters.js';

/** The id of a database user subject. */
function databaseUserSubjectId(projectId: string, user: Pick<DatabaseUser, 'databaseName' | 'username'>) {
  return `${projectId}/${user.databaseName}/${user.username}`;
}
/** The id of a custom role subject. */
function customRoleSubjectId(projectId: string, roleName: string): string {
  return `${projectId}/${roleName}`;
}
/** The id of an access list entry subject. */
function networkEntrySubjectId(projectId: string, entry: NetworkAccessEntry): string {
  return `${projectId}/${entryValue(entry)}`;
}

const placement = { plan: 'first-and-some', stream: 'database' } as const;

/** Database users a planter already changed in this org (one violation per user). */
const taken = new WeakMap<OrgWork, Set<DatabaseUser>>();
function takenIn(work: OrgWork): Set<DatabaseUser> {
  let set = taken.get(work);
  if (!set) {
    set = new Set();
    taken.set(work, set);
  }
  return set;
}

/** A free database user matching `fits`, drawn from the database stream; marks it taken. */
function pickUser(
  work: OrgWork,
  fits: (project: Project, user: DatabaseUser) => boolean,
): { project: Project; user: DatabaseUser } | undefined {
  const used = takenIn(work);
  const candidates = work.projects.flatMap((project) =>
    project.databaseUsers.filter((u) => !used.has(u) && fits(project, u)).map((user) => ({ project, user })),
  );
  if (candidates.length === 0) return undefined;
  const found = work.database.pick(candidates);
  used.add(found.user);
  return found;
}

function recordUser(
  work: OrgWork,
  kind: Parameters<OrgWork['record']>[0],
  project: Project,
  user: DatabaseUser,
  note: string,
) {
  work.record(kind, 'databaseUser', databaseUserSubjectId(project.id, user), note);
}

/** Every cluster the user reaches has collected history (so activity rules can judge it). */
function fullyCollected(project: Project, user: DatabaseUser): boolean {
  const reach = reachableClusters(project, user);
  return reach.length > 0 && reach.every((c) => c.accessHistory.status === 'collected');
}

/** Removes a user's summaries from every cluster of its project. */
function forgetHistory(project: Project, user: DatabaseUser): void {
  for (const c of project.clusters) {
    setSummary(c, {
      username: user.username,
      authSource: null,
      lastSuccessAt: null,
      successes: 0,
      failures: 0,
      sourceIps: [],
    });
  }
}

const PRIVILEGED_GRANTS = [
  'atlasAdmin',
  'readWriteAnyDatabase',
  'dbAdminAnyDatabase',
  'userAdminAnyDatabase',
];

const dbUserPrivileged: Planter = {
  placement,
  afterDatabase: (work) => {
    const found = pickUser(work, () => true);
    if (!found) return;
    const role = work.database.pick(PRIVILEGED_GRANTS);
    found.user.roles = [...found.user.roles, { roleName: role, databaseName: 'admin', collectionName: null }];
    recordUser(work, 'db-user-privileged', found.project, found.user, `holds ${role}`);
  },
};

const customRoleDangerousActions: Planter = {
  placement,
  afterDatabase: (work) => {
    const projects = work.projects.filter((p) => p.clusters.length > 0);
    if (projects.length === 0) return;
    const project = work.database.pick(projects);
    const roleName = 'ops-maintenance';
    if (project.customRoles.some((r) => r.roleName === roleName)) return;
    project.customRoles = [
      ...project.customRoles,
      {
        roleName,
        actions: [
          { action: 'DROP_DATABASE', resources: [{ cluster: false, db: 'appdb', collection: '' }] },
          { action: 'FIND', resources: [{ cluster: false, db: 'appdb', collection: '' }] },
        ],
        inheritedRoles: [],
      },
    ].sort(byKey((r) => r.roleName));
    work.record(
      'custom-role-dangerous-actions',
      'customRole',
      customRoleSubjectId(project.id, roleName),
      'grants DROP_DATABASE',
    );
  },
};

const dbUserUnscoped: Planter = {
  placement,
  afterDatabase: (work) => {
    const found = pickUser(work, (p, u) => p.clusters.length > 1 && u.scopes.length > 0);
    if (!found) return;
    found.user.scopes = [];
    recordUser(
      work,
      'db-user-unscoped',
      found.project,
      found.user,
      `reaches all ${found.project.clusters.length} clusters`,
    );
  },
};

const dbUserTemporaryExpired: Planter = {
  placement,
  afterDatabase: (work) => {
    const found = pickUser(work, () => true);
    if (!found) return;
    const days = work.database.int(1, 20);
    found.user.deleteAfterDate = iso(work.now - days * DAY);
    recordUser(
      work,
      'db-user-temporary-expired',
      found.project,
      found.user,
      `deleteAfterDate ${days} days ago`,
    );
  },
};

const dbUserInactive: Planter = {
  placement,
  afterDatabase: (work) => {
    const found = pickUser(work, fullyCollected);
    if (!found) return;
    const { project, user } = found;
    forgetHistory(project, user);
    const days = work.database.int(100, ACCESS_HISTORY_DAYS - 10);
    const cluster = reachableClusters(project, user)[0];
    if (!cluster) return;
    setSummary(cluster, {
      username: user.username,
      authSource: user.databaseName,
      lastSuccessAt: iso(work.now - days * DAY),
      successes: work.database.int(1, 3),
      failures: 0,
      sourceIps: ['198.51.100.20'],
    });
    recordUser(work, 'db-user-inactive', project, user, `last authenticated ${days} days ago`);
  },
};

const dbUserNeverUsed: Planter = {
  placement,
  afterDatabase: (work) => {
    const found = pickUser(work, fullyCollected);
    if (!found) return;
    const { project, user } = found;
    forgetHistory(project, user);
    const cluster = reachableClusters(project, user)[0];
    if (cluster && work.database.chance(0.5)) {
      // Failed attempts only: a wrong password is not a use.
      setSummary(cluster, {
        username: user.username,
        authSource: user.databaseName,
        lastSuccessAt: null,
        successes: 0,
        failures: 2,
        sourceIps: ['198.51.100.20'],
      });
    }
    recordUser(work, 'db-user-never-used', project, user, 'no successful authentication in the window');
  },
};

const x509CertExpiring: Planter = {
  placement,
  afterDatabase: (work) => {
    const found = pickUser(work, (_p, u) => u.authKind === 'x509-managed' && u.certificates.length > 0);
    if (!found) return;
    const days = work.database.int(3, 25);
    const [first, ...rest] = found.user.certificates;
    if (!first) return;
    found.user.certificates = [{ ...first, notAfter: iso(work.now + days * DAY) }, ...rest];
    recordUser(
      work,
      'x509-cert-expiring',
      found.project,
      found.user,
      `a certificate expires in ${days} days`,
    );
  },
};

const dbUserOrphanIdentity: Planter = {
  placement,
  afterDatabase: (work) => {
    const found = pickUser(work, (_p, u) => u.authKind === 'oidc-user' || u.authKind === 'ldap-user');
    if (!found) return;
    const { project, user } = found;
    const email = `former.contractor${work.database.int(1, 99)}@${COMPANY_EMAIL_DOMAINS[0]}`;
    const renamed = user.authKind === 'oidc-user' ? `${OIDC_IDP_ID}/${email}` : email;
    if (project.databaseUsers.some((u) => u.username === renamed)) return;
    for (const c of project.clusters) {
      const s = c.accessHistory.summaries.find((x) => x.username === user.username);
      if (!s) continue;
      forgetHistory({ ...project, clusters: [c] }, user);
      setSummary(c, { ...s, username: renamed });
    }
    user.username = renamed;
    project.databaseUsers.sort(byKey((u) => `${u.databaseName}/${u.username}`));
    recordUser(work, 'db-user-orphan-identity', project, user, `${email} is no member of the organization`);
  },
};

/** Projects whose access list is not emptied by the planter that needs one empty. */
const emptied = new WeakMap<OrgWork, Project>();

const projectDbUsersNoAccessList: Planter = {
  placement,
  afterDatabase: (work) => {
    const projects = work.projects.filter((p) => p.databaseUsers.length > 0);
    if (projects.length < 2) return;
    const project = work.database.pick(projects);
    project.networkAccess = [];
    emptied.set(work, project);
    work.record(
      'project-db-users-no-access-list',
      'project',
      project.id,
      `${project.databaseUsers.length} database users, no access list`,
    );
  },
};

/** Adds an entry to a project other than the one emptied; records it. */
function addEntry(
  work: OrgWork,
  kind: Parameters<OrgWork['record']>[0],
  entry: NetworkAccessEntry,
  note: string,
) {
  const projects = work.projects.filter((p) => p !== emptied.get(work));
  if (projects.length === 0) return;
  const project = work.database.pick(projects);
  if (project.networkAccess.some((e) => entryValue(e) === entryValue(entry))) return;
  project.networkAccess = [...project.networkAccess, entry].sort(byKey(entryValue));
  work.record(kind, 'networkAccessEntry', networkEntrySubjectId(project.id, entry), note);
}

const networkAccessOpenToWorld: Planter = {
  placement,
  afterDatabase: (work) => {
    const entry = {
      cidrBlock: '0.0.0.0/0',
      ipAddress: null,
      awsSecurityGroup: null,
      comment: 'vendor debugging',
      deleteAfterDate: null,
    };
    addEntry(work, 'network-access-open-to-world', entry, 'allows every address');
  },
};

const networkAccessWideCidr: Planter = {
  placement,
  afterDatabase: (work) => {
    const prefix = work.database.pick([8, 12, 15]);
    const block = prefix === 8 ? '10.0.0.0/8' : prefix === 12 ? '172.16.0.0/12' : '100.64.0.0/15';
    const entry = {
      cidrBlock: block,
      ipAddress: null,
      awsSecurityGroup: null,
      comment: 'legacy datacenter',
      deleteAfterDate: null,
    };
    addEntry(work, 'network-access-wide-cidr', entry, `a /${prefix} block`);
  },
};

const networkAccessNoComment: Planter = {
  placement,
  afterDatabase: (work) => {
    const candidates = work.projects.flatMap((project) =>
      project.networkAccess.filter((e) => e.comment !== null).map((entry) => ({ project, entry })),
    );
    if (candidates.length === 0) return;
    const { project, entry } = work.database.pick(candidates);
    entry.comment = null;
    work.record(
      'network-access-no-comment',
      'networkAccessEntry',
      networkEntrySubjectId(project.id, entry),
      'no comment',
    );
  },
};

/** The database planters in registry order (the order fixes the draws each makes: keep it). */
export const DATABASE_PLANTERS = {
  'project-db-users-no-access-list': projectDbUsersNoAccessList,
  'db-user-privileged': dbUserPrivileged,
  'custom-role-dangerous-actions': customRoleDangerousActions,
  'db-user-unscoped': dbUserUnscoped,
  'db-user-temporary-expired': dbUserTemporaryExpired,
  'db-user-inactive': dbUserInactive,
  'db-user-never-used': dbUserNeverUsed,
  'x509-cert-expiring': x509CertExpiring,
  'db-user-orphan-identity': dbUserOrphanIdentity,
  'network-access-open-to-world': networkAccessOpenToWorld,
  'network-access-wide-cidr': networkAccessWideCidr,
  'network-access-no-comment': networkAccessNoComment,
} as const satisfies Record<string, Planter>;
