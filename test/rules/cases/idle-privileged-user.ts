import {
  chartsUser,
  coverage,
  daysAgo,
  legacyOrg,
  org,
  project,
  projectRole,
  team,
  user,
} from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    {
      name: 'a non-human user with a write role',
      org: () => {
        const p = project();
        return org({
          users: [chartsUser({ projectRoles: [projectRole(p.id, 'GROUP_OWNER')] })],
          projects: [p],
        });
      },
    },
    {
      name: 'an idle user with a fine-grained write role is not an owner',
      org: () => {
        const p = project();
        return org({
          users: [
            user({ projectRoles: [projectRole(p.id, 'GROUP_REPLICA_SET_MANAGER')], lastAuth: daysAgo(50) }),
          ],
          projects: [p],
        });
      },
    },
    {
      name: 'owner active 30 days ago',
      atLimit: ['maxDays'],
      org: () => org({ users: [user({ orgRoles: ['ORG_OWNER'], lastAuth: daysAgo(30) })] }),
    },
    { name: 'idle non-owner', org: () => org({ users: [user({ lastAuth: daysAgo(60) })] }) },
  ],
  invalid: [
    {
      name: 'idle org owner',
      org: () =>
        org({
          users: [user({ username: 'boss@example.com', orgRoles: ['ORG_OWNER'], lastAuth: daysAgo(31) })],
        }),
      fires: ['boss@example.com'],
      message: ['idle 31 days (limit 30)'],
    },
    {
      name: 'project owner through a team, never signed in, created 40 days ago',
      org: () => {
        const t = team({ name: 'owners' });
        const p = project({ teams: [{ teamId: t.id, roles: ['GROUP_OWNER'] }] });
        const u = user({
          username: 'po@example.com',
          teamIds: [t.id],
          lastAuth: null,
          createdAt: daysAgo(40),
        });
        t.memberIds = [u.id];
        return org({ users: [u], teams: [t], projects: [p] });
      },
      fires: ['po@example.com'],
    },
    {
      name: 'direct project owner',
      org: () => {
        const p = project();
        return org({
          users: [
            user({
              username: 'dp@example.com',
              projectRoles: [projectRole(p.id, 'GROUP_OWNER')],
              lastAuth: daysAgo(50),
            }),
          ],
          projects: [p],
        });
      },
      fires: ['dp@example.com'],
    },
    {
      name: 'Project Access Manager through a team: owner-equivalent (it grants project access)',
      org: () => {
        const t = team({ name: 'access' });
        const p = project({ teams: [{ teamId: t.id, roles: ['GROUP_ACCESS_MANAGER'] }] });
        const u = user({ username: 'am@example.com', teamIds: [t.id], lastAuth: daysAgo(45) });
        t.memberIds = [u.id];
        return org({ users: [u], teams: [t], projects: [p] });
      },
      fires: ['am@example.com'],
    },
  ],
  notEvaluated: [
    {
      name: 'Cloud Manager v1.0 owners (no sign-in dates, no teams)',
      org: () => legacyOrg(),
      reason: 'no team data, no sign-in data',
    },
    {
      name: 'idle owner, but sign-ins not covered',
      org: () =>
        org({
          coverage: coverage({ signIns: false }),
          users: [user({ orgRoles: ['ORG_OWNER'], lastAuth: daysAgo(31) })],
        }),
      reason: 'no sign-in data',
    },
  ],
};
