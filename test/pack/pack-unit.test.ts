/**
 * The pack's pure parts on hand-made input: values from Atlas escaped in index.html, the control
 * status of each kind of rule outcome, and the completeness tie-out. (Its layer is checked with every
 * other one in test/architecture/layers.test.ts.)
 */
import { generateKeyPairSync } from 'node:crypto';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import { keyFingerprint } from '../../src/evidence/signature.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import { readFrameworkCatalogues } from '../../src/input/rules-dir.js';
import { buildPack } from '../../src/pack/build.js';
import { controlMatrix, renderControlsCsv } from '../../src/pack/controls.js';
import { selectFrameworks } from '../../src/rules/frameworks.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { serializeSnapshot } from '../../src/snapshot/store.js';
import { coverage, org, settings, snapshot, user } from '../builders/snapshot.js';

const NOW = new Date('2026-11-01T00:00:00.000Z');
const HOSTILE = '<img src=x onerror=alert(1)>"&\'';

function key() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, fingerprint: keyFingerprint(publicKey) };
}

async function packOf(
  orgs: ReturnType<typeof org>[],
  collector: Snapshot['collector'] = null,
  more: Array<{ name: string; role: 'report'; source: string; bytes: Uint8Array }> = [],
) {
  const snap = snapshot(orgs, { collectedAt: NOW.toISOString(), collector });
  const rules = await readRulesDir(DEFAULT_RULES_DIR);
  const audit = await auditSnapshot({
    snapshot: snap,
    rules,
    policy: DEFAULT_POLICY,
    waivers: [],
    now: NOW,
    inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
  });
  const bytes = Buffer.from(serializeSnapshot(snap));
  const files = [{ name: 'snapshot.json', role: 'snapshot' as const, source: 'q.json', bytes }, ...more];
  const built = buildPack({
    files,
    snapshot: snap,
    audit,
    command: ['evidence', 'pack'],
    tool: { name: 't', version: '1' },
    key: key(),
  });
  return { ...built, audit, entries: unzipSync(built.zip) };
}

describe('entry names', () => {
  it('refuses a file packed under a name that is also the folder of another (it could not be extracted as both)', async () => {
    const file = (name: string) => ({ name, role: 'report' as const, source: name, bytes: Buffer.from('x') });
    await expect(
      packOf([org({ users: [user()] })], null, [
        file('report/campaign'),
        file('report/campaign/campaign.json'),
      ]),
    ).rejects.toThrow(
      'report/campaign would be packed both as a file and as the folder of report/campaign/campaign.json',
    );
  });
});

describe('index.html', () => {
  it('escapes every value from Atlas: org names, endpoints, notes', async () => {
    const o = org({
      name: HOSTILE,
      completeness: [{ endpoint: `GET /orgs/${HOSTILE}/users`, itemsRead: 2, totalCount: 3, pages: 1 }],
      notes: [HOSTILE],
    });
    const { entries, manifest } = await packOf([o]);
    const html = Buffer.from(entries['index.html']!).toString('utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;&quot;&amp;&#x27;');
    expect(html).not.toMatch(/<script/i);
    expect(manifest.collection.organizations[0]!.listings[0]).toMatchObject({
      itemsRead: 2,
      totalCount: 3,
      tiesOut: false,
    });
    expect(html).toContain('<td class="fail">NO</td>');
    expect(html).toContain('0 of 1 listing(s) tie out to Atlas&#x27;s totalCount; 1 do not');
    expect(html).toContain('not recorded by this snapshot');
  });

  it('names who collected and the roles the snapshot shows, or that the identity is not visible', async () => {
    const home = org({ name: 'Home' });
    const away = org({ name: HOSTILE });
    const { entries, manifest } = await packOf([home, away], {
      command: ['collect', '--org', home.id, '--note', HOSTILE],
      identity: {
        kind: 'service-account',
        id: 'mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaaaa',
        organizations: [
          {
            orgId: home.id,
            status: 'found',
            orgRoles: ['ORG_READ_ONLY'],
            projectRoles: [{ projectId: 'd00000000000000000000001', roles: ['GROUP_READ_ONLY'] }],
          },
          { orgId: away.id, status: 'not-found', orgRoles: [], projectRoles: [] },
        ],
      },
    });
    expect(manifest.collection.identity?.id).toBe('mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaaaa');
    expect(manifest.collection.command).toEqual(['collect', '--org', home.id, '--note', HOSTILE]);
    const html = Buffer.from(entries['index.html']!).toString('utf8');
    expect(html).toContain('service-account <code>mdb_sa_id_aaaaaaaaaaaaaaaaaaaaaaaa</code>');
    expect(html).toContain(
      'Home: <span class="">ORG_READ_ONLY, project d00000000000000000000001: GROUP_READ_ONLY</span>',
    );
    expect(html).toContain('not visible: not in the collected data of this organization');
    expect(html).not.toContain('<img src=x');
  });
});

