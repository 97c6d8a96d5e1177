import { legacyOrg, org, settings } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [{ name: 'required', org: () => org() }],
  invalid: [
    {
      name: 'not required',
      org: () => org({ name: 'open', settings: settings({ apiAccessListRequired: false }) }),
      fires: ['open'],
      message: ['apiAccessListRequired: false'],
    },
  ],
  notEvaluated: [{ name: 'Cloud Manager v1.0', org: () => legacyOrg(), reason: 'no organization settings' }],
};
