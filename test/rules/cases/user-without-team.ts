import { chartsUser, coverage, invitation, legacyOrg, org, team, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'the user Atlas Charts creates belongs to no team', org: () => org({ users: [chartsUser()] }) },
    { name: 'owners in a team (default org)', org: () => org() },
    {
      name: 'member only per the team endpoint still counts',
      org: () => {
        const u = user();
        return org({ users: [u], teams: [team({ memberIds: [u.id] })] });
      },
    },
    { name: 'pending invitation', org: () => org({ users: [invitation()] }) },
  ],
  invalid: [
    {
      name: 'active user in no team',
      org: () => org({ users: [user({ username: 'loner@example.com' })] }),
      fires: ['loner@example.com'],
    },
  ],
  notEvaluated: [
    {
      name: 'teams not covered by the source API',
      org: () => org({ users: [user()], teams: [], coverage: coverage({ teams: false }) }),
      reason: 'no team data',
    },
    { name: 'Cloud Manager v1.0', org: () => legacyOrg(), reason: 'no team data' },
  ],
};
