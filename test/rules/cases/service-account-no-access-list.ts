import { coverage, org, serviceAccount } from '../../builders/snapshot.js';
import type { RuleCases } from '../tester.js';

export const cases: RuleCases = {
  valid: [
    { name: 'service account with an access list', org: () => org({ serviceAccounts: [serviceAccount()] }) },
    {
      name: 'system-managed service account: Atlas configures it',
      org: () => org({ serviceAccounts: [serviceAccount({ systemManaged: true, accessList: [] })] }),
    },
  ],
  invalid: [
    {
      name: 'user-managed service account without an access list',
      org: () =>
        org({
          serviceAccounts: [
            serviceAccount({
              name: 'ci-deployer',
              clientId: 'mdb_sa_id_0123456789abcdef01234567',
              accessList: [],
            }),
            serviceAccount(),
          ],
        }),
      fires: ['ci-deployer'],
      message: ['ci-deployer (mdb_sa_id_0123456789abcdef01234567) has no IP access list'],
    },
  ],
  notEvaluated: [
    {
      name: 'access lists not collected (a snapshot upgraded from schema 1)',
      org: () =>
        org({
          serviceAccounts: [serviceAccount({ accessList: [] })],
          coverage: coverage({ serviceAccountAccess: false }),
        }),
      reason: "no service accounts' project roles and access lists",
    },
  ],
};
