/** The review workbook read back with exceljs: sheets, headers, frozen panes, filters, validation, types. */
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { ROSTER_COLUMNS } from '../../src/report/renderers/csv.js';
import {
  REVIEW_INPUT_HEADERS,
  renderXlsx,
  SINCE_LAST_REVIEW_HEADER,
  SUMMARY_SHA_LABEL,
} from '../../src/report/renderers/xlsx.js';
import {
  HEADERS,
  RECOMMENDATION_HEADER,
  REVIEW_HEADERS,
  REVIEW_IDENTITY_HEADERS,
  WHY_FLAGGED_HEADER,
} from '../../src/workbook/contract.js';
import {
  auditWithFlaggedEntry,
  FIXED_NOW,
  FIXED_SHA,
  fixtureAudit,
  fixtureSnapshot,
  HOSTILE,
} from '../fixtures/report/estate.js';
import { previousReview } from './previous-fixture.js';

async function load(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return wb;
}

function headers(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = [];
  ws.getRow(1).eachCell((c) => out.push(String(c.value)));
  return out;
}

/** Every cell value of a sheet (rows 2..), flattened. */
function values(ws: ExcelJS.Worksheet): ExcelJS.CellValue[] {
  const out: ExcelJS.CellValue[] = [];
  ws.eachRow((row, n) => {
    if (n > 1) row.eachCell((c) => out.push(c.value));
  });
  return out;
}

