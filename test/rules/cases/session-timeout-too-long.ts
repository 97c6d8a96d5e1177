import { coverage, legacyOrg, org, settings } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

const timeouts = (idle: number | null, absolute: number | null = null) =>
  settings({ idleSessionTimeoutInSeconds: idle, absoluteSessionTimeoutInSeconds: absolute });

export const cases: RuleCases = {
  valid: [
    {
      name: '15 minutes idle, absolute unset (Atlas: 12 hours)',
      org: () => org({ settings: timeouts(900) }),
    },
    {
      name: '30 minutes idle, 12 hours absolute (limits are exclusive)',
      atLimit: ['maxIdleMinutes', 'maxAbsoluteMinutes'],
      org: () => org({ settings: timeouts(1800, 43_200) }),
    },
    {
      name: 'the policy allows an hour',
      org: () => org({ settings: timeouts(3600) }),
      policy: { rules: { 'session-timeout-too-long': { params: { maxIdleMinutes: 60 } } } },
    },
  ],
  invalid: [
    {
      name: 'no idle timeout: sessions never end for inactivity (Atlas Commercial default)',
      org: () => org({ name: 'lax', settings: timeouts(null) }),
      fires: ['lax'],
      message: [
        'idle: none (Atlas default); absolute: 720 min (Atlas default)',
        '(limits: idle 30 min, absolute 720 min)',
      ],
    },
    {
      name: 'an idle timeout of an hour',
      org: () => org({ name: 'slow', settings: timeouts(3600, 28_800) }),
      fires: ['slow'],
      message: ['idle: 60 min; absolute: 480 min'],
    },
    {
      name: 'the policy shortens both limits',
      org: () => org({ name: 'strict', settings: timeouts(600) }),
      policy: {
        rules: { 'session-timeout-too-long': { params: { maxIdleMinutes: 15, maxAbsoluteMinutes: 480 } } },
      },
      fires: ['strict'],
      message: ['absolute: 720 min (Atlas default)', '(limits: idle 15 min, absolute 480 min)'],
    },
  ],
  notEvaluated: [
    {
      name: 'session timeouts not collected (a snapshot upgraded from schema 1)',
      org: () => org({ settings: timeouts(null), coverage: coverage({ sessionTimeouts: false }) }),
      reason: 'no session timeout settings',
    },
    {
      name: 'Cloud Manager v1.0: no settings at all',
      org: () => legacyOrg(),
      reason: 'no organization settings, no session timeout settings',
    },
  ],
};
