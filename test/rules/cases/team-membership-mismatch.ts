import { coverage, org, team, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'both sides agree (default org)', org: () => org() }],
  invalid: [
    {
      name: 'each side lists someone the other does not',
      org: () => {
        const t = team({ name: 'devs' });
        const a = user({ username: 'a@example.com', teamIds: [t.id] });
        const b = user({ username: 'b@example.com' });
        t.memberIds = [b.id];
        return org({ users: [a, b], teams: [t] });
      },
      fires: ['devs'],
      message: [
        'a@example.com (user lists teamId; team lacks user)',
        'b@example.com (team lists user; user lacks teamId)',
      ],
    },
  ],
  notEvaluated: [
    {
      name: 'teams listed but users not: there is nothing to compare with',
      org: () => {
        const t = team({ memberIds: [user().id] });
        return org({ users: [], teams: [t], coverage: coverage({ users: false }) });
      },
      reason: 'no user data',
    },
  ],
};
