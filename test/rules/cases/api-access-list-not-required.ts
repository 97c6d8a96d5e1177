import {
  apiKey,
  daysAgo,
  invitation,
  org,
  project,
  projectRole,
  serviceAccount,
  settings,
  team,
  user,
} from '../../builders/snapshot.js';
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
};
