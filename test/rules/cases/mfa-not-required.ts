import { org, settings } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const noSettings = {
  users: true,
  invitations: true,
  teams: true,
  projects: true,
  apiKeys: true,
  serviceAccounts: true,
  settings: false,
  serviceAccountAccess: false,
  systemManagedServiceAccounts: false,
  sessionTimeouts: false,
  projectInvitations: false,
};
export const cases: RuleCases = {
  valid: [
    { name: 'MFA required', org: () => org() },
    {
      name: 'settings not collected (Cloud Manager)',
      org: () => org({ coverage: noSettings, settings: null }),
    },
  ],
  invalid: [
    {
      name: 'MFA off',
      org: () => org({ name: 'lax', settings: settings({ multiFactorAuthRequired: false }) }),
      fires: ['lax'],
      message: ['multiFactorAuthRequired: false'],
    },
    {
      name: 'MFA not reported (fail closed)',
      org: () => org({ name: 'unknown', settings: settings({ multiFactorAuthRequired: null }) }),
      fires: ['unknown'],
    },
  ],
};
