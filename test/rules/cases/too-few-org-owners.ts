import { coverage, invitation, legacyOrg, legacyUser, org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'two active owners (default org)', atLimit: ['minActiveOwners'], org: () => org() },
    // v1.0 lists ACTIVE users only and no sign-in dates: status is all there is, and it suffices.
    { name: 'Cloud Manager v1.0: two ACTIVE owners without sign-in dates', org: () => legacyOrg() },
    {
      name: 'Cloud Manager v1.0: a stray date does not matter without sign-in coverage',
      org: () =>
        legacyOrg({
          users: [
            legacyUser({ orgRoles: ['ORG_OWNER'] }),
            legacyUser({ orgRoles: ['ORG_OWNER'], lastAuth: '2020-01-01T00:00:00Z' }),
          ],
        }),
    },
  ],
  invalid: [
    {
      name: 'one owner',
      org: () => org({ name: 'solo', users: [user({ username: 'a@example.com', orgRoles: ['ORG_OWNER'] })] }),
      fires: ['solo'],
      message: ['1 active ORG_OWNERs (minimum 2): a@example.com'],
    },
    {
      name: 'second owner never signed in or only invited',
      org: () =>
        org({
          name: 'thin',
          users: [
            user({ orgRoles: ['ORG_OWNER'] }),
            user({ orgRoles: ['ORG_OWNER'], lastAuth: null }),
            invitation({ orgRoles: ['ORG_OWNER'] }),
          ],
        }),
      fires: ['thin'],
    },
    {
      name: 'raised minimum',
      org: () => org({ name: 'acme' }),
      policy: { rules: { 'too-few-org-owners': { params: { minActiveOwners: 3 } } } },
      fires: ['acme'],
    },
    {
      name: 'Cloud Manager v1.0: one owner',
      org: () =>
        legacyOrg({
          name: 'legacy',
          users: [
            legacyUser({ username: 'boss@example.com', orgRoles: ['ORG_OWNER'] }),
            legacyUser({ orgRoles: ['ORG_MEMBER'] }),
          ],
        }),
      fires: ['legacy'],
      message: ['1 active ORG_OWNERs (minimum 2): boss@example.com'],
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
