/**
 * Role names come from Atlas: an organization role named like a formula or like a property of every
 * JavaScript object must reach the Roles sheet and the Review sheet as inert text, with the catalogue's
 * "not in the built-in catalogue" rather than whatever `texts[name]` would find on Object.prototype.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { atlasRoleText, databaseRoleText, UNKNOWN_ROLE_TEXT } from '../../src/domain/role-texts.js';
import { buildReportModel } from '../../src/report/model.js';
import { RENDERERS } from '../../src/report/renderers/index.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';

const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(1)', '\t=1'];

const cellText = (v: ExcelJS.CellValue): string | null =>
  typeof v === 'string'
    ? v
    : v && typeof v === 'object' && 'richText' in v
      ? v.richText.map((r) => r.text).join('')
      : null;

describe('hostile Atlas role names', () => {
  it('a role named like an Object.prototype property has no catalogue text', () => {
    for (const name of PROTO_NAMES) {
      expect(atlasRoleText(name)).toBe(UNKNOWN_ROLE_TEXT);
      expect(databaseRoleText(name)).toBe(UNKNOWN_ROLE_TEXT);
    }
  });

  it('reach the Roles and Review sheets as text: no formula, no cell starting as one', async () => {
    const snapshot = fixtureSnapshot({ hostile: true });
    snapshot.organizations[0]!.users[0]!.orgRoles = [...FORMULAS, ...PROTO_NAMES];
    const model = buildReportModel({
      snapshot,
      snapshotSha256: FIXED_SHA,
      audit: fixtureAudit(snapshot),
      generatedAt: FIXED_NOW,
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(
      Buffer.from((await RENDERERS.xlsx.render(model)) as Uint8Array) as unknown as ArrayBuffer,
    );
    const roles = wb.getWorksheet('Roles')!;
    const texts = new Map<string, string>();
    roles.eachRow((row) => {
      const name = cellText(row.getCell(2).value);
      if (name !== null) texts.set(name, cellText(row.getCell(3).value) ?? '');
    });
    for (const name of PROTO_NAMES) expect(texts.get(name), name).toBe(UNKNOWN_ROLE_TEXT);
    for (const f of FORMULAS) expect(texts.has(`'${f}`), f).toBe(true);
    for (const ws of [roles, wb.getWorksheet('Review')!])
      ws.eachRow((row) =>
        row.eachCell((c) => {
          expect(c.formula ?? null).toBe(null);
          const s = cellText(c.value);
          if (s !== null) expect(s, `${ws.name}!${c.address}`).not.toMatch(/^[=+\-@\t\r\n]/);
        }),
      );
  });
});
