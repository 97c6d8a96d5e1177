import { invitation, org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'two active owners (default org)', org: () => org() }],
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
  ],
};
