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
    {
      name: 'the user Atlas Charts creates is not a person gone stale',
      org: () => org({ users: [chartsUser({ lastAuth: daysAgo(200) })] }),
    },
    {
      name: 'signed in 90 days ago (limit is exclusive)',
      atLimit: ['maxDays'],
      org: () => org({ users: [user({ lastAuth: daysAgo(90) })] }),
    },
    { name: 'never signed in is another rule', org: () => org({ users: [user({ lastAuth: null })] }) },
    { name: 'only active users', org: () => org({ users: [invitation({ lastAuth: daysAgo(200) })] }) },
  ],
  invalid: [
    {
      name: '91 days',
      org: () => org({ users: [user({ username: 'old@example.com', lastAuth: daysAgo(91) }), user()] }),
      fires: ['old@example.com'],
      message: ['last signed in 91 days ago (limit 90)'],
    },
    {
      name: 'policy lowers the limit',
      org: () => org({ users: [user({ username: 'u@example.com', lastAuth: daysAgo(40) })] }),
      policy: { rules: { 'stale-last-auth': { params: { maxDays: 30 } } } },
      fires: ['u@example.com'],
      message: ['(limit 30)'],
    },
  ],
  notEvaluated: [
    { name: 'Cloud Manager v1.0 (no sign-in dates)', org: () => legacyOrg(), reason: 'no sign-in data' },
    {
      name: 'a date without sign-in coverage means nothing',
      org: () => legacyOrg({ users: [legacyUser({ lastAuth: daysAgo(200) })] }),
      reason: 'no sign-in data',
    },
  ],
};
