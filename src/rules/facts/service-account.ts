/** Service accounts (OAuth client credentials with expiring secrets) as subjects. */

import { highestPrivilege, ORG_OWNER } from '../../domain/roles.js';
import type { ServiceAccount } from '../../snapshot/schema.js';
import { daysSince, type OrgView, sorted } from './org-view.js';
import { clock, type Derived, defineDerivation, f, NAME, needs } from './spec.js';

const SERVICE_ACCOUNT_FACTS = {
  name: NAME,
  clientId: f('string', 'Service account client id'),
  orgRoles: f('string[]', 'Organization roles'),
  isOrgOwner: f('boolean', 'The service account holds ORG_OWNER'),
  systemManaged: f('boolean', 'Managed by Atlas itself (e.g. an MCP integration), not by the organization'),
  accessCovered: f(
    'boolean',
    'Its project roles and IP access list were collected (false in a snapshot upgraded from schema 1)',
  ),
  projectRoles: needs(f('string[]', 'Project roles as "<project>: <ROLE>"'), 'serviceAccountAccess'),
  projectCount: needs(f('number', 'Projects the service account holds roles in'), 'serviceAccountAccess'),
  accessListCount: needs(
    f('number', 'Entries in the service account’s IP access list'),
    'serviceAccountAccess',
  ),
  highestPrivilege: f(
    'string',
    'owner, write or read: the most any known role of the service account grants; none without one',
  ),
  secretCount: f('number', 'Secrets listed'),
  expiredSecretCount: clock(f('number', 'Secrets whose expiresAt has passed (expiring exactly now counts)')),
  expiredSecrets: clock(f('string[]', 'Ids of the expired secrets')),
  maxDaysSecretUnused: clock(
    f(
      'number',
      'Over unexpired secrets: most days since last use (or since creation when never used); null when none',
      true,
    ),
  ),
  unknownRoles: f('string[]', 'Org and project role names the catalogue does not know'),
  unknownRoleCount: f('number', 'Length of unknownRoles'),
};

function deriveServiceAccount(
  { org, now, known, projectNames }: OrgView,
  sa: ServiceAccount,
): Derived<typeof SERVICE_ACCOUNT_FACTS> {
  const expired: string[] = [];
  let maxUnused: number | null = null;
  for (const s of sa.secrets) {
    const exp = s.expiresAt === null ? null : Date.parse(s.expiresAt);
    if (exp !== null && exp <= now.getTime()) {
      expired.push(s.id);
      continue;
    }
    const unused = daysSince(s.lastUsedAt ?? s.createdAt, now);
    if (unused !== null && (maxUnused === null || unused > maxUnused)) maxUnused = unused;
  }
  const roles = [...sa.orgRoles, ...sa.projectRoles.flatMap((p) => p.roles)];
  const unk = sorted(new Set(roles.filter((r) => !known.has(r))));
  const projectRoleLines = sorted(
    sa.projectRoles.flatMap((p) =>
      p.roles.map((r) => `${projectNames.get(p.projectId) ?? p.projectId}: ${r}`),
    ),
  );
  return {
    ref: { type: 'serviceAccount', id: sa.clientId, name: sa.name },
    aliases: [sa.clientId, sa.name],
    facts: {
      name: sa.name,
      clientId: sa.clientId,
      orgRoles: sorted(sa.orgRoles),
      isOrgOwner: sa.orgRoles.includes(ORG_OWNER),
      systemManaged: sa.systemManaged,
      accessCovered: org.coverage.serviceAccountAccess,
      projectRoles: projectRoleLines,
      projectCount: sa.projectRoles.length,
      accessListCount: sa.accessList.length,
      highestPrivilege: highestPrivilege(roles) ?? 'none',
      secretCount: sa.secrets.length,
      expiredSecretCount: expired.length,
      expiredSecrets: sorted(expired),
      maxDaysSecretUnused: maxUnused,
      unknownRoles: unk,
      unknownRoleCount: unk.length,
    },
  };
}

export const serviceAccountDerivation = defineDerivation({
  facts: SERVICE_ACCOUNT_FACTS,
  derive: (view) => view.org.serviceAccounts.map((sa) => deriveServiceAccount(view, sa)),
});
