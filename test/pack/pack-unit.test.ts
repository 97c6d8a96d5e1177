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
import { buildPack } from '../../src/pack/build.js';
import { controlMatrix } from '../../src/pack/controls.js';
import { serializeSnapshot } from '../../src/snapshot/store.js';
import { coverage, org, settings, snapshot, user } from '../builders/snapshot.js';

const NOW = new Date('2026-11-01T00:00:00.000Z');
const HOSTILE = '<img src=x onerror=alert(1)>"&\'';

function key() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, fingerprint: keyFingerprint(publicKey) };
}

async function packOf(orgs: ReturnType<typeof org>[]) {
  const snap = snapshot(orgs, { collectedAt: NOW.toISOString() });
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
  const files = [{ name: 'snapshot.json', role: 'snapshot' as const, source: 'q.json', bytes }];
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
    expect(html).toContain('<td>NO</td>');
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
});
