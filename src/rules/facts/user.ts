/** Organization users (people and the users Atlas creates itself) as subjects. */

import { nonHumanUser } from '../../domain/identities.js';
import { highestPrivilege, ORG_OWNER, rolePrivilege } from '../../domain/roles.js';
import type { User } from '../../snapshot/schema.js';
import { emailDomainOf, isDomainAllowed } from '../../util/address.js';
import { daysSince, type OrgView, sorted } from './org-view.js';
import { ROSTER_FACTS, rosterFacts } from './roster.js';
import { clock, type Derived, defineDerivation, f, NAME, needs } from './spec.js';

const USER_FACTS = {
  name: NAME,
  username: f('string', 'Login name'),
  isHuman: f(
    'boolean',
    'A person: false for the users Atlas creates itself (Atlas Charts: charts+<id>@mongodb.com)',
  ),
  nonHumanKind: f('string', 'What created a non-human user (e.g. atlas-charts); null for a person', true),
  status: f('string', 'ACTIVE, PENDING, INVITATION_EXPIRED or INVITATION_REJECTED'),
  isActive: f('boolean', 'Membership status is ACTIVE'),
  isPending: needs(f('boolean', 'Membership status is PENDING (an open invitation)'), 'invitations'),
  emailDomain: f('string', 'Lower-cased part of the username after the last @ ("" when none)'),
  emailDomainAllowed: f(
    'boolean',
    'emailDomain is one of the policy allowedEmailDomains or a subdomain of one; null when the policy lists none',
    true,
  ),
  daysSinceLastAuth: clock(
    needs(f('number', 'Whole days since the last sign-in; null when never signed in', true), 'signIns'),
  ),
  neverSignedIn: needs(f('boolean', 'No sign-in recorded'), 'signIns'),
  daysSinceCreated: clock(
    needs(f('number', 'Whole days since the user was created; null when unknown', true), 'signIns'),
  ),
  daysIdle: clock(
    needs(
      f(
        'number',
        'daysSinceLastAuth, or daysSinceCreated when never signed in; null when both unknown',
        true,
      ),
      'signIns',
    ),
  ),
  daysSinceInvited: clock(
    needs(f('number', 'Whole days since the invitation was created; null when none', true), 'invitations'),
  ),
  invitationExpired: clock(
    needs(
      f('boolean', 'Status INVITATION_EXPIRED, or a pending invitation whose expiry has passed'),
      'invitations',
    ),
  ),
  orgRoles: f('string[]', 'Organization roles'),
  isOrgOwner: f('boolean', 'Holds ORG_OWNER'),
  isProjectOwner: needs(
    f('boolean', 'Holds GROUP_OWNER in some project, directly or through a team'),
    'teams',
    'projects',
  ),
  isPrivileged: needs(
    f(
      'boolean',
      'isOrgOwner or isProjectOwner, or holds another owner-equivalent project role (one that manages project access, e.g. GROUP_ACCESS_MANAGER), directly or through a team',
    ),
    'teams',
    'projects',
  ),
  highestPrivilege: needs(
    f(
      'string',
      'owner, write or read: the most any known role held grants (org and project, directly or through a team); none without a known role',
    ),
    'teams',
    'projects',
  ),
  teamsCovered: f('boolean', 'The source API listed teams for this org'),
  projectsCovered: f(
    'boolean',
    'The source API listed projects and their teams’ roles for this org (needs teams too)',
  ),
  teamCount: needs(
    f('number', 'Teams the user belongs to (users endpoint teamIds plus team member lists)'),
    'teams',
  ),
  directProjectRoles: needs(
    f(
      'string[]',
      'Project roles held directly and not granted through any of the user’s teams, as "<project>: <ROLE>"',
    ),
    'teams',
    'projects',
  ),
  directProjectRoleCount: needs(f('number', 'Length of directProjectRoles'), 'teams', 'projects'),
  unknownRoles: f('string[]', 'Org and project role names the catalogue does not know'),
  unknownRoleCount: f('number', 'Length of unknownRoles'),
  // The roster (`--roster`), joined by username (case-insensitive) to a person's email or alias.
  ...ROSTER_FACTS,
};

function deriveUser(view: OrgView, u: User): Derived<typeof USER_FACTS> {
  const { org, now, allowed } = view;
  const isActive = u.status === 'ACTIVE';
  const isPending = u.status === 'PENDING';
  const isOrgOwner = u.orgRoles.includes(ORG_OWNER);
  const access = view.access(u);
  let ownerEquivalentProjectRole = false;
  for (const r of access.held)
    if (r.startsWith('GROUP_') && rolePrivilege(r) === 'owner') {
      ownerEquivalentProjectRole = true;
      break;
    }
  const nonHuman = nonHumanUser(u.username);
  const daysSinceLastAuth = daysSince(u.lastAuth, now);
  const daysSinceCreated = daysSince(u.createdAt, now);
  const domain = emailDomainOf(u.username);
  const expiresIn = u.invitationExpiresAt === null ? null : Date.parse(u.invitationExpiresAt) - now.getTime();
  const direct = sorted(access.direct);
  const unknown = sorted(access.unknown);
  return {
    ref: { type: 'user', id: u.id, name: u.username },
    aliases: [u.id, u.username],
    // Object.assign, not a spread at the end of the literal: the same keys in the same order, and on
    // V8 a spread into a literal this size cost as much as the rest of the derivation (bench/audit.ts).
    facts: Object.assign(
      {
        name: u.username,
        username: u.username,
        isHuman: nonHuman === null,
        nonHumanKind: nonHuman?.kind ?? null,
        status: u.status,
        isActive,
        isPending,
        emailDomain: domain,
        emailDomainAllowed: allowed.length === 0 ? null : isDomainAllowed(domain, allowed),
        daysSinceLastAuth,
        neverSignedIn: u.lastAuth === null,
        daysSinceCreated,
        daysIdle: daysSinceLastAuth ?? daysSinceCreated,
        daysSinceInvited: daysSince(u.invitationCreatedAt, now),
        invitationExpired:
          u.status === 'INVITATION_EXPIRED' || (isPending && expiresIn !== null && expiresIn <= 0),
        orgRoles: sorted(u.orgRoles),
        isOrgOwner,
        isProjectOwner: access.isProjectOwner,
        isPrivileged: isOrgOwner || access.isProjectOwner || ownerEquivalentProjectRole,
        highestPrivilege: highestPrivilege(access.held) ?? 'none',
        teamsCovered: org.coverage.teams,
        projectsCovered: org.coverage.projects && org.coverage.teams,
        teamCount: view.teamsOfUser.get(u.id)?.size ?? 0,
        directProjectRoles: direct,
        directProjectRoleCount: direct.length,
        unknownRoles: unknown,
        unknownRoleCount: unknown.length,
      },
      rosterFacts(view.roster, [u.username], now),
    ),
  };
}

export const userDerivation = defineDerivation({
  facts: USER_FACTS,
  derive: (view) => view.org.users.map((u) => deriveUser(view, u)),
});
