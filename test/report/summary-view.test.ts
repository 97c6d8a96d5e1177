import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { buildReportModel } from '../../src/report/model.js';
import { renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import { renderHtml } from '../../src/report/renderers/html.js';
import { renderMarkdown } from '../../src/report/renderers/markdown.js';
import { summaryView } from '../../src/report/renderers/summary-view.js';
import { renderXlsx } from '../../src/report/renderers/xlsx.js';
import {
  auditWithFlaggedEntry,
  FIXED_NOW,
  FIXED_SHA,
  fixtureAudit,
  fixtureSnapshot,
} from '../fixtures/report/estate.js';

const snapshot = fixtureSnapshot();
const model = (audit: AuditResult) =>
  buildReportModel({ snapshot, snapshotSha256: FIXED_SHA, audit, generatedAt: FIXED_NOW });

describe('waivers in the report', () => {
  it('lists an applied waiver that expires soon once, with its findings, and names the subject by name and id', () => {
    const audit = fixtureAudit(snapshot);
    const [applied] = audit.waivers.applied;
    // As auditSnapshot reports it: the same waiver is applied and expiring soon.
    const { findingKeys: _keys, ...waiver } = applied!;
    audit.waivers.expiringSoon = [waiver];
    const m = model(audit);
    const w = audit.waivers;
    const total = w.applied.length + w.expired.length + w.unused.length;
    expect(m.waivers).toHaveLength(total);
    const rows = m.waivers.filter((r) => r.ruleId === waiver.ruleId && r.expiresOn === waiver.expiresOn);
    expect(rows).toHaveLength(1);
    const bob = snapshot.organizations[0]!.users[1]!;
    expect(rows[0]).toMatchObject({
      status: 'expiringSoon',
      findingCount: 1,
      subject: `${bob.username} (${bob.id})`,
    });
    expect(m.summary.waivers).toMatchObject({ applied: 1, expiringSoon: 1 });
    expect(renderHtml(m)).toContain(`Waivers <span class="count">${total}</span>`);
  });

  it('the Waivers table and sheet give each status in words, as the heading counts it', async () => {
    const audit = fixtureAudit(snapshot);
    const { findingKeys: _keys, ...waiver } = audit.waivers.applied[0]!;
    audit.waivers.expiringSoon = [waiver];
    audit.waivers.notApplied = [
      { ...waiver, ruleId: 'team-no-members', findingKeys: [], problem: 'ambiguous', detail: 'two teams' },
    ];
    const m = model(audit);
    const table = renderHtml(m).split('<h2 id="waivers">')[1]!.split('</table>')[0]!;
    const statuses = [...table.matchAll(/<tr><td class="nowrap"><strong>(.*?)<\/strong>/g)].map((r) => r[1]);
    expect(statuses).toEqual(['not applied', 'expired', 'expiring soon', 'unused']);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await renderXlsx(m)) as unknown as ArrayBuffer);
    const sheet: string[] = [];
    wb.getWorksheet('Waivers')!.eachRow((row, n) => {
      if (n > 1) sheet.push(String(row.getCell(1).value));
    });
    expect(sheet).toEqual(['not applied: ambiguous: two teams', 'expired', 'expiring soon', 'unused']);
  });

  it('the Waivers table shows the day each waiver was approved, a dash when the file does not say', () => {
    const audit = fixtureAudit(snapshot);
    audit.waivers.applied = audit.waivers.applied.map((w) => ({ ...w, approvedOn: '2026-10-15' }));
    const html = renderHtml(model(audit));
    const table = html.split('<h2 id="waivers">')[1]!.split('</table>')[0]!;
    expect(table).toContain('<th>Approver</th><th>Approved on</th><th>Ticket</th><th>Expires</th>');
    const cells = (status: string) =>
      [...table.matchAll(/<tr><td class="nowrap"><strong>(\w+)<\/strong>.*?<\/tr>/g)]
        .find((r) => r[1] === status)![0]
        .match(/<td[^>]*>(.*?)<\/td>/g)!
        .map((c) => c.replace(/<[^>]+>/g, ''));
    expect(cells('applied').slice(4, 6)).toEqual(['ciso@acme.example', '2026-10-15']);
    expect(cells('unused').slice(4, 6)).toEqual(['ciso@acme.example', '—']);
  });

  it('an unused waiver keeps the subject as written, with the subjectId it names', () => {
    const audit = fixtureAudit(snapshot);
    audit.waivers.unused = [
      {
        ruleId: 'team-no-members',
        subject: 'Platform',
        subjectId: 'abc123',
        approvedOn: null,
        orgId: null,
        reason: 'r',
        approver: 'a',
        ticket: null,
        expiresOn: '2027-01-01',
      },
    ];
    const row = model(audit).waivers.find((w) => w.status === 'unused')!;
    expect(row.subject).toBe('Platform (abc123)');
  });
});

