import { coverage, daysAgo, invitation, legacyOrg, org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    {
      name: 'invited 30 days ago',
      atLimit: ['maxDays'],
      org: () => org({ users: [invitation({ invitationExpiresAt: daysAgo(-5) }, 30)] }),
    },
    {
      name: 'status INVITATION_EXPIRED is another rule',
      org: () => org({ users: [invitation({ status: 'INVITATION_EXPIRED' }, 40)] }),
    },
  ],
  invalid: [
    {
      name: 'pending 45 days, expiry in the future',
      org: () =>
        org({ users: [invitation({ username: 'new@example.com', invitationExpiresAt: daysAgo(-10) }, 45)] }),
      fires: ['new@example.com'],
      message: ['pending 45 days (limit 30)'],
    },
    {
      name: 'still PENDING after its expiry date',
      org: () => org({ users: [invitation({ username: 'late@example.com' }, 60)] }),
      fires: ['late@example.com'],
    },
  ],
  notEvaluated: [
    {
      name: 'a listing of active users only (2023-01-01)',
      org: () => org({ users: [user()], coverage: coverage({ invitations: false }) }),
      reason: 'no invitation data',
    },
    { name: 'Cloud Manager v1.0', org: () => legacyOrg(), reason: 'no invitation data' },
  ],
};
