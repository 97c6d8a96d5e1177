/** The organization itself as a subject: owners and security settings. */

import { ORG_OWNER } from '../../domain/roles.js';
import type { OrgSettings } from '../../snapshot/schema.js';
import { type OrgView, sorted } from './org-view.js';
import { type Derived, defineDerivation, type FactValues, f, NAME, needs } from './spec.js';

/** Atlas's absolute session timeout when the org sets none: 43,200 s (spec `CustomSessionTimeouts`). */
const DEFAULT_ABSOLUTE_SESSION_TIMEOUT_MINUTES = 720;
/** Atlas for Government's idle session timeout when the org sets none: 600 s (Commercial has none). */
const GOVERNMENT_DEFAULT_IDLE_SESSION_TIMEOUT_MINUTES = 10;

const ORG_FACTS = {
  name: NAME,
  usersCovered: f('boolean', 'The source API listed the users of this org'),
  settingsCovered: f('boolean', 'The source API reported the org security settings'),
  ownerCount: needs(f('number', 'Users holding ORG_OWNER whose membership is ACTIVE or PENDING'), 'users'),
  owners: needs(f('string[]', 'Usernames counted in ownerCount'), 'users'),
  activeOwnerCount: needs(
    f(
      'number',
      'ACTIVE users holding ORG_OWNER; where the source reports sign-ins, only those who signed in at least once',
    ),
    'users',
  ),
  activeOwners: needs(f('string[]', 'Usernames counted in activeOwnerCount'), 'users'),
  userCount: needs(f('number', 'Users listed in the org (all statuses)'), 'users'),
  mfaRequired: needs(
    f('boolean', 'Org setting multiFactorAuthRequired (null when not reported)', true),
    'settings',
  ),
  apiAccessListRequired: needs(
    f('boolean', 'Org setting apiAccessListRequired (null when not reported)', true),
    'settings',
  ),
  sessionTimeoutsCovered: needs(
    f('boolean', 'The org settings were collected with their session timeouts'),
    'settings',
  ),
  hasIdleSessionTimeout: needs(
    f(
      'boolean',
      'Sessions end after a period of inactivity: an idle timeout is set, or Atlas for Government applies its default of 10 minutes',
    ),
    'settings',
    'sessionTimeouts',
  ),
  idleSessionTimeoutMinutes: needs(
    f(
      'number',
      'Idle session timeout in minutes, Atlas for Government default included; null when there is none',
      true,
    ),
    'settings',
    'sessionTimeouts',
  ),
  absoluteSessionTimeoutMinutes: needs(
    f('number', "Absolute session timeout in minutes (unset: Atlas's 720, 12 hours)", true),
    'settings',
    'sessionTimeouts',
  ),
  sessionTimeouts: needs(
    f('string', 'Both session timeouts in words, e.g. "idle: none; absolute: 720 min (Atlas default)"'),
    'settings',
    'sessionTimeouts',
  ),
};

type SessionTimeoutFacts = Pick<
  FactValues<typeof ORG_FACTS>,
  | 'sessionTimeoutsCovered'
  | 'hasIdleSessionTimeout'
  | 'idleSessionTimeoutMinutes'
  | 'absoluteSessionTimeoutMinutes'
  | 'sessionTimeouts'
>;

/** The session timeout facts of an org. */
function sessionTimeoutFacts(
  settings: OrgSettings | null,
  covered: boolean,
  government: boolean,
): SessionTimeoutFacts {
  if (!covered || settings === null) {
    return {
      sessionTimeoutsCovered: false,
      hasIdleSessionTimeout: false,
      idleSessionTimeoutMinutes: null,
      absoluteSessionTimeoutMinutes: null,
      sessionTimeouts: 'not collected',
    };
  }
  const idleSet = settings.idleSessionTimeoutInSeconds;
  const absoluteSet = settings.absoluteSessionTimeoutInSeconds;
  const idle =
    idleSet !== null ? idleSet / 60 : government ? GOVERNMENT_DEFAULT_IDLE_SESSION_TIMEOUT_MINUTES : null;
  const absolute = absoluteSet !== null ? absoluteSet / 60 : DEFAULT_ABSOLUTE_SESSION_TIMEOUT_MINUTES;
  const idleText =
    idle === null
      ? 'none (Atlas default)'
      : `${idle} min${idleSet === null ? ' (Atlas for Government default)' : ''}`;
  const absoluteText = `${absolute} min${absoluteSet === null ? ' (Atlas default)' : ''}`;
  return {
    sessionTimeoutsCovered: true,
    hasIdleSessionTimeout: idle !== null,
    idleSessionTimeoutMinutes: idle,
    absoluteSessionTimeoutMinutes: absolute,
    sessionTimeouts: `idle: ${idleText}; absolute: ${absoluteText}`,
  };
}

function deriveOrg({ org, government }: OrgView): Derived<typeof ORG_FACTS> {
  const owners: string[] = [];
  const activeOwners: string[] = [];
  for (const u of org.users) {
    if (!u.orgRoles.includes(ORG_OWNER)) continue;
    if (u.status === 'ACTIVE' || u.status === 'PENDING') owners.push(u.username);
    // Without sign-in data (Cloud Manager v1.0) a null lastAuth says nothing: ACTIVE is all there is.
    if (u.status === 'ACTIVE' && (u.lastAuth !== null || !org.coverage.signIns))
      activeOwners.push(u.username);
  }
  const settingsCovered = org.coverage.settings && org.settings !== null;
  return {
    ref: { type: 'org', id: org.id, name: org.name },
    aliases: [org.id, org.name],
    facts: {
      name: org.name,
      usersCovered: org.coverage.users,
      settingsCovered,
      ownerCount: owners.length,
      owners: sorted(owners),
      activeOwnerCount: activeOwners.length,
      activeOwners: sorted(activeOwners),
      userCount: org.users.length,
      mfaRequired: org.settings?.multiFactorAuthRequired ?? null,
      apiAccessListRequired: org.settings?.apiAccessListRequired ?? null,
      ...sessionTimeoutFacts(org.settings, settingsCovered && org.coverage.sessionTimeouts, government),
    },
  };
}

export const orgDerivation = defineDerivation({ facts: ORG_FACTS, derive: (view) => [deriveOrg(view)] });
