import {
  chartsUser,
  daysAgo,
  invitation,
  legacyOrg,
  legacyUser,
  org,
  user,
} from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'the user Atlas Charts creates never signs in', org: () => org({ users: [chartsUser()] }) },
    {
      name: 'created 30 days ago',
      atLimit: ['maxDays'],
      org: () => org({ users: [user({ lastAuth: null, createdAt: daysAgo(30) })] }),
    },
    { name: 'signed in', org: () => org({ users: [user({ createdAt: daysAgo(300) })] }) },
    { name: 'pending invitation', org: () => org({ users: [invitation({ createdAt: daysAgo(300) })] }) },
  ],
  invalid: [
    {
      name: 'created 31 days ago, never signed in',
      org: () =>
        org({ users: [user({ username: 'ghost@example.com', lastAuth: null, createdAt: daysAgo(31) })] }),
      fires: ['ghost@example.com'],
      message: ['created 31 days ago and never signed in'],
    },
  ],
  notEvaluated: [
    {
      name: 'Cloud Manager v1.0: a null lastAuth is no sign-in data, not "never signed in"',
      org: () => legacyOrg({ users: [legacyUser({ createdAt: daysAgo(400) })] }),
      reason: 'no sign-in data',
    },
  ],
};
