import { rosterCsv } from '../../builders/roster.js';
import { org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

// The tester's clock is 2026-06-01T12:00Z; a bare end date means the end of that day (UTC).
const contractor = (endDate: string, over: { status?: string; type?: string } = {}) =>
  rosterCsv([{ email: 'c@example.com', type: 'Contractor', endDate, ...over }]);
const c = () => org({ users: [user({ username: 'c@example.com' })] });

export const cases: RuleCases = {
  valid: [
    {
      name: 'end date is today: still working (at the limit, 0 days past)',
      org: c,
      roster: contractor('2026-06-01'),
    },
    { name: 'end date in the future', org: c, roster: contractor('2026-12-31') },
    { name: 'no end date', org: c, roster: rosterCsv([{ email: 'c@example.com', type: 'Contractor' }]) },
    { name: 'an employee past an end date', org: c, roster: contractor('2026-01-31', { type: 'Employee' }) },
    {
      name: 'terminated contractor: roster-terminated-still-active reports it',
      org: c,
      roster: contractor('2026-01-31', { status: 'Terminated' }),
    },
    {
      name: 'ended 3 days ago with graceDays 3 (at the limit)',
      org: c,
      roster: contractor('2026-05-29'),
      policy: { rules: { 'roster-contractor-past-end-date': { params: { graceDays: 3 } } } },
      atLimit: ['graceDays'],
    },
    {
      name: 'the end instant is exactly the clock (date-time, at the limit)',
      org: c,
      roster: contractor('2026-06-01T12:00:00Z'),
    },
    {
      name: 'invitation expired: no access left',
      org: () => org({ users: [user({ username: 'c@example.com', status: 'INVITATION_EXPIRED' })] }),
      roster: contractor('2026-01-31'),
    },
  ],
  invalid: [
    {
      name: 'end date yesterday (1 day past, limit 0)',
      org: c,
      roster: contractor('2026-05-31'),
      fires: ['c@example.com'],
      message: ['end date 2026-05-31T23:59:59.999Z passed 1 days ago (grace 0)', 'still ACTIVE'],
    },
    {
      name: 'one millisecond past a date-time end',
      org: c,
      roster: contractor('2026-06-01T11:59:59.999Z'),
      fires: ['c@example.com'],
    },
    {
      name: 'ended 4 days ago with graceDays 3',
      org: c,
      roster: contractor('2026-05-28'),
      policy: { rules: { 'roster-contractor-past-end-date': { params: { graceDays: 3 } } } },
      fires: ['c@example.com'],
      message: ['passed 4 days ago (grace 3)'],
    },
    {
      name: 'on leave and past the end date, invitation pending',
      org: () => org({ users: [user({ username: 'c@example.com', status: 'PENDING' })] }),
      roster: contractor('2026-02-28', { status: 'On Leave' }),
      fires: ['c@example.com'],
    },
  ],
  notEvaluated: [{ name: 'no --roster', org: c, reason: 'no roster (--roster)' }],
};
