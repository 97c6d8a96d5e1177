/** Entries of every project's IP access list as subjects: how much of the network each one opens. */

import { databaseAccessId } from '../../domain/keys.js';
import { entryBlock, networkAccessEntryValue } from '../../domain/network-access.js';
import type { NetworkAccessEntry, Project } from '../../snapshot/schema.js';
import { type Derived, defineDerivation, f, NAME } from './spec.js';

const NETWORK_ACCESS_ENTRY_FACTS = {
  name: NAME,
  projectName: f('string', 'Name of the project whose access list holds the entry'),
  entryType: f('string', 'cidr, address or awsSecurityGroup'),
  ipVersion: f('number', '4 or 6; null for a security group or an unparsable value', true),
  prefixLength: f(
    'number',
    'Prefix length of the block (a single address is /32 or /128); null for a security group',
    true,
  ),
  isOpenToWorld: f('boolean', 'The entry is 0.0.0.0/0 or ::/0: every address on the internet'),
  hasComment: f('boolean', 'The entry has a non-blank comment'),
  comment: f('string', 'The entry’s comment; null when none', true),
  isTemporary: f('boolean', 'The entry has a deleteAfterDate'),
};

function deriveEntry(p: Project, e: NetworkAccessEntry): Derived<typeof NETWORK_ACCESS_ENTRY_FACTS> {
  const value = networkAccessEntryValue(e);
  const block = entryBlock(e);
  const id = databaseAccessId(p.id, value);
  const comment = e.comment?.trim() ? e.comment : null;
  return {
    ref: { type: 'networkAccessEntry', id, name: value },
    aliases: [id, value],
    facts: {
      name: value,
      projectName: p.name,
      entryType: e.cidrBlock !== null ? 'cidr' : e.ipAddress !== null ? 'address' : 'awsSecurityGroup',
      ipVersion: block?.version ?? null,
      prefixLength: block?.prefixLength ?? null,
      isOpenToWorld: block?.prefixLength === 0,
      hasComment: comment !== null,
      comment,
      isTemporary: e.deleteAfterDate !== null,
    },
  };
}

export const networkAccessEntryDerivation = defineDerivation({
  facts: NETWORK_ACCESS_ENTRY_FACTS,
  derive: (view) => view.org.projects.flatMap((p) => p.networkAccess.map((e) => deriveEntry(p, e))),
});
