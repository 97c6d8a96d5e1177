import { coverage, daysAgo, invitation, org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'open invitation', org: () => org({ users: [invitation()] }) },
    {
      name: 'pending past its expiry date is stale-invitation',
      org: () => org({ users: [invitation({}, 45)] }),
    },
    {
      name: 'rejected invitation',
      org: () => org({ users: [invitation({ status: 'INVITATION_REJECTED', invitationExpiresAt: null })] }),
    },
  ],
  invalid: [
    {
      name: 'status INVITATION_EXPIRED',
      org: () =>
        org({
          users: [
            invitation(
              { username: 'a@example.com', status: 'INVITATION_EXPIRED', invitationExpiresAt: daysAgo(3) },
              33,
            ),
            invitation(
              { username: 'b@example.com', status: 'INVITATION_EXPIRED', invitationExpiresAt: daysAgo(100) },
              130,
            ),
          ],
        }),
      fires: ['a@example.com', 'b@example.com'],
      message: ['has expired'],
    },
  ],
  notEvaluated: [
    {
      name: 'a listing of active users only (2023-01-01): expired invitations are not listed',
      org: () => org({ users: [user()], coverage: coverage({ invitations: false }) }),
      reason: 'no invitation data',
    },
  ],
};
