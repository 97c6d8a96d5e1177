/**
 * The `collector` record of a snapshot (schema 4): the command line that collected and the identity it
 * used, with the roles the collected data shows that identity holding. Read from the snapshot's own
 * organizations, not asked of Atlas separately, so it says exactly what the evidence shows: a key of
 * another organization is `not-found` in the orgs it collected, never given roles it was not seen with.
 */
import type { Collector, Organization } from '../snapshot/schema.js';

/** Where the identity `id` of `kind` appears in each organization, and its roles there. */
export function collectorIdentity(
  kind: Collector['identity']['kind'],
  id: string,
  organizations: readonly Organization[],
): Collector['identity'] {
  return {
    kind,
    id,
    organizations: organizations.map((org) => {
      const listed = kind === 'service-account' ? org.coverage.serviceAccounts : org.coverage.apiKeys;
      const match =
        kind === 'service-account'
          ? org.serviceAccounts.find((sa) => sa.clientId === id)
          : org.apiKeys.find((k) => k.publicKey === id);
      if (!listed) return { orgId: org.id, status: 'not-collected', orgRoles: [], projectRoles: [] };
      if (!match) return { orgId: org.id, status: 'not-found', orgRoles: [], projectRoles: [] };
      return {
        orgId: org.id,
        status: 'found',
        orgRoles: [...match.orgRoles],
        projectRoles: match.projectRoles.map((p) => ({ projectId: p.projectId, roles: [...p.roles] })),
      };
    }),
  };
}
