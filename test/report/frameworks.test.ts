/**
 * Framework profiles in every output: the control ids of the selected frameworks on each finding, the
 * preset settings in the header, and `--group-by control` (HTML grouped per control, the XLSX Controls
 * sheet read back with exceljs), on a real audit of a built snapshot.
 */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/audit/policy.js';
import { auditSnapshot } from '../../src/audit/run.js';
import { DEFAULT_RULES_DIR, readRulesDir } from '../../src/input/audit-inputs.js';
import { readFrameworkCatalogues } from '../../src/input/rules-dir.js';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { type RenderOptions, renderReport } from '../../src/report/renderers/index.js';
import { type FrameworkCatalogue, selectFrameworks } from '../../src/rules/frameworks.js';
import type { LoadedRuleSet } from '../../src/rules/load.js';
import { apiKey, BUILDER_NOW, daysAgo, org, snapshot, user } from '../builders/snapshot.js';

let rules: LoadedRuleSet;
let catalogues: FrameworkCatalogue[];
let pci: ReportModel;
let all: ReportModel;

/** One org: a user last seen 100 days ago, an ORG_OWNER API key without an access list. */
function estate() {
  const o = org({ name: 'acme' });
  o.users.push(user({ username: 'stale@example.com', lastAuth: daysAgo(100), teamIds: [o.teams[0]!.id] }));
  o.teams[0]!.memberIds = o.users.map((u) => u.id).sort();
  o.apiKeys.push(apiKey({ description: 'ci', orgRoles: ['ORG_OWNER'], accessList: [] }));
  return snapshot([o]);
}

async function modelFor(ids: string[]): Promise<ReportModel> {
  const snap = estate();
  const audit = await auditSnapshot({
    snapshot: snap,
    rules,
    policy: DEFAULT_POLICY,
    waivers: [],
    now: BUILDER_NOW,
    frameworks: { catalogues, selected: selectFrameworks(ids, catalogues) },
    inputs: { rulesDir: rules.dir, policyFile: null, waiversFile: null, baselineFile: null },
  });
  return buildReportModel({
    snapshot: snap,
    snapshotSha256: 'a'.repeat(64),
    audit,
    generatedAt: BUILDER_NOW,
  });
}

beforeAll(async () => {
  rules = await readRulesDir(DEFAULT_RULES_DIR);
  catalogues = await readFrameworkCatalogues();
  pci = await modelFor(['pci-dss-4']);
  all = await modelFor([]);
});

const text = async (format: Parameters<typeof renderReport>[0], m: ReportModel, o?: RenderOptions) =>
  String(await renderReport(format, m, o));
const rows = (m: ReportModel) => m.findings.flatMap((g) => g.rules.flatMap((r) => r.findings));
const staleRow = (m: ReportModel) => rows(m).find((f) => f.ruleId === 'stale-last-auth')!;

async function workbook(m: ReportModel, o?: RenderOptions): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from((await renderReport('xlsx', m, o)) as Uint8Array) as unknown as ArrayBuffer);
  return wb;
}

/** A sheet as header-keyed records. */
function records(ws: ExcelJS.Worksheet): Array<Record<string, unknown>> {
  const head: string[] = [];
  ws.getRow(1).eachCell((c, i) => {
    head[i] = String(c.value);
  });
  const out: Array<Record<string, unknown>> = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const r: Record<string, unknown> = {};
    row.eachCell((c, i) => {
      r[head[i]!] = c.value;
    });
    out.push(r);
  });
  return out;
}