describe('Needs attention', () => {
  it('names revocations decided at sign-off that were not carried out', () => {
    const audit = fixtureAudit(snapshot);
    const base = audit.findings.find((f) => !f.waived && f.subject.type === 'user')!;
    audit.findings.push(
      {
        ...base,
        ruleId: 'review-revocation-not-done',
        ruleTitle: 'Revocation not done',
        key: 'r1',
        severity: 'high',
      },
      {
        ...base,
        ruleId: 'review-revocation-not-done',
        ruleTitle: 'Revocation not done',
        key: 'r2',
        severity: 'high',
      },
    );
    audit.inputs = { ...audit.inputs, signoffFile: 'signoff.json' };
    const attention = summaryView(model(audit)).attention;
    expect(attention[0]).toBe(
      '2 revocations decided at the last sign-off were not carried out (signoff.json); see review-revocation-not-done.',
    );
    expect(summaryView(model(fixtureAudit(snapshot))).attention.join('\n')).not.toContain('revocation');
  });
});

describe('identity tile', () => {
  it('users + invitations + programmatic = identities', () => {
    const m = model(fixtureAudit(snapshot));
    const tile = summaryView(m).tiles.find((t) => t.label === 'Identities')!;
    const parts = /^(\d+) users · (\d+) invitations · (\d+) programmatic(?: · (\d+) database)?$/.exec(
      tile.detail,
    );
    expect(parts, tile.detail).not.toBeNull();
    const sum = Number(parts![1]) + Number(parts![2]) + Number(parts![3]) + Number(parts![4] ?? 0);
    expect(sum).toBe(tile.value);
    expect(m.summary.identities.apiKeys + m.summary.identities.serviceAccounts).toBeGreaterThan(0);
  });

  it('an access list entry a rule flags is a Review row: counted in the total and named in the parts', () => {
    const audit = auditWithFlaggedEntry(snapshot);
    const m = model(audit);
    const tile = summaryView(m).tiles.find((t) => t.label === 'Identities')!;
    expect(tile.value).toBe(model(fixtureAudit(snapshot)).summary.identities.total + 1);
    const parts =
      /^(\d+) users · (\d+) invitations · (\d+) programmatic · (\d+) database · 1 access list entry$/.exec(
        tile.detail,
      );
    expect(parts, tile.detail).not.toBeNull();
    const sum = Number(parts![1]) + Number(parts![2]) + Number(parts![3]) + Number(parts![4]) + 1;
    expect(sum).toBe(tile.value);
  });

  it('the Review roster heading lists every kind of row its count holds, so the parts add up', () => {
    const audit = auditWithFlaggedEntry(snapshot);
    const m = model(audit);
    const heading =
      /<h2 id="roster">Review roster <span class="count">(\d+)<\/span> <span class="muted small">(.*?)<\/span><\/h2>/.exec(
        renderHtml(m),
      );
    expect(heading).not.toBeNull();
    // Counts in parentheses (non-human, managed by Atlas) are among the part before them.
    const parts = heading![2]!.replace(/\([^)]*\)/g, '').split(' · ');
    expect(parts.some((p) => p.includes('expired or rejected invitation'))).toBe(true);
    expect(parts.at(-1)).toBe('1 flagged access list entry');
    expect(parts.reduce((n, p) => n + Number(p.trim().split(' ')[0]), 0)).toBe(Number(heading![1]));
  });

  it('the Markdown and email summaries name every kind of row the Identities total counts', () => {
    const audit = auditWithFlaggedEntry(snapshot);
    const m = model(audit);
    const sumOf = (line: string | undefined) => {
      const match = /Identities:\*{0,2} (\d+) \(([^;)]*)/.exec(line ?? '');
      expect(match, line).not.toBeNull();
      const parts = match![2]!.split(', ');
      expect(parts).toContain('1 flagged access list entry');
      expect(parts.some((p) => p.endsWith('expired or rejected invitations'))).toBe(true);
      return [Number(match![1]), parts.reduce((n, p) => n + Number(p.split(' ')[0]), 0)];
    };
    const md = renderMarkdown(m)
      .split('\n')
      .find((l) => l.startsWith('**Identities:**'));
    const [mdTotal, mdSum] = sumOf(md);
    expect(mdSum).toBe(mdTotal);
    const text = renderEmailSummary(m)
      .text.split('\n')
      .find((l) => l.startsWith('Identities:'));
    const [textTotal, textSum] = sumOf(text);
    expect(textSum).toBe(textTotal);
  });
});
