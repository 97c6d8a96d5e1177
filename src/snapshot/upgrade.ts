/**
 * Reading snapshots written by earlier versions of the tool. Each older schema is described by its
 * differences from the current one (so it cannot drift from what that version wrote), validated as
 * strictly as it was then, and upgraded with honest defaults: what the old version did not collect
 * has its coverage false and empty lists, never values that would look collected.
 */
import { z } from 'zod';
import {
  coverageSchema,
  type Organization,
  organizationSchema,
  orgSettingsSchema,
  SNAPSHOT_SCHEMA_VERSION,
  type Snapshot,
  serviceAccountSchema,
  snapshotSchema,
} from './schema.js';

/** Schema 1: before service accounts' project roles and access lists, project invitations and session timeouts. */
const serviceAccountV1 = serviceAccountSchema.omit({
  projectRoles: true,
  accessList: true,
  systemManaged: true,
});
const orgSettingsV1 = orgSettingsSchema.omit({
  idleSessionTimeoutInSeconds: true,
  absoluteSessionTimeoutInSeconds: true,
});
const coverageV1 = coverageSchema
  .omit({
    serviceAccountAccess: true,
    systemManagedServiceAccounts: true,
    sessionTimeouts: true,
    projectInvitations: true,
    signIns: true,
  })
  // Schema 1 files written after sign-in coverage was added carry it; older ones do not.
  .extend({ signIns: z.boolean().optional() });
const organizationV1 = organizationSchema.omit({ projectInvitations: true }).extend({
  coverage: coverageV1,
  serviceAccounts: z.array(serviceAccountV1),
  settings: orgSettingsV1.nullable(),
});
export const snapshotV1Schema = z.strictObject({
  ...snapshotSchema.shape,
  schemaVersion: z.literal(1),
  organizations: z.array(organizationV1),
});
export type SnapshotV1 = z.infer<typeof snapshotV1Schema>;

function upgradeOrganizationV1(
  org: z.infer<typeof organizationV1>,
  api: Snapshot['source']['api'],
): Organization {
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
  return {
    ...snapshot,
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    organizations: snapshot.organizations.map((o) => upgradeOrganizationV1(o, snapshot.source.api)),
  };
}