describe('XLSX review workbook', () => {
  let model: ReportModel;
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    const snapshot = fixtureSnapshot({ hostile: true });
    model = buildReportModel({
      snapshot,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(snapshot),
      generatedAt: FIXED_NOW,
    });
    wb = await load(await renderXlsx(model));
  });

  it('has the sheets in order, with the snapshot fingerprint in Summary and the properties', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Findings',
      'Review',
      'Roles',
      'Teams',
      'Programmatic identities',
      'Project invitations',
      'Database users',
      'Custom roles',
      'Network access',
      'Rules',
      'Waivers',
    ]);
    const summary = wb.getWorksheet('Summary')!;
    let sha: ExcelJS.CellValue = null;
    summary.eachRow((row) => {
      if (row.getCell(1).value === SUMMARY_SHA_LABEL) sha = row.getCell(2).value;
    });
    expect(sha).toBe(FIXED_SHA);
    expect(wb.subject).toBe(`snapshot-sha256:${FIXED_SHA}`);
    expect(wb.keywords).toBe(`snapshot-sha256:${FIXED_SHA}`);
    expect(wb.created?.toISOString()).toBe(FIXED_NOW.toISOString());
  });

  it('freezes and filters the header row of every sheet', () => {
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      const h = ws.getRow(1);
      expect(h.getCell(1).font?.bold).toBe(true);
      if (ws.name !== 'Summary') expect(ws.autoFilter).toBeTruthy();
      // Widths are set, not left at the default.
      expect(ws.getColumn(1).width).toBeGreaterThan(8);
    }
  });

  /** 1-based column of a Review sheet header, as the reader finds it (by header text). */
  const reviewCol = (ws: ExcelJS.Worksheet, h: string) => headers(ws).indexOf(h) + 1;

  it('has one Review row per identity: who, then the four inputs, then the evidence', () => {
    const ws = wb.getWorksheet('Review')!;
    const h = headers(ws);
    expect(h).toEqual([...REVIEW_HEADERS]);
    expect(h.slice(0, 8)).toEqual([
      'Name',
      'Display name',
      'Kind',
      'Organization',
      'Decision',
      'Reviewer',
      'Reviewed on',
      'Comment',
    ]);
    expect(h.slice(8, 10)).toEqual([RECOMMENDATION_HEADER, WHY_FLAGGED_HEADER]);
    // Every roster column (the CSV's) is among the evidence; nothing is lost by the reordering.
    expect([...h].sort()).toEqual(
      [
        ...ROSTER_COLUMNS.map((c) => c.header),
        RECOMMENDATION_HEADER,
        WHY_FLAGGED_HEADER,
        ...REVIEW_INPUT_HEADERS,
      ].sort(),
    );
    expect(ws.rowCount).toBe(model.roster.length + 1);
    const keyCol = reviewCol(ws, HEADERS.key);
    const keys: string[] = [];
    for (let r = 2; r <= ws.rowCount; r++) keys.push(String(ws.getRow(r).getCell(keyCol).value));
    expect(keys).toEqual(model.roster.map((r) => r.key));
  });

  it('freezes the Review header row and the identity columns', () => {
    const ws = wb.getWorksheet('Review')!;
    expect(ws.views[0]).toMatchObject({
      state: 'frozen',
      xSplit: REVIEW_IDENTITY_HEADERS.length,
      ySplit: 1,
      topLeftCell: 'E2',
    });
  });

  it('prints every sheet landscape, one page wide, with the header row on each page', () => {
    for (const ws of wb.worksheets)
      expect(ws.pageSetup, ws.name).toMatchObject({
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '1:1',
      });
  });

  it('validates Decision as a list of Keep, Revoke, Modify over every roster row', () => {
    const ws = wb.getWorksheet('Review')!;
    const decisionCol = reviewCol(ws, HEADERS.decision);
    for (const r of [2, ws.rowCount]) {
      const dv = ws.getRow(r).getCell(decisionCol).dataValidation;
      expect(dv).toMatchObject({ type: 'list', formulae: ['"Keep,Revoke,Modify"'] });
    }
    expect(ws.getRow(ws.rowCount + 1).getCell(decisionCol).dataValidation).toBeFalsy();
    expect(ws.getRow(2).getCell(reviewCol(ws, HEADERS.reviewedOn)).dataValidation).toMatchObject({
      type: 'date',
    });
  });

  it('writes dates as real dates, shown as days, and severities with colour', () => {
    const review = wb.getWorksheet('Review')!;
    const lastActivityCol = reviewCol(review, 'Last activity');
    const withActivity = model.roster.findIndex((r) => r.lastActivity !== null);
    const cell = review.getRow(withActivity + 2).getCell(lastActivityCol);
    expect(cell.value).toBeInstanceOf(Date);
    expect((cell.value as Date).toISOString()).toBe(
      new Date(model.roster[withActivity]!.lastActivity!).toISOString(),
    );
    for (const h of ['Created', 'Last activity', 'Expires', HEADERS.reviewedOn]) {
      const col = reviewCol(review, h);
      review.eachRow((row, n) => {
        if (n === 1) return;
        const c = row.getCell(col);
        if (h === HEADERS.reviewedOn || c.value instanceof Date) expect(c.numFmt, h).toBe('yyyy-mm-dd');
      });
    }
    const findings = wb.getWorksheet('Findings')!;
    const sev = findings.getRow(2).getCell(1);
    expect(sev.value).toBe('critical');
    expect(sev.fill).toMatchObject({ type: 'pattern', fgColor: { argb: 'FF9F1239' } });
    const waivers = wb.getWorksheet('Waivers')!;
    expect(waivers.getRow(2).getCell(headers(waivers).indexOf('Expires') + 1).value).toBeInstanceOf(Date);
  });

  it('Summary sheet: the rows that make up Identities add up to it, expired invitations and flagged entries included', async () => {
    const snapshot = fixtureSnapshot();
    const audit = auditWithFlaggedEntry(snapshot);
    const m = buildReportModel({ snapshot, snapshotSha256: FIXED_SHA, audit, generatedAt: FIXED_NOW });
    const summary = new Map<string, ExcelJS.CellValue>();
    (await load(await renderXlsx(m))).getWorksheet('Summary')!.eachRow((row) => {
      summary.set(String(row.getCell(1).value), row.getCell(2).value);
    });
    const parts = [
      'Active users',
      'Pending invitations',
      'Expired or rejected invitations',
      'API keys',
      'Service accounts',
      'Database users on the Review sheet',
      'Flagged access list entries on the Review sheet',
    ].map((label) => summary.get(label));
    expect(parts.every((v) => typeof v === 'number')).toBe(true);
    expect(summary.get('Expired or rejected invitations')).toBeGreaterThan(0);
    expect(summary.get('Flagged access list entries on the Review sheet')).toBe(1);
    expect((parts as number[]).reduce((a, b) => a + b, 0)).toBe(summary.get('Identities'));
  });

  it('Waivers sheet: who approved each waiver and on which day, beside its expiry', async () => {
    const snapshot = fixtureSnapshot();
    const audit = fixtureAudit(snapshot);
    audit.waivers.applied = audit.waivers.applied.map((w) => ({ ...w, approvedOn: '2026-10-15' }));
    const m = buildReportModel({ snapshot, snapshotSha256: FIXED_SHA, audit, generatedAt: FIXED_NOW });
    const waivers = (await load(await renderXlsx(m))).getWorksheet('Waivers')!;
    const cols = headers(waivers);
    expect(cols.slice(cols.indexOf('Approver'), cols.indexOf('Expires') + 1)).toEqual([
      'Approver',
      'Approved on',
      'Ticket',
      'Expires',
    ]);
    const approvedOn = new Map<string, ExcelJS.CellValue>();
    waivers.eachRow((row, n) => {
      if (n > 1)
        approvedOn.set(String(row.getCell(1).value), row.getCell(cols.indexOf('Approved on') + 1).value);
    });
    expect(approvedOn.get('applied')).toEqual(new Date('2026-10-15T00:00:00.000Z'));
    // A waiver that does not record its approval day leaves the cell empty, not a made-up date.
    expect(approvedOn.get('unused')).toBeNull();
  });

  it('says why each identity is flagged in words: rule title and the finding, waived ones marked', () => {
    const review = wb.getWorksheet('Review')!;
    const why = new Map<string, ExcelJS.CellValue>();
    const keyCol = reviewCol(review, HEADERS.key);
    const whyCol = reviewCol(review, WHY_FLAGGED_HEADER);
    review.eachRow((row, n) => {
      if (n > 1) why.set(String(row.getCell(keyCol).value), row.getCell(whyCol).value);
    });
    const rows = model.findings.flatMap((g) => g.rules.flatMap((r) => r.findings.map((f) => ({ r, f }))));
    const roster = new Map(model.roster.map((r) => [r.key, r]));
    // An identity with exactly one finding, waived: the cell is that finding in words.
    const waived = rows.find(
      ({ f }) =>
        f.waived &&
        rows.filter((x) => x.f.subjectId === f.subjectId && x.f.orgId === f.orgId).length === 1 &&
        roster.has(`${f.orgId}:${f.subjectType}:${f.subjectId}`),
    )!;
    const sev = waived.f.severity.charAt(0).toUpperCase() + waived.f.severity.slice(1);
    expect(why.get(`${waived.f.orgId}:${waived.f.subjectType}:${waived.f.subjectId}`)).toBe(
      `${sev}: ${waived.r.title}: ${waived.f.message} (waived until ${waived.f.waiver!.expiresOn})`,
    );
    const expired = model.roster.find((r) => r.status === 'INVITATION_EXPIRED')!;
    expect(String(why.get(expired.key))).toMatch(/^Invitation expired: Revoke pre-filled/);
    // An identity nothing fired on has an empty cell, not a placeholder.
    const clean = model.roster.find((r) => r.findingCount === 0 && r.status === 'ACTIVE')!;
    expect(why.get(clean.key)).toBeNull();
  });

  it('never writes a formula: formula-like Atlas text reads back as apostrophe-prefixed strings', () => {
    const all = wb.worksheets.flatMap(values);
    for (const v of all) {
      expect(typeof v === 'object' && v !== null && !(v instanceof Date) && 'formula' in v).toBe(false);
      if (typeof v === 'string') expect(v).not.toMatch(/^[=+\-@\t\r]/);
    }
    const strings = all.filter((v): v is string => typeof v === 'string');
    expect(strings).toContain(`'${HOSTILE.hyperlink}`);
    expect(strings).toContain(`'${HOSTILE.plus}`);
    expect(strings).toContain(`'${HOSTILE.at}`);
    expect(strings).toContain(`'${HOSTILE.tab}`);
    expect(strings).toContain(`'${HOSTILE.minus}`);
    // Other hostile text survives byte for byte.
    expect(strings).toContain(HOSTILE.long);
    expect(strings.some((s) => s.includes(HOSTILE.rtl))).toBe(true);
  });
});

