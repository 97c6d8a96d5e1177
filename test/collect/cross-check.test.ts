import { describe, expect, it } from 'vitest';
import {
  crossCheckProjectApiKeys,
  crossCheckProjectServiceAccounts,
  systemManagedIds,
} from '../../src/collect/cross-check.js';
import { apiKey, project, projectRole, serviceAccount } from '../builders/snapshot.js';

const ORG = 'aa0000000000000000000001';

describe('system-managed service accounts', () => {
  it('are the ones only the includeSystemManaged=true listing has', () => {
    const { ids, notes } = systemManagedIds(['mdb_sa_id_a', 'mdb_sa_id_b', 'mdb_sa_id_c'], ['mdb_sa_id_a']);
    expect([...ids].sort()).toEqual(['mdb_sa_id_b', 'mdb_sa_id_c']);
    expect(notes).toEqual([]);
  });

  it('an account only the default listing has is a disagreement, noted', () => {
    const { ids, notes } = systemManagedIds(['mdb_sa_id_a'], ['mdb_sa_id_a', 'mdb_sa_id_z']);
    expect([...ids]).toEqual([]);
    expect(notes).toEqual([
      'service account mdb_sa_id_z is listed without includeSystemManaged but not with includeSystemManaged=true; it is not in the snapshot',
    ]);
  });
});

describe("project API keys against the organization's listing", () => {
  const p = project({ name: 'prod' });
  const wireKey = (
    id: string,
    publicKey: string,
    roles: Array<{ groupId?: string; orgId?: string; roleName: string }>,
  ) => ({
    id,
    publicKey,
    roles,
  });

  it('agree: no note', () => {
    const key = apiKey({ projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY')] });
    const listed = [
      wireKey(key.id, key.publicKey, [
        { orgId: ORG, roleName: 'ORG_READ_ONLY' },
        { groupId: p.id, roleName: 'GROUP_READ_ONLY' },
        // Roles elsewhere are not this project's to compare.
        { groupId: 'bb0000000000000000000009', roleName: 'GROUP_OWNER' },
      ]),
    ];
    expect(crossCheckProjectApiKeys([key], [{ project: p, keys: listed }], ORG)).toEqual([]);
  });

  it('notes different roles, a key only the project lists, and a key the project does not list', () => {
    const differs = apiKey({ publicKey: 'differs1', projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY')] });
    const missing = apiKey({
      publicKey: 'missing1',
      projectRoles: [projectRole(p.id, 'GROUP_CLUSTER_MANAGER')],
    });
    const listed = [
      wireKey(differs.id, differs.publicKey, [{ groupId: p.id, roleName: 'GROUP_OWNER' }]),
      wireKey('cc0000000000000000000001', 'stranger', [{ groupId: p.id, roleName: 'GROUP_READ_ONLY' }]),
    ];
    expect(crossCheckProjectApiKeys([differs, missing], [{ project: p, keys: listed }], ORG)).toEqual([
      `project prod (${p.id}) lists API key stranger (cc0000000000000000000001) with GROUP_READ_ONLY, but the organization's API key listing does not (the key holds no role in this organization)`,
      `project prod (${p.id}): API key differs1 has GROUP_OWNER per the project's API key listing but GROUP_READ_ONLY per the organization's`,
      `project prod (${p.id}): API key missing1 has GROUP_CLUSTER_MANAGER per the organization's API key listing, but the project's listing does not show the key`,
    ]);
  });
});

describe("project service accounts against each account's own project listing", () => {
  const p = project({ name: 'prod' });

  it('agree: no note', () => {
    const sa = serviceAccount({
      projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY', 'GROUP_CLUSTER_MANAGER')],
    });
    const listed = [{ clientId: sa.clientId, roles: ['GROUP_CLUSTER_MANAGER', 'GROUP_READ_ONLY'] }];
    expect(crossCheckProjectServiceAccounts([sa], [{ project: p, accounts: listed }])).toEqual([]);
  });

  it('notes every disagreement', () => {
    const differs = serviceAccount({ name: 'ci', projectRoles: [projectRole(p.id, 'GROUP_READ_ONLY')] });
    const missing = serviceAccount({
      name: 'etl',
      projectRoles: [projectRole(p.id, 'GROUP_BACKUP_MANAGER')],
    });
    const listed = [
      { clientId: differs.clientId, roles: ['GROUP_OWNER'] },
      { clientId: 'mdb_sa_id_cc0000000000000000000001', roles: [] },
    ];
    expect(crossCheckProjectServiceAccounts([differs, missing], [{ project: p, accounts: listed }])).toEqual([
      `project prod (${p.id}) lists service account mdb_sa_id_cc0000000000000000000001 with none, but the organization's service account listing does not`,
      `project prod (${p.id}): service account ci (${differs.clientId}) has GROUP_OWNER per the project's service account listing but GROUP_READ_ONLY per its own project listing`,
      `project prod (${p.id}): service account etl (${missing.clientId}) has GROUP_BACKUP_MANAGER per its own project listing, but the project's listing does not show it`,
    ]);
  });
});
