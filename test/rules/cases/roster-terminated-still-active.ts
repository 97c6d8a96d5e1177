import { rosterCsv } from '../../builders/roster.js';
import { coverage, org, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const leaver = rosterCsv([
  {
    email: 'leaver@example.com',
    status: 'Terminated',
    endDate: '2026-05-15',
    aliases: ['l.eaver@example.org'],
  },
  { email: 'stayer@example.com' },
]);

export const cases: RuleCases = {
  valid: [
    {
      name: 'an active person',
      org: () => org({ users: [user({ username: 'stayer@example.com' })] }),
      roster: leaver,
    },
    {
      name: 'a terminated person whose invitation expired (no access left)',
      org: () => org({ users: [user({ username: 'leaver@example.com', status: 'INVITATION_EXPIRED' })] }),
      roster: leaver,
    },
    {
      name: 'a user nobody in the roster has (another rule reports it)',
      org: () => org({ users: [user({ username: 'ghost@example.com' })] }),
      roster: leaver,
    },
  ],
  invalid: [
    {
      name: 'a terminated person still active, matched case-insensitively',
      org: () => org({ users: [user({ username: 'Leaver@Example.COM' })] }),
      roster: leaver,
      fires: ['Leaver@Example.COM'],
      message: [
        'terminated in the roster (leaver@example.com, end date 2026-05-15T23:59:59.999Z)',
        'still ACTIVE',
      ],
    },
    {
      name: 'matched by an alias, with a pending invitation',
      org: () => org({ users: [user({ username: 'l.eaver@example.org', status: 'PENDING' })] }),
      roster: leaver,
      fires: ['l.eaver@example.org'],
      message: ['still PENDING'],
    },
    {
      name: 'status words of the export (Okta DEPROVISIONED)',
      org: () => org({ users: [user({ username: 'gone@example.com' })] }),
      roster: rosterCsv([{ email: 'gone@example.com', status: 'DEPROVISIONED' }]),
      fires: ['gone@example.com'],
    },
  ],
  notEvaluated: [
    {
      name: 'no --roster',
      org: () => org({ users: [user({ username: 'leaver@example.com' })] }),
      reason: 'no roster (--roster)',
    },
    {
      name: 'no --roster, and a legacy listing too',
      org: () => org({ coverage: coverage({ invitations: false }), users: [user()] }),
      reason: 'no roster (--roster)',
    },
  ],
};