describe('XLSX: the whole population', () => {
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    const snapshot = fixtureSnapshot();
    wb = await load(
      await renderXlsx(
        buildReportModel({
          snapshot,
          snapshotSha256: FIXED_SHA,
          audit: fixtureAudit(snapshot),
          generatedAt: FIXED_NOW,
        }),
      ),
    );
  });

  const rowsOf = (ws: ExcelJS.Worksheet): Record<string, ExcelJS.CellValue>[] => {
    const h = headers(ws);
    const out: Record<string, ExcelJS.CellValue>[] = [];
    ws.eachRow((row, n) => {
      if (n === 1) return;
      const r: Record<string, ExcelJS.CellValue> = {};
      h.forEach((name, i) => {
        r[name] = row.getCell(i + 1).value;
      });
      out.push(r);
    });
    return out;
  };

  it('the Review sheet says who each identity is, and keeps non-human and Atlas-managed ones for a decision', () => {
    const review = rowsOf(wb.getWorksheet('Review')!);
    const type = (name: string) => review.find((r) => r.Name === name)?.['Identity type'];
    expect(type('alice@acme.example')).toBe('person');
    expect(type('charts+6a1b2c3d4e5f60718293a4b5@mongodb.com')).toBe('non-human, managed by Atlas Charts');
    expect(type('mcp-ingress')).toBe('programmatic, managed by Atlas');
    expect(type('abcdefgh')).toBe('programmatic');
    // A service account's project roles are in its access columns, like a user's.
    expect(review.find((r) => r.Name === 'ci-deployer')?.['Project roles']).toBe(
      'prod-core: GROUP_CLUSTER_MANAGER, GROUP_OWNER',
    );
    const h = headers(wb.getWorksheet('Review')!);
    expect(h.slice(4, 8)).toEqual([...REVIEW_INPUT_HEADERS]);
  });

  it("lists service accounts' access lists and project invitations", () => {
    const prog = rowsOf(wb.getWorksheet('Programmatic identities')!);
    expect(prog.find((r) => r.Name === 'ci-deployer')).toMatchObject({
      'Access list': '192.0.2.0/24',
      'Managed by': null,
    });
    expect(prog.find((r) => r.Name === 'mcp-ingress')).toMatchObject({
      'Access list': 'none',
      'Managed by': 'Atlas',
    });
    const invitations = rowsOf(wb.getWorksheet('Project invitations')!);
    expect(invitations).toHaveLength(1);
    expect(invitations[0]).toMatchObject({
      Organization: 'Acme Production',
      Project: 'analytics',
      Invited: 'henry@partner.example',
      Roles: 'GROUP_DATA_ACCESS_READ_WRITE',
      'Invited by': 'alice@acme.example',
      Expired: false,
    });
    expect(invitations[0]!.Sent).toBeInstanceOf(Date);
  });
});

