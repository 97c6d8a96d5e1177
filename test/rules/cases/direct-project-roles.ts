import {
  chartsUser,
  legacyOrg,
  legacyUser,
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
      name: 'the user Atlas Charts creates reads its project directly',
      org: () => {
        const p = project();
        return org({
          users: [chartsUser({ projectRoles: [projectRole(p.id, 'GROUP_DATA_ACCESS_READ_ONLY')] })],
          projects: [p],
        });
      },
    },
    {
      name: 'direct role repeats a team grant',
      org: () => {
        const t = team();
        const p = project({ teams: [{ teamId: t.id, roles: ['GROUP_READ_ONLY'] }] });
        const u = user({ teamIds: [t.id], projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY')] });
        t.memberIds = [u.id];
        return org({ users: [u], teams: [t], projects: [p] });
      },
    },
    { name: 'no project roles', org: () => org() },
  ],
  invalid: [
    {
      name: 'role beyond the team grant',
      org: () => {
        const t = team();
        const p = project({ name: 'payments', teams: [{ teamId: t.id, roles: ['GROUP_READ_ONLY'] }] });
        const u = user({
          username: 'dev@example.com',
          teamIds: [t.id],
          projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY', 'GROUP_OWNER')],
        });
        t.memberIds = [u.id];
        return org({ users: [u], teams: [t], projects: [p] });
      },
      fires: ['dev@example.com'],
      message: ['payments: GROUP_OWNER'],
    },
    {
      name: 'team grants the role in another project only',
      org: () => {
        const t = team();
        const a = project({ teams: [{ teamId: t.id, roles: ['GROUP_READ_ONLY'] }] });
        const b = project({ name: 'other' });
        const u = user({
          username: 'x@example.com',
          teamIds: [t.id],
          projectRoles: [projectRole(b.id, 'GROUP_READ_ONLY')],
        });
        t.memberIds = [u.id];
        return org({ users: [u], teams: [t], projects: [a, b] });
      },
      fires: ['x@example.com'],
      message: ['other: GROUP_READ_ONLY'],
    },
  ],
  notEvaluated: [
    {
      name: 'Cloud Manager v1.0: projects listed, but which roles come through teams is unknown',
      org: () => {
        const p = project({ name: 'payments' });
        return legacyOrg({
          projects: [p],
          users: [legacyUser({ projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY')] })],
        });
      },
      reason: 'no team data',
    },
  ],
};
