import { rosterCsv } from '../../builders/roster.js';
import { chartsUser, org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const roster = rosterCsv([
  { email: 'alice@example.com', aliases: ['alice.smith@example.com'] },
  { email: 'bob@example.com', status: 'Terminated' },
]);

export const cases: RuleCases = {
  valid: [
    {
      name: 'people of the roster, by email, alias and any case',
      org: () =>
        org({
          users: [
            user({ username: 'ALICE@example.com' }),
            user({ username: 'alice.smith@example.com' }),
            user({ username: 'bob@example.com' }),
          ],
        }),
      roster,
    },
    { name: 'an Atlas Charts user is not a person', org: () => org({ users: [chartsUser()] }), roster },
  ],
  invalid: [
    {
      name: 'a user no person has, and one with a near-miss address',
      org: () =>
        org({
          users: [
            user({ username: 'ghost@example.com' }),
            user({ username: 'alice@example.co' }),
            user({ username: 'alice@example.com' }),
          ],
        }),
      roster,
      fires: ['alice@example.co', 'ghost@example.com'],
      message: ['matches no person'],
    },
  ],
  notEvaluated: [
    {
      name: 'no --roster',
      org: () => org({ users: [user({ username: 'ghost@example.com' })] }),
      reason: 'no roster (--roster)',
    },
  ],
};
