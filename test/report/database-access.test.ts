/**
 * Database access in the report: the model's per-project section (last use only where
 * history covers every reachable cluster), the HTML section, the workbook read back as a reviewer
 * reads it, the counts in every summary format, the changes against a schema-2 previous review, and
 * hostile names from Atlas in all of them.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { RENDERERS } from '../../src/report/renderers/index.js';
import { snapshotV2Schema, upgradeSnapshotV2 } from '../../src/snapshot/upgrade.js';
import { HEADERS } from '../../src/workbook/contract.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot, HOSTILE } from '../fixtures/report/estate.js';

function model(hostile = false): ReportModel {
  const snapshot = fixtureSnapshot({ hostile });
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot),
    generatedAt: FIXED_NOW,
  });
}

async function render(m: ReportModel, format: keyof typeof RENDERERS): Promise<string | Uint8Array> {
  return RENDERERS[format].render(m);
}

async function workbook(m: ReportModel): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from((await render(m, 'xlsx')) as Uint8Array) as unknown as ArrayBuffer);
  return wb;
}

/** A sheet as header -> value records, the way a reviewer reads it. */
function records(ws: ExcelJS.Worksheet): Array<Record<string, unknown>> {
  const head: string[] = [];
  ws.getRow(1).eachCell((c, n) => {
    head[n] = String(c.value);
  });
  const out: Array<Record<string, unknown>> = [];
  ws.eachRow((row, r) => {
    if (r === 1) return;
    const rec: Record<string, unknown> = {};
    row.eachCell((c, n) => {
      rec[head[n]!] = c.value;
    });
    out.push(rec);
  });
  return out;
}

describe('database access model', () => {
  const m = model();
  const prod = m.databaseAccess.projects.find((p) => p.projectName === 'prod-core')!;
  const user = (name: string) => prod.users.find((u) => u.username === name)!;

  it('counts users, privileged, unused and world-open entries once, for the estate and the summary', () => {
    expect(m.databaseAccess.counts).toEqual({
      users: 5,
      privileged: 2,
      unused: 1,
      useUnknown: 3,
      customRoles: 1,
      networkEntries: 3,
      worldOpen: 1,
      wide: 1,
    });
    expect(m.summary.databaseAccess).toBe(m.databaseAccess.counts);
    expect(prod.byAuthKind).toEqual([
      { authKind: 'aws-iam-role', count: 1 },
      { authKind: 'scram', count: 3 },
      { authKind: 'x509-managed', count: 1 },
    ]);
    // Beta Labs collected no database data: it is said, not shown as zero users.
    expect(m.databaseAccess.collected.databaseUsers).toBe(false);
    expect(m.databaseAccess.projects.map((p) => p.orgName)).not.toContain('Beta Labs');
  });

  it('finds privilege through a custom role that inherits atlasAdmin', () => {
    expect(user('ops-admin').privilegedRoles).toEqual(['atlasAdmin@admin', 'dropDatabase']);
    expect(user('CN=reporting,OU=bi,O=Acme').privilegedRoles).toEqual(['readAnyDatabase']);
    expect(user('app-writer').privilegedRoles).toEqual([]);
    expect(prod.customRoles[0]).toMatchObject({
      privilegedRoles: ['atlasAdmin@admin', 'dropDatabase'],
      actions: ['dropDatabase on orders.*'],
    });
  });

  it('calls a user unused only where every cluster it can reach has collected history', () => {
    expect(user('app-writer')).toMatchObject({ use: 'used', lastSuccessAt: '2026-03-30T10:00:00Z' });
    // Scoped to Cluster0 (collected): a failed attempt is no use.
    expect(user('arn:aws:iam::123456789012:role/etl')).toMatchObject({ use: 'unused', lastSuccessAt: null });
    // Unscoped: reaches the M0 cluster, which cannot tell, so nothing is concluded.
    expect(user('ops-admin')).toMatchObject({ use: 'unknown', useNote: 'sandbox: history unsupported' });
    expect(user('sandbox-tester')).toMatchObject({ use: 'unknown', useNote: 'sandbox: history unsupported' });
  });

  it('lists world-open entries first, then wide, then the rest', () => {
    expect(prod.networkAccess.map((n) => [n.entry, n.exposure])).toEqual([
      ['0.0.0.0/0', 'world'],
      ['10.0.0.0/8', 'wide'],
      ['10.1.2.3/32', 'narrow'],
    ]);
  });

  it('puts each database user on the roster (the Review sheet) with its key and why its use is unknown', () => {
    const rows = m.roster.filter((r) => r.kind === 'databaseUser');
    expect(rows.map((r) => r.key)).toContain(
      'aa0000000000000000000001:databaseUser:000000000000000000002001/admin/ops-admin',
    );
    expect(rows.find((r) => r.name === 'ops-admin')!.notEvaluated).toEqual([
      'last use unknown: sandbox: history unsupported',
    ]);
    expect(rows.find((r) => r.name === 'arn:aws:iam::123456789012:role/etl')!.expiresAt).toBe(
      '2026-03-01T00:00:00Z',
    );
  });
});

