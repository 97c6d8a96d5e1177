/** Organization API keys (programmatic access with a public and private key) as subjects. */

import { highestPrivilege, ORG_OWNER } from '../../domain/roles.js';
import type { ApiKey } from '../../snapshot/schema.js';
import { sorted } from './org-view.js';
import { type Derived, defineDerivation, f, NAME } from './spec.js';

const API_KEY_FACTS = {
  name: NAME,
  publicKey: f('string', 'Public half of the key (not a secret)'),
  orgRoles: f('string[]', 'Organization roles of the key'),
  isOrgOwner: f('boolean', 'The key holds ORG_OWNER'),
  highestPrivilege: f(
    'string',
    'owner, write or read: the most any known role of the key grants; none without one',
  ),
  accessListCount: f('number', 'Entries in the key’s IP access list'),
  projectCount: f('number', 'Projects the key holds roles in'),
  unknownRoles: f('string[]', 'Org and project role names the catalogue does not know'),
  unknownRoleCount: f('number', 'Length of unknownRoles'),
};

function deriveApiKey(k: ApiKey, known: ReadonlySet<string>): Derived<typeof API_KEY_FACTS> {
  const unknown = new Set<string>();
  for (const r of k.orgRoles) if (!known.has(r)) unknown.add(r);
  for (const pr of k.projectRoles) for (const r of pr.roles) if (!known.has(r)) unknown.add(r);
  const unk = sorted(unknown);
  const name = k.description?.trim() ? k.description : k.publicKey;
  return {
    ref: { type: 'apiKey', id: k.id, name },
    aliases: [k.id, k.publicKey, ...(k.description ? [k.description] : [])],
    facts: {
      name,
      publicKey: k.publicKey,
      orgRoles: sorted(k.orgRoles),
      isOrgOwner: k.orgRoles.includes(ORG_OWNER),
      highestPrivilege:
        highestPrivilege([...k.orgRoles, ...k.projectRoles.flatMap((p) => p.roles)]) ?? 'none',
      accessListCount: k.accessList.length,
      projectCount: k.projectRoles.length,
      unknownRoles: unk,
      unknownRoleCount: unk.length,
    },
  };
}

export const apiKeyDerivation = defineDerivation({
  facts: API_KEY_FACTS,
  derive: ({ org, known }) => org.apiKeys.map((k) => deriveApiKey(k, known)),
});
