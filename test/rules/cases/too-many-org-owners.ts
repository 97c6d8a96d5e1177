import { coverage, invitation, legacyOrg, legacyUser, org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const owner = (n: number) => user({ username: `o${n}@example.com`, orgRoles: ['ORG_OWNER'] });
export const cases: RuleCases = {
  valid: [
    {
      name: 'three owners',
      atLimit: ['maxOwners'],
      org: () => org({ name: 'acme', users: [owner(1), owner(2), owner(3)] }),
    },
    {
      name: 'raised limit',
      org: () => org({ name: 'acme', users: [owner(1), owner(2), owner(3), owner(4)] }),
      policy: { rules: { 'too-many-org-owners': { params: { maxOwners: 4 } } } },
    },
    {
      name: 'expired owner invitation does not count',
      org: () =>
        org({
          users: [
            owner(1),
            owner(2),
            owner(3),
            user({ orgRoles: ['ORG_OWNER'], status: 'INVITATION_EXPIRED' }),
          ],
        }),
    },
  ],
  invalid: [
    {
      name: 'four owners, one invited',
      org: () =>
        org({
          name: 'acme',
          users: [
            owner(1),
            owner(2),
            owner(3),
            invitation({ username: 'o4@example.com', orgRoles: ['ORG_OWNER'] }),
          ],
        }),
      fires: ['acme'],
      message: ['4 ORG_OWNERs (limit 3)', 'o1@example.com, o2@example.com, o3@example.com, o4@example.com'],
    },
    {
      name: 'Cloud Manager v1.0 org with four owners (counted without any date)',
      org: () =>
        legacyOrg({
          name: 'legacy',
          users: [1, 2, 3, 4].map((n) =>
            legacyUser({ username: `o${n}@example.com`, orgRoles: ['ORG_OWNER'] }),
          ),
        }),
      fires: ['legacy'],
      message: ['4 ORG_OWNERs (limit 3)'],
    },
  ],
  notEvaluated: [
    {
      name: 'users not listed',
      org: () => org({ users: [], teams: [], coverage: coverage({ users: false }) }),
      reason: 'no user data',
    },
  ],
};