describe('database access in the formats', () => {
  const m = model();

  it('HTML: a Database access section; no last-use cell is empty', async () => {
    const html = String(await render(m, 'html'));
    const section = html.slice(
      html.indexOf('id="database-access"'),
      html.indexOf('id="project-invitations"'),
    );
    expect(section).toContain('open to the world');
    expect(section).toContain('last use unknown (sandbox: history unsupported)');
    expect(section).toContain('no sign-in in the window');
    expect(section).toContain('unsupported (tier M0 has no access history)');
    expect(section).toContain('Not collected for Beta Labs');
    // Every Last use cell starts with a verdict in bold.
    const cells = [
      ...section.matchAll(/<td class="roles"><strong>([^<]*)<\/strong><ul class="plain small">/g),
    ];
    expect(cells).toHaveLength(5);
    for (const c of cells) expect(c[1]).not.toBe('');
  });

  it('text, Markdown, email: the database counts', async () => {
    const line =
      '5 users (2 privileged, 1 unused, 3 last use unknown: access history not collected everywhere), 1 custom role, 3 access list entries (1 open to the world, 1 wide)';
    expect(String(await render(m, 'text'))).toContain(`Database access: ${line}`);
    expect(String(await render(m, 'markdown'))).toContain(`**Database access:** ${line}`);
    expect(String(await render(m, 'email'))).toContain('Database users');
    expect(String(await render(m, 'email'))).toContain('1 world-open entry');
  });

  it('XLSX: database users are Review rows with the Decision list; the three sheets read back', async () => {
    const wb = await workbook(m);
    const review = wb.getWorksheet('Review')!;
    const reviewRows = records(review).filter((r) => r['Kind'] === 'databaseUser');
    expect(reviewRows).toHaveLength(5);
    const head: string[] = [];
    review.getRow(1).eachCell((c, n) => {
      head[n] = String(c.value);
    });
    const decisionCol = head.indexOf(HEADERS.decision);
    review.eachRow((row, r) => {
      if (r > 1 && row.getCell(head.indexOf('Kind')).value === 'databaseUser')
        expect(row.getCell(decisionCol).dataValidation).toMatchObject({
          type: 'list',
          formulae: ['"Keep,Revoke,Modify"'],
        });
    });
    const users = records(wb.getWorksheet('Database users')!);
    expect(users.find((u) => u['Username'] === 'ops-admin')).toMatchObject({
      Project: 'prod-core',
      'Privileged roles': 'atlasAdmin@admin, dropDatabase',
      'Scoped to': 'all clusters',
      'Last use': 'unknown: sandbox: history unsupported',
      'Per cluster': 'Cluster0: no sign-in; sandbox: history unsupported',
    });
    expect(records(wb.getWorksheet('Custom roles')!)).toEqual([
      expect.objectContaining({
        Role: 'ops-superuser',
        Inherits: 'atlasAdmin@admin',
        'Privileged roles': 'atlasAdmin@admin, dropDatabase',
      }),
    ]);
    expect(records(wb.getWorksheet('Network access')!).map((r) => [r['Entry'], r['Exposure']])).toEqual([
      ['0.0.0.0/0', 'open to the world'],
      ['10.0.0.0/8', 'wide'],
      ['10.1.2.3/32', 'narrow'],
    ]);
  });
});

