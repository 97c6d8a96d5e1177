import { coverage, legacyOrg, org, settings } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'MFA required', org: () => org() }],
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
  notEvaluated: [
    {
      name: 'settings not collected',
      org: () => org({ coverage: coverage({ settings: false }), settings: null }),
      reason: 'no organization settings',
    },
    { name: 'Cloud Manager v1.0', org: () => legacyOrg(), reason: 'no organization settings' },
  ],
};
