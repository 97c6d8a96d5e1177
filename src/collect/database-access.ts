/**
 * Database access wire bodies -> the canonical shapes of snapshot schema 3: database
 * users (auth kind from the four type fields; never the password), their Atlas-managed X.509
 * certificates (dates only), custom roles, the project IP access list and clusters with their tier.
 * Fields are picked one by one, as in normalize.ts.
 */

import type {
  Cluster,
  CustomRole,
  DatabaseAuthKind,
  DatabaseUser,
  NetworkAccessEntry,
} from '../snapshot/schema.js';
import { isoOrNull } from './normalize.js';
import type * as wire from './wire-types.js';

/** A type field that says "not this kind": NONE, or absent. */
const none = (value: string | null | undefined) => value === null || value === undefined || value === 'NONE';

/** The value of each type field that names an auth kind (CloudDatabaseUser in the spec). */
const KIND_OF: Record<
  'x509Type' | 'ldapAuthType' | 'awsIAMType' | 'oidcAuthType',
  Record<string, DatabaseAuthKind>
> = {
  x509Type: { MANAGED: 'x509-managed', CUSTOMER: 'x509-customer' },
  ldapAuthType: { USER: 'ldap-user', GROUP: 'ldap-group' },
  awsIAMType: { USER: 'aws-iam-user', ROLE: 'aws-iam-role' },
  oidcAuthType: { USER: 'oidc-user', IDP_GROUP: 'oidc-group' },
};

/**
 * The auth kind of a database user: SCRAM when all four type fields are NONE or absent, else the one
 * that is set. A value the spec does not list, or two kinds at once, is an answer this tool cannot
 * classify: it throws (the collection fails) rather than guess a kind that rules would then trust.
 */
function databaseAuthKind(u: wire.CloudDatabaseUser): DatabaseAuthKind {
  const kinds: DatabaseAuthKind[] = [];
  for (const field of Object.keys(KIND_OF) as Array<keyof typeof KIND_OF>) {
    const value = u[field];
    if (none(value)) continue;
    const kind = KIND_OF[field][value as string];
    if (kind === undefined) throw new Error(`unknown ${field} ${JSON.stringify(value)}`);
    kinds.push(kind);
  }
  if (kinds.length > 1) throw new Error(`several auth kinds at once (${kinds.join(', ')})`);
  return kinds[0] ?? 'scram';
}

const SCOPE_TYPES = ['CLUSTER', 'DATA_LAKE', 'STREAM'] as const;
function scopeType(type: string): (typeof SCOPE_TYPES)[number] {
  const known = SCOPE_TYPES.find((t) => t === type);
  if (known === undefined) throw new Error(`unknown scope type ${JSON.stringify(type)}`);
  return known;
}

/** A database user, without certificates (read separately, for `x509-managed` users only). */
export function databaseUserFromWire(u: wire.CloudDatabaseUser): DatabaseUser {
  if (u.databaseName !== 'admin' && u.databaseName !== '$external')
    throw new Error(
      `database user's databaseName ${JSON.stringify(u.databaseName)} is neither admin nor $external`,
    );
  return {
    username: u.username,
    databaseName: u.databaseName,
    authKind: databaseAuthKind(u),
    // Atlas's order is kept for roles, scopes and labels (the listing's own order; nothing ranks them).
    roles: (u.roles ?? []).map((r) => ({
      roleName: r.roleName,
      databaseName: r.databaseName,
      collectionName: r.collectionName || null,
    })),
    scopes: (u.scopes ?? []).map((s) => ({ name: s.name, type: scopeType(s.type) })),
    deleteAfterDate: isoOrNull(u.deleteAfterDate),
    description: u.description || null,
    labels: (u.labels ?? []).map((l) => ({ key: l.key ?? '', value: l.value ?? '' })),
    certificates: [],
  };
}

/** An Atlas-managed certificate's serial and dates; the subject and the certificate are not kept. */
export function databaseUserCertFromWire(c: wire.UserCert): DatabaseUser['certificates'][number] {
  return { id: String(c._id), createdAt: isoOrNull(c.createdAt), notAfter: isoOrNull(c.notAfter) };
}

export function customRoleFromWire(r: wire.UserCustomDbRole): CustomRole {
  return {
    roleName: r.roleName,
    actions: (r.actions ?? []).map((a) => ({
      action: a.action,
      resources: (a.resources ?? []).map((res) => ({
        cluster: res.cluster ?? false,
        db: res.db ?? '',
        collection: res.collection ?? '',
      })),
    })),
    inheritedRoles: (r.inheritedRoles ?? []).map((i) => ({ db: i.db, role: i.role })),
  };
}

export function networkAccessEntryFromWire(e: wire.NetworkPermissionEntry): NetworkAccessEntry {
  return {
    cidrBlock: e.cidrBlock || null,
    ipAddress: e.ipAddress || null,
    awsSecurityGroup: e.awsSecurityGroup || null,
    comment: e.comment || null,
    deleteAfterDate: isoOrNull(e.deleteAfterDate),
  };
}

/** The access-list entry's value as Atlas names it in its DELETE path: CIDR, address or security group. */
export function networkAccessKey(e: unknown): string | null {
  if (!e || typeof e !== 'object') return null;
  const { cidrBlock, ipAddress, awsSecurityGroup } = e as Record<string, unknown>;
  for (const v of [cidrBlock, ipAddress, awsSecurityGroup]) if (typeof v === 'string' && v !== '') return v;
  return null;
}

/** A cluster's tier and provider: 2024-08-05 from the first electable region spec, 2023-01-01 from providerSettings. */
export function clusterTier(c: wire.ClusterDescription | wire.LegacyAtlasCluster): {
  tier: string | null;
  provider: string | null;
} {
  if ('providerSettings' in c && c.providerSettings) {
    return {
      tier: c.providerSettings.instanceSizeName ?? null,
      provider: c.providerSettings.providerName ?? null,
    };
  }
  const region = 'replicationSpecs' in c ? c.replicationSpecs?.[0]?.regionConfigs?.[0] : undefined;
  return { tier: region?.electableSpecs?.instanceSize ?? null, provider: region?.providerName ?? null };
}

/** A cluster without its access history (filled in by access-history.ts, or `not-requested`). */
export function clusterFromWire(
  c: wire.ClusterDescription | wire.LegacyAtlasCluster,
  accessHistory: Cluster['accessHistory'],
): Cluster {
  return {
    id: c.id || null,
    name: c.name,
    tier: clusterTier(c).tier,
    clusterType: c.clusterType || null,
    paused: c.paused ?? null,
    accessHistory,
  };
}

/** The access history of a cluster when `--include access-history` was not given. */
export function accessHistoryNotRequested(): Cluster['accessHistory'] {
  return {
    status: 'not-requested',
    reason: 'Not requested (--include access-history).',
    from: null,
    to: null,
    lines: 0,
    summaries: [],
  };
}