describe('database access with hostile names from Atlas', () => {
  const m = model(true);

  it('HTML escapes usernames, role names, comments, cluster names and reasons', async () => {
    const html = String(await render(m, 'html'));
    const section = html.slice(
      html.indexOf('id="database-access"'),
      html.indexOf('id="project-invitations"'),
    );
    expect(section).not.toContain('<script>');
    expect(section).not.toContain('<img');
    expect(section).not.toContain(']]></failure>');
    expect(section).toContain('&lt;script&gt;');
    expect(section).toContain('&lt;img src');
    expect(section).toContain(HOSTILE.rtl);
  });

  it('XLSX: no database cell is a formula or starts like one', async () => {
    const wb = await workbook(m);
    for (const name of ['Database users', 'Custom roles', 'Network access', 'Review']) {
      const ws = wb.getWorksheet(name)!;
      ws.eachRow((row, r) => {
        if (r === 1) return;
        row.eachCell((c) => {
          expect(c.formula).toBeUndefined();
          if (typeof c.value === 'string') expect(c.value).not.toMatch(/^[=+\-@\t\r]/);
        });
      });
    }
    const users = records(wb.getWorksheet('Database users')!);
    expect(users.map((u) => u['Username'])).toContain(HOSTILE.script);
    expect(users.find((u) => u['Username'] === HOSTILE.script)!['Description']).toBe(`'${HOSTILE.plus}`);
    expect(records(wb.getWorksheet('Network access')!).map((n) => n['Comment'])).toContain(
      `'${HOSTILE.hyperlink}`,
    );
  });
});

describe('report --previous against a schema-2 snapshot', () => {
  it('says "not collected last time" and does not count every database user as a new identity', () => {
    const current = fixtureSnapshot();
    // The same estate as a schema 2 file had it: no database fields at all, then upgraded on read.
    const v2 = structuredClone(current) as unknown as Record<string, unknown> & {
      organizations: Array<{ coverage: Record<string, boolean>; projects: Array<Record<string, unknown>> }>;
    };
    v2['schemaVersion'] = 2;
    // Schema 4's collector record did not exist in schema 2.
    delete v2['collector'];
    for (const o of v2.organizations) {
      for (const part of [
        'databaseUsers',
        'databaseUserCerts',
        'customRoles',
        'networkAccess',
        'clusters',
        'accessHistory',
      ])
        delete o.coverage[part];
      for (const p of o.projects)
        for (const f of ['databaseUsers', 'customRoles', 'networkAccess', 'clusters']) delete p[f];
    }
    const previous = upgradeSnapshotV2(snapshotV2Schema.parse(v2));
    const m = buildReportModel({
      snapshot: current,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(current),
      generatedAt: FIXED_NOW,
      previous: {
        snapshot: previous,
        snapshotSha256: FIXED_SHA,
        file: 'q3.json',
        audit: fixtureAudit(previous),
      },
    });
    const c = m.changes!;
    expect(c.rows.map((r) => [r.change, r.details])).toEqual([
      [
        'Database access not compared',
        'not collected -> collected; + database users: not collected last time, not compared',
      ],
      [
        'Database access not compared',
        'not collected -> collected; + IP access list: not collected last time, not compared',
      ],
    ]);
    expect(c.rows.some((r) => r.kind === 'database-user-added')).toBe(false);
    expect(c.identitiesDelta).toBe(0);
    expect(c.summary.escalations).toBe(0);
  });
});