describe('XLSX review workbook with --previous', () => {
  let model: ReportModel;
  let wb: ExcelJS.Workbook;
  beforeAll(async () => {
    const snapshot = fixtureSnapshot();
    model = buildReportModel({
      snapshot,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(snapshot),
      generatedAt: FIXED_NOW,
      previous: previousReview(),
    });
    wb = await load(await renderXlsx(model));
  });

  it('adds the Changes and Resolved findings sheets after Findings, frozen and filtered', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Findings',
      'Changes',
      'Resolved findings',
      'Review',
      'Roles',
      'Teams',
      'Programmatic identities',
      'Project invitations',
      'Database users',
      'Custom roles',
      'Network access',
      'Rules',
      'Waivers',
    ]);
    for (const name of ['Changes', 'Resolved findings']) {
      const ws = wb.getWorksheet(name)!;
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter).toBeTruthy();
      expect(ws.getColumn(5).width).toBeGreaterThan(8);
    }
  });

  it('lists every change, the escalation first and shaded', () => {
    const ws = wb.getWorksheet('Changes')!;
    expect(headers(ws)).toEqual([
      'Organization',
      'Change',
      'Subject type',
      'Subject',
      'Details',
      'Privilege escalation',
      'Subject id',
      'Organization id',
    ]);
    expect(ws.rowCount).toBe(model.changes!.rows.length + 1);
    const rows: unknown[][] = [];
    for (let r = 2; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      rows.push([row.getCell(2).value, row.getCell(4).value, row.getCell(6).value]);
    }
    expect(rows).toEqual([
      ['Org roles changed', 'carol@contractor.example', 'ORG_OWNER'],
      ['Leaver', 'oscar@acme.example', null],
      ['Team membership changed', 'bob@acme.example', null],
      ['Joiner', 'grace@beta.example', null],
    ]);
    expect(ws.getRow(2).getCell(1).fill).toMatchObject({ fgColor: { argb: 'FFFFE4E6' } });
    expect(ws.getRow(3).getCell(1).fill).toBeFalsy();
  });

  it('marks each finding new or still open, and lists the resolved ones', () => {
    const ws = wb.getWorksheet('Findings')!;
    const h = headers(ws);
    const col = h.indexOf(SINCE_LAST_REVIEW_HEADER) + 1;
    expect(col).toBe(h.indexOf('Status') + 2);
    const keyCol = h.indexOf('Finding key') + 1;
    const marks = new Map<string, unknown>();
    for (let r = 2; r <= ws.rowCount; r++)
      marks.set(String(ws.getRow(r).getCell(keyCol).value), ws.getRow(r).getCell(col).value);
    const rows = model.findings.flatMap((g) => g.rules.flatMap((r) => r.findings));
    expect(marks.size).toBe(rows.length);
    for (const f of rows) expect(marks.get(f.key)).toBe(f.sinceLastReview === 'new' ? 'new' : 'still open');
    expect([...marks.values()].filter((v) => v === 'new')).toHaveLength(1);
    const resolved = wb.getWorksheet('Resolved findings')!;
    expect(resolved.rowCount).toBe(2);
    expect(resolved.getRow(2).getCell(2).value).toBe('user-inactive');
    expect(resolved.getRow(2).getCell(6).value).toBe('oscar@acme.example');
    expect(resolved.getRow(2).getCell(8).value).toBe(false);
    const summary = new Map<unknown, unknown>();
    wb.getWorksheet('Summary')!.eachRow((row) => summary.set(row.getCell(1).value, row.getCell(2).value));
    expect(summary.get('Previous snapshot')).toBe('q3-snapshot.json');
    expect(summary.get('Privilege escalations')).toBe(1);
    expect(summary.get('Findings resolved')).toBe(1);
  });

  it('without --previous there is no Since last review column', async () => {
    const snapshot = fixtureSnapshot();
    const plain = await load(
      await renderXlsx(
        buildReportModel({
          snapshot,
          snapshotSha256: FIXED_SHA,
          audit: fixtureAudit(snapshot),
          generatedAt: FIXED_NOW,
        }),
      ),
    );
    expect(headers(plain.getWorksheet('Findings')!)).not.toContain(SINCE_LAST_REVIEW_HEADER);
  });

  it('keeps hostile names in the Changes sheet inert', async () => {
    const current = fixtureSnapshot({ hostile: true });
    const previous = structuredClone(current);
    // Alice (username =HYPERLINK(...)) was a member; a leaver named like a formula left.
    previous.organizations[0]!.users[0]!.orgRoles = ['ORG_MEMBER'];
    previous.organizations[0]!.users.push({
      ...structuredClone(previous.organizations[0]!.users[1]!),
      id: 'ff00000000000000000000ff',
      username: HOSTILE.plus,
    });
    const m = buildReportModel({
      snapshot: current,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(current),
      generatedAt: FIXED_NOW,
      previous: {
        snapshot: previous,
        snapshotSha256: FIXED_SHA,
        file: HOSTILE.at,
        audit: fixtureAudit(previous),
      },
    });
    const hostile = await load(await renderXlsx(m));
    const changes = hostile.getWorksheet('Changes')!;
    const all = values(changes);
    for (const v of all) if (typeof v === 'string') expect(v).not.toMatch(/^[=+\-@\t\r]/);
    expect(all).toContain(`'${HOSTILE.hyperlink}`);
    expect(all).toContain(`'${HOSTILE.plus}`);
    expect(changes.getRow(2).getCell(6).value).toBe('ORG_OWNER');
  });
});
