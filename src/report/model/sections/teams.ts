import { compareText } from '../../../domain/compare-text.js';
import { identityKey } from '../../../domain/keys.js';
import { projectRoleLines, pushTo } from '../shared.js';
import type { SectionBuilder } from './context.js';

/** Teams, with their members and the project roles they grant. */
export const teamSection: SectionBuilder = (ctx, out) => {
  const { org } = ctx;
  // Project grants per team, from the projects side (GET /groups/{id}/teams).
  const teamGrants = new Map<string, Array<{ projectId: string; roles: string[] }>>();
  for (const p of org.projects) {
    for (const pt of p.teams) pushTo(teamGrants, pt.teamId, { projectId: p.id, roles: pt.roles });
  }
  for (const t of org.teams) {
    out.teams.push({
      orgId: org.id,
      orgName: org.name,
      id: t.id,
      name: t.name,
      memberCount: t.memberIds.length,
      members: t.memberIds.map((m) => ctx.usernames.get(m) ?? m).sort(compareText),
      projectRoles: projectRoleLines(teamGrants.get(t.id) ?? [], ctx.projectNames),
      findingCount: ctx.findings.bySubject.get(identityKey(org.id, 'team', t.id))?.length ?? 0,
    });
  }
};
