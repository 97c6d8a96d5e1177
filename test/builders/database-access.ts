/** Builders of database access (schema 3) for rule cases: database users, custom roles, access lists, clusters. */
import type {
  AccessHistory,
  Cluster,
  CustomRole,
  DatabaseAccessSummary,
  DatabaseUser,
  NetworkAccessEntry,
  Organization,
  Project,
} from '../../src/snapshot/schema.js';
import { daysAgo, org, project } from './snapshot.js';

export function dbUser(over: Partial<DatabaseUser> = {}): DatabaseUser {
  return {
    username: 'app',
    databaseName: 'admin',
    authKind: 'scram',
    roles: [{ roleName: 'readWrite', databaseName: 'app', collectionName: null }],
    scopes: [],
    deleteAfterDate: null,
    description: null,
    labels: [],
    certificates: [],
    ...over,
  };
}

export const role = (roleName: string, databaseName = 'admin'): DatabaseUser['roles'][number] => ({
  roleName,
  databaseName,
  collectionName: null,
});

export function customRole(over: Partial<CustomRole> = {}): CustomRole {
  return {
    roleName: 'appRole',
    actions: [{ action: 'find', resources: [{ cluster: false, db: 'app', collection: '' }] }],
    inheritedRoles: [],
    ...over,
  };
}

export const action = (name: string): CustomRole['actions'][number] => ({
  action: name,
  resources: [{ cluster: false, db: 'app', collection: '' }],
});

export function networkEntry(over: Partial<NetworkAccessEntry> = {}): NetworkAccessEntry {
  return {
    cidrBlock: '203.0.113.0/24',
    ipAddress: null,
    awsSecurityGroup: null,
    comment: 'office',
    deleteAfterDate: null,
    ...over,
  };
}

/** A summary of one user's successful sign-ins, the last `lastDaysAgo` days ago (null: only failures). */
export function summary(
  username: string,
  lastDaysAgo: number | null,
  authSource = 'admin',
): DatabaseAccessSummary {
  return {
    username,
    authSource,
    lastSuccessAt: lastDaysAgo === null ? null : daysAgo(lastDaysAgo),
    successes: lastDaysAgo === null ? 0 : 3,
    failures: lastDaysAgo === null ? 2 : 0,
    sourceIps: ['203.0.113.7'],
  };
}

/** A 90-day access history with these summaries (status `collected`). */
export function history(summaries: DatabaseAccessSummary[] = []): AccessHistory {
  return {
    status: 'collected',
    reason: null,
    from: daysAgo(90),
    to: daysAgo(0),
    lines: summaries.length,
    summaries,
  };
}

export function cluster(name: string, accessHistory: AccessHistory = history(), tier = 'M10'): Cluster {
  return { id: null, name, tier, clusterType: 'REPLICASET', paused: false, accessHistory };
}

/** A cluster whose tier cannot provide access history. */
export function tenantCluster(name: string): Cluster {
  return cluster(
    name,
    {
      status: 'unsupported',
      reason: 'tenant tier M0 has no database access history',
      from: null,
      to: null,
      lines: 0,
      summaries: [],
    },
    'M0',
  );
}

/** An org with one project holding this database access (the project id fixed per call). */
export function dbOrg(p: Partial<Project> = {}, over: Partial<Organization> = {}): Organization {
  const clusters = p.clusters ?? [cluster('Cluster0')];
  return org({
    projects: [
      project({
        name: 'payments',
        clusterCount: clusters.length,
        networkAccess: [networkEntry()],
        ...p,
        clusters,
      }),
    ],
    ...over,
  });
}