describe('controlMatrix', () => {
  it('failing beats not evaluated beats waived beats passing; each control names its rules and files', async () => {
    const failing = org({ settings: settings({ multiFactorAuthRequired: false }), users: [user()] });
    const { audit } = await packOf([failing]);
    const rows = controlMatrix(audit, ['snapshot.json']);
    const mfa = audit.rules.find((r) => r.id === 'mfa-not-required')!;
    for (const ref of mfa.references) {
      const row = rows.find((r) => r.control === ref)!;
      expect(row.status).toBe('failing');
      expect(row.rules.map((r) => r.id)).toContain('mfa-not-required');
      expect(row.files).toEqual(['snapshot.json']);
    }
    // The same finding waived: waived, unless another rule of the control fails.
    const waived = {
      ...audit,
      findings: audit.findings.map((f) => ({ ...f, waived: true })),
    };
    for (const row of controlMatrix(waived, []))
      expect(['waived', 'passing', 'not evaluated']).toContain(row.status);
    expect(controlMatrix(waived, []).find((r) => r.control === mfa.references[0])!.status).toBe('waived');
    // Disabled: not evaluated, whatever it found.
    const disabled = { ...audit, rules: audit.rules.map((r) => ({ ...r, enabled: false })) };
    for (const row of controlMatrix(disabled, [])) expect(row.status).toBe('not evaluated');
  });

  it('a rule the snapshot cannot evaluate (no settings collected) leaves its controls not evaluated', async () => {
    const { audit } = await packOf([org({ coverage: coverage({ settings: false }), settings: null })]);
    const rows = controlMatrix(audit, []);
    const mfa = audit.rules.find((r) => r.id === 'mfa-not-required')!;
    expect(audit.notEvaluated.some((n) => n.ruleId === 'mfa-not-required')).toBe(true);
    expect(
      rows.find((r) => r.control === mfa.references[0])!.rules.find((r) => r.id === 'mfa-not-required')!
        .status,
    ).toBe('not evaluated');
  });

  it('with --framework: every control of the selected frameworks in catalogue order, untested ones included', async () => {
    const snap = snapshot(
      [org({ settings: settings({ multiFactorAuthRequired: false }), users: [user()] })],
      {
        collectedAt: NOW.toISOString(),
      },
    );
    const rules = await readRulesDir(DEFAULT_RULES_DIR);
    const catalogues = await readFrameworkCatalogues();
    const audit = await auditSnapshot({
      snapshot: snap,
      rules,
      policy: DEFAULT_POLICY,
      waivers: [],
      now: NOW,
      inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
      frameworks: { catalogues, selected: selectFrameworks(['pci-dss-4'], catalogues) },
    });
    const rows = controlMatrix(audit, ['snapshot.json']);
    const pci = catalogues.find((c) => c.id === 'pci-dss-4')!;
    // Only PCI DSS, each of its controls once, in its catalogue's order.
    expect(rows.map((r) => r.control)).toEqual(pci.controls.map((c) => `pci-dss-4 ${c.id}`));
    expect(rows.map((r) => r.title)).toEqual(pci.controls.map((c) => c.title));
    // MFA fails (8.4.x); a control no rule tests is listed, not evaluated, with no rules: the gap shows.
    const mfa = rows.filter((r) => r.rules.some((x) => x.id === 'mfa-not-required'));
    expect(mfa.length).toBeGreaterThan(0);
    for (const r of mfa) expect(r.status).toBe('failing');
    const untested = rows.filter((r) => r.rules.length === 0);
    expect(untested.length).toBeGreaterThan(0);
    for (const r of untested) expect(r.status).toBe('not evaluated');
    const csv = renderControlsCsv(rows).split('\r\n');
    expect(csv[0]).toBe('control,title,status,rules,rule statuses,open findings,waived findings,files');
    expect(csv).toHaveLength(pci.controls.length + 2);
  });
});
