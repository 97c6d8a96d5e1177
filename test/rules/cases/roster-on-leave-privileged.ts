import { rosterCsv } from '../../builders/roster.js';
import { coverage, org, project, projectRole, team, user } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const onLeave = rosterCsv([{ email: 'away@example.com', status: 'Leave of Absence' }]);

export const cases: RuleCases = {
  valid: [
    {
      name: 'on leave with a read-only role',
      org: () => org({ users: [user({ username: 'away@example.com', orgRoles: ['ORG_READ_ONLY'] })] }),
      roster: onLeave,
    },
    {
      name: 'an active org owner',
      org: () => org({ users: [user({ username: 'away@example.com', orgRoles: ['ORG_OWNER'] })] }),
      roster: rosterCsv([{ email: 'away@example.com' }]),
    },
    {
      name: 'on leave, owner, but the invitation is still pending (not ACTIVE)',
      org: () =>
        org({ users: [user({ username: 'away@example.com', orgRoles: ['ORG_OWNER'], status: 'PENDING' })] }),
      roster: onLeave,
    },
  ],
  invalid: [
    {
      name: 'on leave and org owner',
      org: () => org({ users: [user({ username: 'away@example.com', orgRoles: ['ORG_OWNER'] })] }),
      roster: onLeave,
      fires: ['away@example.com'],
      message: ['on leave in the roster (away@example.com)', 'ORG_OWNER'],
    },
    {
      name: 'on leave and project owner through a team',
      org: () => {
        const t = team({ name: 'owners' });
        const p = project({ teams: [{ teamId: t.id, roles: ['GROUP_OWNER'] }] });
        const u = user({ username: 'away@example.com', teamIds: [t.id] });
        t.memberIds = [u.id];
        return org({ users: [u], teams: [t], projects: [p] });
      },
      roster: onLeave,
      fires: ['away@example.com'],
    },
    {
      name: 'on leave with a direct Project Access Manager role',
      org: () => {
        const p = project();
        return org({
          users: [
            user({ username: 'away@example.com', projectRoles: [projectRole(p.id, 'GROUP_ACCESS_MANAGER')] }),
          ],
          projects: [p],
        });
      },
      roster: onLeave,
      fires: ['away@example.com'],
    },
  ],
  notEvaluated: [
    {
      name: 'no --roster',
      org: () => org({ users: [user({ username: 'away@example.com', orgRoles: ['ORG_OWNER'] })] }),
      reason: 'no roster (--roster)',
    },
    {
      name: 'a roster, but no team data',
      org: () =>
        org({
          coverage: coverage({ teams: false }),
          users: [user({ username: 'away@example.com', orgRoles: ['ORG_OWNER'] })],
        }),
      roster: onLeave,
      reason: 'no team data',
    },
  ],
};
