import { chartsUser, invitation, org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const allowed = { allowedEmailDomains: ['example.com'] };
export const cases: RuleCases = {
  valid: [
    {
      name: "the user Atlas Charts creates is on MongoDB's domain, not a person's",
      org: () => org({ users: [chartsUser()] }),
      policy: allowed,
    },
    {
      name: 'no allowed domains in the policy: not checked',
      org: () => org({ users: [user({ username: 'x@gmail.com' })] }),
    },
    {
      name: 'allowed domain and subdomain',
      org: () =>
        org({ users: [user({ username: 'a@Example.com' }), user({ username: 'b@eu.example.com' })] }),
      policy: allowed,
    },
    {
      name: 'rejected invitation',
      org: () => org({ users: [invitation({ username: 'x@gmail.com', status: 'INVITATION_REJECTED' })] }),
      policy: allowed,
    },
  ],
  invalid: [
    {
      name: 'webmail user and look-alike domain invitation',
      org: () =>
        org({ users: [user({ username: 'x@gmail.com' }), invitation({ username: 'y@notexample.com' })] }),
      policy: allowed,
      fires: ['x@gmail.com', 'y@notexample.com'],
      message: ['does not allow'],
    },
  ],
};