describe('control ids on every finding', () => {
  it('the model: the selected framework only; every framework without a selection', () => {
    expect(staleRow(pci).controls).toEqual([
      {
        framework: 'pci-dss-4',
        control: '8.2.6',
        title: 'Inactive user accounts are removed or disabled within 90 days of inactivity',
      },
    ]);
    expect(staleRow(all).controls.map((c) => `${c.framework} ${c.control}`)).toEqual([
      'soc2 CC6.2',
      'iso27001 A.5.18',
      'pci-dss-4 8.2.6',
      'cis-v8 5.3',
    ]);
    for (const f of rows(pci)) for (const c of f.controls) expect(c.framework).toBe('pci-dss-4');
  });

  it('JSON, CSV, SARIF, JUnit, Markdown, HTML, email', async () => {
    const json = JSON.parse(await text('json', pci));
    const stale = json.findings
      .flatMap((g: { rules: unknown[] }) => g.rules)
      .find((r: { ruleId: string }) => r.ruleId === 'stale-last-auth');
    expect(stale.findings[0].controls[0]).toMatchObject({ framework: 'pci-dss-4', control: '8.2.6' });
    expect(json.meta.frameworks.settings.map((s: { ruleId: string }) => s.ruleId)).toEqual([
      'db-user-inactive',
      'stale-last-auth',
    ]);

    const csv = (await text('csv', pci)).replace(/^\uFEFF/, '').split('\r\n');
    expect(csv[0]!.endsWith(',Controls')).toBe(true);
    expect(csv.find((l) => l.includes('stale@example.com'))).toMatch(/,"?pci-dss-4 8\.2\.6/);

    const sarif = JSON.parse(await text('sarif', pci));
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'stale-last-auth');
    expect(result.properties.tags).toEqual(['pci-dss-4 8.2.6']);
    const rule = sarif.runs[0].tool.driver.rules.find((r: { id: string }) => r.id === 'stale-last-auth');
    expect(rule.properties.controls).toEqual([expect.objectContaining({ control: '8.2.6' })]);

    expect(await text('junit', pci)).toContain('<property name="controls" value="pci-dss-4 8.2.6"/>');

    const md = await text('markdown', pci);
    expect(md).toContain('**Controls:** `pci-dss-4 8.2.6` Inactive user accounts');
    expect(md).toContain('- Preset: stale-last-auth maxDays=90: pci-dss-4 8.2.6');
    expect(md).toMatch(/- Review cadence: at least every 183 days \(pci-dss-4 7\.2\.4/);

    const html = await text('html', pci);
    expect(html).toContain(
      '<span class="chip" title="Inactive user accounts are removed or disabled within 90 days of inactivity">pci-dss-4 8.2.6</span>',
    );
    expect(html).toContain('Preset: stale-last-auth maxDays&#x3D;90: pci-dss-4 8.2.6');

    const email = await text('email', pci);
    expect(email).toContain('stale-last-auth · pci-dss-4 8.2.6');
  });

  it('XLSX: the Findings sheet has the controls; no Controls sheet unless grouped by control', async () => {
    const wb = await workbook(pci);
    const findings = records(wb.getWorksheet('Findings')!);
    expect(findings.find((r) => r.Rule === 'stale-last-auth')?.Controls).toBe('pci-dss-4 8.2.6');
    expect(wb.getWorksheet('Controls')).toBeUndefined();
  });
});

describe('--group-by control', () => {
  it('HTML: each control once with its rules and findings; a finding under several controls says so', async () => {
    const html = await text('html', all, { groupBy: 'control' });
    expect(html).toContain('Findings by control');
    // The API key owner's rule evidences several controls: its finding is under each of them.
    const summaries = [...html.matchAll(/<summary><span class="chip">([^<]+)<\/span>/g)].map((m) => m[1]!);
    expect(new Set(summaries).size).toBe(summaries.length);
    const key = all.controls.filter((c) => c.rules.some((r) => r.id === 'api-key-org-owner'));
    expect(key.length).toBeGreaterThan(1);
    for (const c of key) expect(summaries).toContain(`${c.framework} ${c.control}`);
    expect(html).toMatch(/Also listed under [^<]*pci-dss-4 7\.2\.5/);
    // The default layout is unchanged.
    expect(await text('html', all)).not.toContain('Findings by control');
  });

  it('XLSX: a Controls sheet with status, rules and findings, the untested controls included', async () => {
    const wb = await workbook(pci, { groupBy: 'control' });
    const names = wb.worksheets.map((w) => w.name);
    expect(names.indexOf('Controls')).toBe(names.indexOf('Findings') + 1);
    const controls = records(wb.getWorksheet('Controls')!);
    expect(controls).toHaveLength(catalogues.find((c) => c.id === 'pci-dss-4')!.controls.length);
    const inactive = controls.find((r) => r.Control === '8.2.6')!;
    expect(inactive).toMatchObject({ Framework: 'pci-dss-4', Status: 'failing', Findings: 1, Open: 1 });
    expect(String(inactive.Rules)).toContain('stale-last-auth');
    const untested = controls.find((r) => r.Control === '7.2.1')!;
    expect(untested).toMatchObject({ Status: 'not evaluated', Findings: 0 });
    expect(untested.Rules).toBeUndefined();
    // A control whose rules all pass is passing.
    expect(controls.find((r) => r.Control === '8.2.2')).toMatchObject({ Status: 'passing' });
  });
});
