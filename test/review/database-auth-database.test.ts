/**
 * The authentication database of a database user, per auth kind, through every stage that names it.
 * The spec (`CloudDatabaseUser.databaseName`): "If the user authenticates with AWS IAM, x.509, LDAP, or
 * OIDC Workload this value should be `$external`. If the user authenticates with SCRAM-SHA or OIDC
 * Workforce, this value should be `admin`." OIDC users and groups exist as both Workforce and Workload,
 * so the auth kind alone cannot tell the database: the collector keeps the one Atlas lists, and the plan
 * deletes the user where the snapshot says it lives (docs/review.md, "The revocation plan").
 */
import { describe, expect, it } from 'vitest';
import { cloudDatabaseUser as wireSchema } from '../../src/atlas/wire.js';
import { databaseUserFromWire } from '../../src/collect/database-access.js';
import type { SignoffAction } from '../../src/review/signoff.js';
import { authDatabase } from '../../src/sim/estate-database.js';
import { cloudDatabaseUser } from '../../src/sim/routes-database.js';
import {
  type DatabaseAuthKind,
  type DatabaseUser,
  databaseAuthKindSchema,
} from '../../src/snapshot/schema.js';
import { planCalls, planFromActions } from '../helpers/plan-spec.js';

const ORG = '0000000000000000000000aa';
const P = 'd00000000000000000000001';
const BASE = `/api/atlas/v2/groups/${P}/databaseUsers`;
const IDP = '0oa1b2c3d4e5f6g7h8i9';

interface Case {
  kind: DatabaseAuthKind;
  /** The wire's type field and value (none for SCRAM). */
  wire: string;
  username: string;
  databaseName: DatabaseUser['databaseName'];
  /** What the simulator generates for the kind (null: a case the simulator does not generate). */
  simulator: DatabaseUser['databaseName'] | null;
  path: string;
}

const CASES: Case[] = [
  {
    kind: 'scram',
    wire: 'all NONE',
    username: 'app-writer',
    databaseName: 'admin',
    simulator: 'admin',
    path: `${BASE}/admin/app-writer`,
  },
  {
    kind: 'oidc-group',
    wire: 'oidcAuthType IDP_GROUP (Workforce)',
    username: `${IDP}/db-readers`,
    databaseName: 'admin',
    simulator: 'admin',
    path: `${BASE}/admin/${IDP}%2Fdb-readers`,
  },
  {
    kind: 'oidc-user',
    wire: 'oidcAuthType USER (Workforce)',
    username: `${IDP}/alice@example.com`,
    databaseName: 'admin',
    simulator: 'admin',
    path: `${BASE}/admin/${IDP}%2Falice%40example.com`,
  },
  {
    kind: 'oidc-user',
    wire: 'oidcAuthType USER (Workload)',
    username: `${IDP}/etl-runner`,
    databaseName: '$external',
    simulator: null,
    path: `${BASE}/%24external/${IDP}%2Fetl-runner`,
  },
  {
    kind: 'x509-managed',
    wire: 'x509Type MANAGED',
    username: 'x509-app',
    databaseName: '$external',
    simulator: '$external',
    path: `${BASE}/%24external/x509-app`,
  },
  {
    kind: 'x509-customer',
    wire: 'x509Type CUSTOMER',
    username: 'CN=batch,OU=apps,DC=example,DC=com',
    databaseName: '$external',
    simulator: '$external',
    path: `${BASE}/%24external/CN%3Dbatch%2COU%3Dapps%2CDC%3Dexample%2CDC%3Dcom`,
  },
  {
    kind: 'ldap-user',
    wire: 'ldapAuthType USER',
    username: 'uid=bob,ou=people,dc=example,dc=com',
    databaseName: '$external',
    simulator: '$external',
    path: `${BASE}/%24external/uid%3Dbob%2Cou%3Dpeople%2Cdc%3Dexample%2Cdc%3Dcom`,
  },
  {
    kind: 'ldap-group',
    wire: 'ldapAuthType GROUP',
    username: 'CN=dba,OU=groups,DC=example,DC=com',
    databaseName: '$external',
    simulator: '$external',
    path: `${BASE}/%24external/CN%3Ddba%2COU%3Dgroups%2CDC%3Dexample%2CDC%3Dcom`,
  },
  {
    kind: 'aws-iam-user',
    wire: 'awsIAMType USER',
    username: 'arn:aws:iam::123456789012:user/loader',
    databaseName: '$external',
    simulator: '$external',
    path: `${BASE}/%24external/arn%3Aaws%3Aiam%3A%3A123456789012%3Auser%2Floader`,
  },
  {
    kind: 'aws-iam-role',
    wire: 'awsIAMType ROLE',
    username: 'arn:aws:iam::123456789012:role/etl',
    databaseName: '$external',
    simulator: '$external',
    path: `${BASE}/%24external/arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fetl`,
  },
];

const user = (c: Case): DatabaseUser => ({
  username: c.username,
  databaseName: c.databaseName,
  authKind: c.kind,
  roles: [{ roleName: 'read', databaseName: 'sales', collectionName: null }],
  scopes: [],
  deleteAfterDate: null,
  description: null,
  labels: [],
  certificates: [],
});

function revoke(u: DatabaseUser): SignoffAction {
  const id = `${P}/${u.databaseName}/${u.username}`;
  return {
    key: `${ORG}:databaseUser:${id}`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'databaseUser',
    kind: 'databaseUser',
    id,
    name: u.username,
    status: 'ACTIVE',
    decision: 'Revoke',
    reviewer: 'lead@example.com',
    reviewedOn: '2026-11-20',
    comment: null,
    workbookRow: 2,
    access: { orgRoles: [], projectRoles: [], teams: [] },
    databaseUser: {
      projectId: P,
      projectName: 'prod',
      databaseName: u.databaseName,
      username: u.username,
      authKind: u.authKind,
      roles: u.roles,
    },
  };
}

describe('authentication database: auth kind -> databaseName -> DELETE path', () => {
  it.each(CASES)('$kind, $wire: $databaseName', (c) => {
    // The simulator generates the database Atlas uses for the kind.
    if (c.simulator !== null) expect(authDatabase(c.kind)).toBe(c.simulator);
    // The collector keeps the database the wire names, and reads the kind from the type field.
    const wire = wireSchema.parse(cloudDatabaseUser(user(c), P, 'https://sim.test', false));
    const collected = databaseUserFromWire(wire);
    expect([collected.authKind, collected.databaseName]).toEqual([c.kind, c.databaseName]);
    // The plan deletes the user where the snapshot says it lives (and passes the spec check).
    expect(planCalls(planFromActions(revoke(collected)))).toEqual([['DELETE', c.path, null, false]]);
  });

  it('covers every auth kind', () => {
    expect([...new Set(CASES.map((c) => c.kind))].sort()).toEqual([...databaseAuthKindSchema.options].sort());
  });
});
