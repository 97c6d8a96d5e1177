/**
 * Reading snapshots written by earlier versions of the tool. Each older schema is described by its
 * differences from the next one (so it cannot drift from what that version wrote), validated as
 * strictly as it was then, and upgraded one version at a time with honest defaults: what the old
 * version did not collect has its coverage false and empty lists, never values that would look collected.
 */
import * as z from 'zod';
import { once } from '../util/validate.js';
import {
  coverageSchema,
  type Organization,
  organizationSchema,
  orgSettingsSchema,
  projectSchema,
  SNAPSHOT_SCHEMA_VERSION,
  type Snapshot,
  serviceAccountSchema,
  snapshotSchema,
} from './schema.js';

/**
 * The older schemas, each described by its differences from the next; built when an older snapshot is
 * read (src/util/validate.ts `once`), not whenever a snapshot is.
 */
const schemas = once(() => {
  const { collector: _collector, ...snapshotV3Shape } = snapshotSchema.shape;
  const v3 = z.strictObject({ ...snapshotV3Shape, schemaVersion: z.literal(3) });
  const coverageV2 = coverageSchema.omit(DATABASE_ACCESS_PARTS);
  const projectV2 = projectSchema.omit({
    databaseUsers: true,
    customRoles: true,
    networkAccess: true,
    clusters: true,
  });
  const organizationV2 = organizationSchema.extend({ coverage: coverageV2, projects: z.array(projectV2) });
  const v2 = z.strictObject({
    ...snapshotV3Shape,
    schemaVersion: z.literal(2),
    organizations: z.array(organizationV2),
  });
  const serviceAccountV1 = serviceAccountSchema.omit({
    projectRoles: true,
    accessList: true,
    systemManaged: true,
  });
  const orgSettingsV1 = orgSettingsSchema.omit({
    idleSessionTimeoutInSeconds: true,
    absoluteSessionTimeoutInSeconds: true,
  });
  const coverageV1 = coverageV2
    .omit({
      serviceAccountAccess: true,
      systemManagedServiceAccounts: true,
      sessionTimeouts: true,
      projectInvitations: true,
      signIns: true,
    })
    // Schema 1 files written after sign-in coverage was added carry it; older ones do not.
    .extend({ signIns: z.boolean().optional() });
  const organizationV1 = organizationV2.omit({ projectInvitations: true }).extend({
    coverage: coverageV1,
    serviceAccounts: z.array(serviceAccountV1),
    settings: orgSettingsV1.nullable(),
  });
  const v1 = z.strictObject({
    ...snapshotV3Shape,
    schemaVersion: z.literal(1),
    organizations: z.array(organizationV1),
  });
  return { v3, v2, v1 };
});
type Schemas = ReturnType<typeof schemas>;

// ---------------------------------------------------------------------------------------------
// Schema 3: before `collector` (the command and identity that collected).
// ---------------------------------------------------------------------------------------------

export const snapshotV3Schema = z.lazy(() => schemas().v3);
export type SnapshotV3 = z.infer<Schemas['v3']>;

/** A schema 3 snapshot in the current shape: it did not record who collected, and says so (null). */
export function upgradeSnapshotV3(snapshot: SnapshotV3): Snapshot {
  const { schemaVersion: _v, collectedAt, tool, source, ...rest } = snapshot;
  return { schemaVersion: SNAPSHOT_SCHEMA_VERSION, collectedAt, tool, source, collector: null, ...rest };
}

// ---------------------------------------------------------------------------------------------
// Schema 2: before database access (database users, custom roles, IP access list, clusters).
// ---------------------------------------------------------------------------------------------

const DATABASE_ACCESS_PARTS = {
  databaseUsers: true,
  databaseUserCerts: true,
  customRoles: true,
  networkAccess: true,
  clusters: true,
  accessHistory: true,
} as const;
export const snapshotV2Schema = z.lazy(() => schemas().v2);
export type SnapshotV2 = z.infer<Schemas['v2']>;

/** A schema 2 snapshot in the current shape: it read no database access, and says so. */
export function upgradeSnapshotV2(snapshot: SnapshotV2): Snapshot {
  return upgradeSnapshotV3({
    ...snapshot,
    schemaVersion: 3,
    organizations: snapshot.organizations.map(
      (org): Organization => ({
        ...org,
        coverage: {
          ...org.coverage,
          databaseUsers: false,
          databaseUserCerts: false,
          customRoles: false,
          networkAccess: false,
          clusters: false,
          accessHistory: false,
        },
        projects: org.projects.map((p) => ({
          ...p,
          databaseUsers: [],
          customRoles: [],
          networkAccess: [],
          clusters: [],
        })),
      }),
    ),
  });
}

// ---------------------------------------------------------------------------------------------
// Schema 1: before service accounts' project roles and access lists, project invitations and
// session timeouts.
// ---------------------------------------------------------------------------------------------

export const snapshotV1Schema = z.lazy(() => schemas().v1);
export type SnapshotV1 = z.infer<Schemas['v1']>;

function upgradeOrganizationV1(
  org: SnapshotV1['organizations'][number],
  api: Snapshot['source']['api'],
): SnapshotV2['organizations'][number] {
  return {
    ...org,
    coverage: {
      ...org.coverage,
      // Every Atlas v2 users listing carried sign-in dates; Cloud Manager v1.0 never did.
      signIns: org.coverage.signIns ?? api !== 'cloud-manager',
      // Schema 1 read none of these: the report says so instead of showing empty lists as collected.
      serviceAccountAccess: false,
      systemManagedServiceAccounts: false,
      sessionTimeouts: false,
      projectInvitations: false,
    },
    serviceAccounts: org.serviceAccounts.map((sa) => ({
      ...sa,
      projectRoles: [],
      accessList: [],
      systemManaged: false,
    })),
    settings:
      org.settings === null
        ? null
        : { ...org.settings, idleSessionTimeoutInSeconds: null, absoluteSessionTimeoutInSeconds: null },
    projectInvitations: [],
  };
}

/** A schema 1 snapshot in the current shape (the caller validates the result with the current schema). */
export function upgradeSnapshotV1(snapshot: SnapshotV1): Snapshot {
  return upgradeSnapshotV2({
    ...snapshot,
    schemaVersion: 2,
    organizations: snapshot.organizations.map((o) => upgradeOrganizationV1(o, snapshot.source.api)),
  });
}
