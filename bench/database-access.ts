/**
 * Database access for benchmark estates: database users of every auth kind, custom roles, access
 * lists and clusters with access-history summaries, spread over the projects of generated orgs.
 * Deterministic (a fixed pseudo-random sequence), so figures compare across runs.
 *
 * The simulator (src/sim) is the source of realistic estates; this adds the volume the audit
 * benchmark needs without depending on its generator's shape.
 */
import type { Cluster, DatabaseUser, Organization } from '../src/snapshot/schema.js';

const KINDS: DatabaseUser['authKind'][] = [
  'scram',
  'scram',
  'scram',
  'x509-managed',
  'ldap-user',
  'oidc-user',
  'aws-iam-role',
  'oidc-group',
];
/** The planted share of each violation: one in VIOLATION (5%), like an estate that is mostly clean. */
const VIOLATION = 20;
const ROLES = ['readWrite', 'read', 'readWrite', 'dbAdmin', 'reporting'];
const PRIVILEGED = ['readWriteAnyDatabase', 'atlasAdmin', 'ops'];
const DAY = 86_400_000;

/** Adds `perOrg` database users (and roles, access lists, clusters) to every project of `orgs`, in place. */
export function addDatabaseAccess(orgs: Organization[], perOrg: number, now: Date): number {
  // mulberry32: a linear congruential generator's low bits repeat with a short period, which
  // skewed every `rnd(n) === 0` share.
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const at = (daysAgo: number): string => new Date(now.getTime() - daysAgo * DAY).toISOString();
  let total = 0;
  for (const org of orgs) {
    const members = org.users.map((u) => u.username);
    const perProject = Math.ceil(perOrg / Math.max(1, org.projects.length));
    let left = perOrg;
    org.projects.forEach((p, pi) => {
      const users: DatabaseUser[] = [];
      for (let i = 0; i < perProject && left > 0; i++, left--) {
        const authKind = KINDS[rnd(KINDS.length)]!;
        const external = authKind !== 'scram';
        const person = members[rnd(members.length)] ?? 'x@example.com';
        const username =
          authKind === 'oidc-user'
            ? `0oaidp/${rnd(VIOLATION) === 0 ? `left${i}@example.com` : person}`
            : authKind === 'ldap-user'
              ? `uid=${person.split('@')[0]},ou=people,dc=${(person.split('@')[1] ?? 'example.com').replace(/\./g, ',dc=')}`
              : `${authKind}-${pi}-${i}`;
        users.push({
          username,
          databaseName: external ? '$external' : 'admin',
          authKind,
          roles: [
            {
              roleName:
                rnd(VIOLATION) === 0 ? PRIVILEGED[rnd(PRIVILEGED.length)]! : ROLES[rnd(ROLES.length)]!,
              databaseName: 'app',
              collectionName: null,
            },
          ],
          scopes: rnd(VIOLATION) === 0 ? [] : [{ name: `c${rnd(2)}`, type: 'CLUSTER' }],
          deleteAfterDate: rnd(VIOLATION) === 0 ? at(rnd(20) - 10) : null,
          description: null,
          labels: [],
          certificates:
            authKind === 'x509-managed'
              ? [
                  {
                    id: String(i),
                    createdAt: at(300),
                    notAfter: at(rnd(VIOLATION) === 0 ? rnd(60) - 30 : -200 - rnd(100)),
                  },
                ]
              : [],
        });
      }
      const clusters: Cluster[] = ['c0', 'c1', 'c2'].map((name, ci) => {
        const tenant = pi % VIOLATION === 0 && ci === 2;
        return {
          id: null,
          name,
          tier: tenant ? 'M0' : 'M30',
          clusterType: 'REPLICASET',
          paused: false,
          accessHistory: tenant
            ? { status: 'unsupported', reason: 'tenant tier', from: null, to: null, lines: 0, summaries: [] }
            : {
                status: 'collected',
                reason: null,
                from: at(90),
                to: at(0),
                lines: users.length,
                summaries: users
                  .filter(() => rnd(VIOLATION) !== 0)
                  .map((u) => ({
                    username: u.username,
                    authSource: u.databaseName,
                    lastSuccessAt: at(rnd(60)),
                    successes: 1 + rnd(50),
                    failures: rnd(3),
                    sourceIps: ['203.0.113.7'],
                  })),
              },
        };
      });
      p.databaseUsers = users;
      p.clusters = clusters;
      p.clusterCount = clusters.length;
      p.customRoles = [
        {
          roleName: 'ops',
          actions: [{ action: 'dropDatabase', resources: [{ cluster: false, db: 'app', collection: '' }] }],
          inheritedRoles: [{ db: 'admin', role: 'reporting' }],
        },
        {
          roleName: 'reporting',
          actions: [{ action: 'find', resources: [{ cluster: false, db: 'app', collection: '' }] }],
          inheritedRoles: [{ db: 'app', role: 'read' }],
        },
      ];
      p.networkAccess = [
        {
          cidrBlock: '203.0.113.0/24',
          ipAddress: null,
          awsSecurityGroup: null,
          comment: 'office',
          deleteAfterDate: null,
        },
        {
          cidrBlock: pi % 50 === 0 ? '0.0.0.0/0' : pi % VIOLATION === 1 ? '10.0.0.0/12' : '10.1.0.0/24',
          ipAddress: null,
          awsSecurityGroup: null,
          comment: pi % VIOLATION === 2 ? null : 'vpc',
          deleteAfterDate: null,
        },
      ].slice(0, pi % 50 === 3 ? 0 : 2);
      total += users.length;
    });
  }
  return total;
}
