/**
 * Every refusal of `review merge` (exit 2, every problem named with its file, sheet, row and column,
 * nothing written): a workbook of another campaign, a workbook under another reviewer's name, a
 * Reviewer column naming someone else, a row added, dropped or moved from another reviewer, evidence
 * altered, a Reassign without an address; and the single `review import` refusing Reassign.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../src/campaign/campaign.js';
import { DEFAULT_RULES_DIR } from '../../src/input/rules-dir.js';
import { reviewerFileName } from '../../src/report/split.js';
import { readCampaignState, stateProblems } from '../../src/review/campaign-state.js';
import { parseSnapshot, sha256Hex } from '../../src/snapshot/store.js';
import { rosterCsv } from '../builders/roster.js';
import {
  fillWorkbook,
  KEY,
  key,
  MALLORY,
  OWNER1,
  q3,
  type RowFill,
  splitArgv,
  writeSnapshotFile,
} from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { findingRows } from '../helpers/report-json.js';
import { deflatedRepeat, readZip, writeZip } from '../helpers/zip.js';

const LEAD = 'lead@example.com';
const SEC = 'sec@example.com';
const NOW = new Date(Date.UTC(2026, 10, 25, 9));
let dir: string;
let campaign: Campaign;
const cli = (argv: string[], cwd = dir) => runCliForTest(argv, { cwd, now: NOW });

/** Every row decided by the workbook's own reviewer, with a justification. */
const decided =
  (reviewer: string, over: (k: string) => RowFill = () => ({})) =>
  (k: string): RowFill => ({
    decision: 'Keep',
    reviewer,
    reviewedOn: new Date(Date.UTC(2026, 10, 20)),
    comment: 'needed for the on-call rota',
    ...over(k),
  });

/** A copy of the filled campaign folder in which `tamper` changed the lead's workbook. */
async function tampered(
  name: string,
  fill: (k: string) => RowFill = decided(LEAD),
  edit?: (wb: ExcelJS.Workbook) => void,
): Promise<string> {
  const folder = join(dir, name);
  cpSync(join(dir, 'filled'), folder, { recursive: true });
  const lead = join(folder, reviewerFileName(LEAD));
  await fillWorkbook(lead, lead, fill, edit);
  return name;
}

const merge = (folder: string) =>
  cli([
    'review',
    'merge',
    folder,
    '--campaign',
    'camp/campaign.json',
    '--snapshot',
    'q3.json',
    '--out-dir',
    `${folder}-out`,
  ]);

/** The Review sheet's column of a header. */
function column(ws: ExcelJS.Worksheet, header: string): number {
  let c = 0;
  ws.getRow(1).eachCell((cell, n) => {
    if (cell.value === header) c = n;
  });
  return c;
}

beforeAll(async () => {
  dir = tempDir('aar-merge-refusals-');
  writeSnapshotFile(dir, 'q3.json', q3());
  writeFileSync(
    join(dir, 'policy.yaml'),
    `review:\n  fallbackReviewer: ${SEC}\n  teamOwners:\n    admins: ${LEAD}\n`,
  );
  const split = (out: string, id: string) => cli(splitArgv(out, { campaignId: id }));
  expect((await split('camp', 'q3-2026')).code).toBe(0);
  expect((await split('other', 'q3-other')).code).toBe(0);
  campaign = JSON.parse(readFileSync(join(dir, 'camp', 'campaign.json'), 'utf8'));
  expect(campaign.reviewers.map((r) => r.reviewer)).toEqual([LEAD, SEC]);
  cpSync(join(dir, 'camp'), join(dir, 'filled'), { recursive: true });
  for (const r of campaign.reviewers) {
    const file = join(dir, 'filled', r.workbook);
    await fillWorkbook(file, file, decided(r.reviewer));
  }
  const control = await merge('filled');
  expect(control.stderr).toContain('review merge: ');
  expect(control.code).toBe(0);
}, 60_000);

const refused = async (folder: string, ...messages: RegExp[]) => {
  const r = await merge(folder);
  for (const m of messages) expect(r.stderr).toMatch(m);
  expect(r.code).toBe(2);
  expect(existsSync(join(dir, `${folder}-out`, 'signoff.json'))).toBe(false);
};

describe('review merge refuses (exit 2, nothing written)', () => {
  it('a workbook of another campaign', async () => {
    const folder = await tampered('foreign');
    copyFileSync(join(dir, 'other', reviewerFileName(LEAD)), join(dir, folder, reviewerFileName(LEAD)));
    await refused(
      folder,
      /review-lead-at-example\.com\.xlsx: Summary!B\d+ \(Campaign id\): the workbook belongs to campaign "q3-other", not q3-2026/,
    );
  });

  it("a workbook under another reviewer's name: not theirs, and not their rows", async () => {
    const folder = await tampered('swapped');
    copyFileSync(join(dir, folder, reviewerFileName(SEC)), join(dir, folder, reviewerFileName(LEAD)));
    await refused(
      folder,
      /Assigned reviewer\): the workbook was written for "sec@example\.com", but campaign\.json gives this file to lead@example\.com/,
      /is not one of this workbook's rows \(the campaign assigned it to another reviewer\)/,
      /no row for user owner1@example\.com .* \(the campaign assigned it to this workbook\)/,
    );
  });

  it('a Reviewer column naming someone else', async () => {
    const folder = await tampered(
      'other-reviewer',
      decided(LEAD, (k) => (k === key('user', OWNER1) ? { reviewer: SEC } : {})),
    );
    await refused(folder, /\(Reviewer\): names sec@example\.com, but this workbook is lead@example\.com's/);
  });

  it("a row added from another reviewer's rows", async () => {
    const folder = await tampered('added', decided(LEAD), (wb) => {
      const ws = wb.getWorksheet('Review')!;
      const values = (ws.getRow(2).values as ExcelJS.CellValue[]).slice();
      values[column(ws, 'Identity key')] = key('apiKey', KEY);
      values[column(ws, 'Name')] = 'abcdefgh';
      ws.addRow(values);
    });
    await refused(folder, /Identity key\): apiKey abcdefgh \(.*\) is not one of this workbook's rows/);
  });

  it('a row dropped', async () => {
    const folder = await tampered('dropped', decided(LEAD), (wb) => {
      const ws = wb.getWorksheet('Review')!;
      const kc = column(ws, 'Identity key');
      ws.eachRow((row) => {
        if (row.getCell(kc).value === key('user', MALLORY)) row.values = [];
      });
    });
    await refused(
      folder,
      /no row for user mallory@example\.com .* \(the campaign assigned it to this workbook\)/,
    );
  });

  it('evidence altered (the Name of a row)', async () => {
    const folder = await tampered('altered', decided(LEAD), (wb) => {
      const ws = wb.getWorksheet('Review')!;
      const [kc, nc] = [column(ws, 'Identity key'), column(ws, 'Name')];
      ws.eachRow((row) => {
        if (row.getCell(kc).value === key('user', OWNER1)) row.getCell(nc).value = 'someone-else@example.com';
      });
    });
    await refused(
      folder,
      /\(Name\): says "someone-else@example\.com" but the snapshot has "owner1@example\.com"/,
    );
  });

  it('a Reassign without the new reviewer, or to the row itself', async () => {
    const folder = await tampered(
      'reassign-blank',
      decided(LEAD, (k) =>
        k === key('user', OWNER1)
          ? { decision: 'Reassign', comment: null }
          : k === key('user', MALLORY)
            ? { decision: 'Reassign', comment: 'mallory@example.com' }
            : {},
      ),
    );
    await refused(
      folder,
      /\(Comment\): a Reassign needs the new reviewer's email address \(alone\) in Comment/,
      /\(Comment\): mallory@example\.com is the row's own identity; choose another reviewer/,
    );
  });
});

describe('a Reassign to no plain mailbox (a list, a formula, a bidi character)', () => {
  const targets = [
    'sec@example.com,eve@evil.example',
    '=HYPERLINK("http://evil.example")@x.com',
    'sec@example.com\u202e',
  ];

  it('is refused by review merge, and review status leaves the row open with its reviewer', async () => {
    for (const [i, target] of targets.entries()) {
      const folder = await tampered(
        `reassign-hostile-${i}`,
        decided(LEAD, (k) => (k === key('user', OWNER1) ? { decision: 'Reassign', comment: target } : {})),
      );
      await refused(
        folder,
        /\(Comment\): a Reassign needs the new reviewer's email address \(alone\) in Comment/,
      );
      const status = await cli(['review', 'status', folder, '--campaign', 'camp/campaign.json', '--json']);
      const reviewers: Array<{ reviewer: string; open: number; reassignedOut: number }> = JSON.parse(
        status.stdout,
      ).reviewers;
      expect(reviewers.map((r) => r.reviewer)).toEqual([LEAD, SEC]);
      expect(reviewers[0]).toMatchObject({ open: 1, reassignedOut: 0 });
    }
  });
});

describe('review status counts a row decided only as review merge would take it', () => {
  it('a Decision that is no decision, or a Reassign to the reviewer who has the row or to its own identity, leaves it open', async () => {
    for (const [i, fill] of [
      { decision: 'Maybe' },
      { decision: 'Keep\u200b' },
      { decision: 'Reassign', comment: LEAD.toUpperCase() },
      // The row is owner1@example.com's own access: remind would mail it its own row to decide.
      { decision: 'Reassign', comment: 'Owner1@Example.com' },
    ].entries()) {
      const folder = await tampered(
        `status-open-${i}`,
        decided(LEAD, (k) => (k === key('user', OWNER1) ? fill : {})),
      );
      await refused(folder, /\(Decision\)|\(Comment\)/);
      const status = await cli(['review', 'status', folder, '--campaign', 'camp/campaign.json', '--json']);
      const lead = (
        JSON.parse(status.stdout).reviewers as Array<{
          reviewer: string;
          open: number;
          reassignedOut: number;
        }>
      ).find((r) => r.reviewer === LEAD);
      expect(lead).toMatchObject({ open: 1, reassignedOut: 0 });
    }
  });
});

describe("a Reassign outside the campaign's domains", () => {
  // A returned workbook is anyone's to edit, and review remind mails a Reassign's new reviewer their
  // rows: an outside address in Comment would send the organization's access data outside.
  const outside = 'eve@evil.example';
  const reassignTo = (target: string) =>
    decided(LEAD, (k) => (k === key('user', OWNER1) ? { decision: 'Reassign', comment: target } : {}));
  const status = async (folder: string, campaignFile = 'camp/campaign.json') => {
    const r = await cli(['review', 'status', folder, '--campaign', campaignFile, '--json']);
    const reviewers: Array<{ reviewer: string; open: number; reassignedOut: number }> = JSON.parse(
      r.stdout,
    ).reviewers;
    return reviewers.find((x) => x.reviewer === LEAD);
  };

  it('campaign.json records the domains of its reviewers and of the review policy', () => {
    expect(campaign.reassignDomains).toEqual(['example.com']);
  });

  it('is refused by review merge; review status keeps the row with its reviewer; review remind mails no one outside', async () => {
    const folder = await tampered('reassign-outside', reassignTo(outside));
    await refused(
      folder,
      /\(Comment\): reassigns the row to eve@evil\.example, outside the campaign's domains \(example\.com\): review remind would mail them its rows/,
    );
    expect(await status(folder)).toMatchObject({ open: 1, reassignedOut: 0 });
    const eml = join(dir, 'reassign-outside-eml');
    const remind = await cli([
      'review',
      'remind',
      folder,
      '--campaign',
      'camp/campaign.json',
      '--email-from',
      'bot@example.com',
      '--eml',
      eml,
    ]);
    expect(remind.stderr).not.toContain('evil.example');
    expect(remind.code).toBe(0);
    const written = readdirSync(eml).sort();
    expect(written).toEqual([`remind-${LEAD}.eml`]);
    expect(readFileSync(join(eml, written[0]!), 'utf8')).not.toContain('evil.example');
  });

  it('a subdomain of one is inside; so is a domain the policy lists (review.reassignDomains)', async () => {
    const sub = await tampered('reassign-subdomain', reassignTo('carol@eu.example.com'));
    expect(await status(sub)).toMatchObject({ open: 0, reassignedOut: 1 });

    writeFileSync(
      join(dir, 'policy-partner.yaml'),
      `review:\n  fallbackReviewer: ${SEC}\n  teamOwners:\n    admins: ${LEAD}\n  reassignDomains: [Partner.Example]\n`,
    );
    expect((await cli(splitArgv('camp-partner', { policy: 'policy-partner.yaml' }))).code).toBe(0);
    const partner: Campaign = JSON.parse(readFileSync(join(dir, 'camp-partner', 'campaign.json'), 'utf8'));
    expect(partner.reassignDomains).toEqual(['example.com', 'partner.example']);
    const lead = join(dir, 'camp-partner', reviewerFileName(LEAD));
    await fillWorkbook(lead, lead, reassignTo('dana@partner.example'));
    expect(await status('camp-partner', 'camp-partner/campaign.json')).toMatchObject({
      reassignedOut: 1,
    });
  });

  it("a campaign.json written before the domains were recorded holds Reassigns to its reviewers' domains", async () => {
    const folder = await tampered('reassign-old', reassignTo(outside));
    const { reassignDomains: _recorded, ...older } = campaign;
    writeFileSync(join(dir, folder, 'campaign.json'), JSON.stringify(older));
    expect(await status(folder, `${folder}/campaign.json`)).toMatchObject({ open: 1, reassignedOut: 0 });
    writeFileSync(
      join(dir, folder, 'campaign.json'),
      JSON.stringify({ ...older, reassignDomains: ['evil.example'] }),
    );
    expect(await status(folder, `${folder}/campaign.json`)).toMatchObject({ reassignedOut: 1 });
  });

  it("splits when a reviewer's domain is no host name (a roster's manager cell); no Reassign may name it", async () => {
    // The roster is HR's export: a mailbox whose domain is no host name (a label ending in `-`, one of
    // 64 characters) is still routed to, and must not stop the split as an internal error.
    const odd = ['boss@corp-.example', `boss@${'a'.repeat(64)}.example`];
    for (const [i, manager] of odd.entries()) {
      writeFileSync(
        join(dir, `odd-hr-${i}.csv`),
        rosterCsv([{ email: 'owner1@example.com', manager }, { email: LEAD }]),
      );
      const r = await cli([...splitArgv(`camp-odd-${i}`), '--roster', `odd-hr-${i}.csv`]);
      expect(r.stderr).not.toContain('internal error');
      expect(r.code).toBe(0);
      const odder: Campaign = JSON.parse(readFileSync(join(dir, `camp-odd-${i}`, 'campaign.json'), 'utf8'));
      expect(odder.reviewers.map((x) => x.reviewer)).toContain(manager);
      expect(odder.reassignDomains).toEqual(['example.com']);
    }
  });

  it('review apply, which sends no mail, re-reads a merged folder without the domains (readCampaignState reassignAnywhere)', async () => {
    // A sign-off merged under an older campaign.json, before Reassigns were held to domains, stays
    // applicable: apply holds it to the folder as that merge read it.
    const folder = await tampered('reassign-apply', reassignTo(outside));
    const text = readFileSync(join(dir, 'q3.json'), 'utf8');
    const input = {
      campaign,
      snapshot: { snapshot: parseSnapshot(text, 'q3.json'), sha256: sha256Hex(text) },
      readFile: async (name: string) => {
        const file = join(dir, folder, name);
        return existsSync(file) ? new Uint8Array(readFileSync(file)) : null;
      },
      trust: { flagged: new Set<string>(), keepNeedsJustification: false },
      now: NOW,
    };
    const strict = await readCampaignState(input, 'camp/campaign.json');
    expect(stateProblems(strict).flatMap((w) => w.problems.map((p) => p.code))).toEqual(['reassign-target']);
    expect(strict.reassignments).toEqual([]);
    const apply = await readCampaignState({ ...input, reassignAnywhere: true }, 'camp/campaign.json');
    expect(stateProblems(apply)).toEqual([]);
    expect(apply.reassignments.map((r) => r.to)).toEqual([outside]);
  });

  it('refuses a policy domain that is no domain', async () => {
    writeFileSync(
      join(dir, 'policy-bad-domain.yaml'),
      `review:\n  fallbackReviewer: ${SEC}\n  reassignDomains: ["@evil.example"]\n`,
    );
    const r = await cli(splitArgv('camp-bad-domain', { policy: 'policy-bad-domain.yaml' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /policy-bad-domain\.yaml.*review\.reassignDomains\[0\].*expected an email domain like example\.com/,
    );
  });
});

describe('an edited campaign.json', () => {
  const mergeWith = async (name: string, edit: (c: Campaign) => Campaign) => {
    const folder = join(dir, name);
    cpSync(join(dir, 'filled'), folder, { recursive: true });
    writeFileSync(join(folder, 'campaign.json'), JSON.stringify(edit(structuredClone(campaign))));
    return cli([
      'review',
      'merge',
      name,
      '--campaign',
      `${name}/campaign.json`,
      '--snapshot',
      'q3.json',
      '--out-dir',
      `${name}-out`,
    ]);
  };

  it('refuses a reviewer left out, rows emptied, a row given twice, an address with a header in it or a workbook outside the folder (exit 2)', async () => {
    const cases: Array<[string, (c: Campaign) => Campaign, RegExp]> = [
      [
        'edit-drop',
        (c) => ({ ...c, reviewers: c.reviewers.filter((x) => x.reviewer !== SEC) }),
        /edit-drop\/campaign\.json: \$\.reviewers: 3 row\(s\) of the snapshot have no reviewer/,
      ],
      [
        'edit-empty',
        (c) => ({ ...c, reviewers: c.reviewers.map((x) => (x.reviewer === SEC ? { ...x, rows: [] } : x)) }),
        /edit-empty\/campaign\.json: \$\.reviewers: 3 row\(s\) of the snapshot have no reviewer/,
      ],
      [
        'edit-twice',
        (c) => ({
          ...c,
          reviewers: c.reviewers.map((x) =>
            x.reviewer === SEC ? { ...x, rows: [...x.rows, c.reviewers[0]!.rows[0]!] } : x,
          ),
        }),
        /edit-twice\/campaign\.json: \$\.reviewers\[1\]\.rows\[3\]\.key: .* is given to lead@example\.com already/,
      ],
      [
        'edit-header',
        (c) => ({
          ...c,
          reviewers: c.reviewers.map((x, i) =>
            i === 0 ? { ...x, reviewer: `${x.reviewer}\r\nBcc: eve@evil.example` } : x,
          ),
          fallbackReviewer: 'sec@example.com, eve@evil.example',
        }),
        /edit-header\/campaign\.json: \$\.fallbackReviewer: expected one email address like lead@example\.com \(and 1 more problem\)/,
      ],
      [
        'edit-path',
        (c) => ({ ...c, reviewers: c.reviewers.map((x) => ({ ...x, workbook: `../filled/${x.workbook}` })) }),
        /edit-path\/campaign\.json: \$\.reviewers\[0\]\.workbook: expected a plain file name/,
      ],
      [
        'edit-flag-stray',
        (c) => ({ ...c, flagged: [...c.flagged!, 'zz-other-org:user:nobody'] }),
        new RegExp(
          `edit-flag-stray/campaign\\.json: \\$\\.flagged\\[${campaign.flagged!.length}\\]: zz-other-org:user:nobody is not a row of any reviewer`,
        ),
      ],
      [
        'edit-flag-twice',
        (c) => ({ ...c, flagged: [c.flagged![0]!, ...c.flagged!] }),
        /edit-flag-twice\/campaign\.json: \$\.flagged\[1\]: .* is listed twice or out of order/,
      ],
    ];
    for (const [name, edit, message] of cases) {
      const r = await mergeWith(name, edit);
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(existsSync(join(dir, `${name}-out`, 'signoff.json'))).toBe(false);
    }
  });
});

describe('review status --snapshot', () => {
  it('reads an edited campaign.json that drops a reviewer as the merge does (exit 2), and the campaign as written as before', async () => {
    const folder = join(dir, 'status-edit');
    cpSync(join(dir, 'filled'), folder, { recursive: true });
    const status = (name: string, extra: string[]) =>
      cli(['review', 'status', name, '--campaign', `${name}/campaign.json`, '--json', ...extra]);
    const plain = await status('filled', []);
    expect(await status('filled', ['--snapshot', 'q3.json'])).toEqual(plain);
    const edited = { ...campaign, reviewers: campaign.reviewers.filter((x) => x.reviewer !== SEC) };
    writeFileSync(join(folder, 'campaign.json'), JSON.stringify(edited));
    // Without the snapshot the edit cannot be seen: the campaign reads as one reviewer's.
    expect((await status('status-edit', [])).code).toBe(0);
    const checked = await status('status-edit', ['--snapshot', 'q3.json']);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(
      /status-edit\/campaign\.json: \$\.reviewers: 3 row\(s\) of the snapshot have no reviewer/,
    );
    expect(checked.stdout).toBe('');
  });
});

describe('the flagged rows are those campaign.json records, whatever policy the merge is given', () => {
  it('records the rows with open findings at split time, and holds the merge to them under a policy that flags nothing', async () => {
    const audit = await cli(['audit', 'q3.json', '--format', 'json', '--fail-on', 'never']);
    const open = new Set(
      findingRows(JSON.parse(audit.stdout))
        .filter((f) => !f.waived)
        .map((f) => `${f.orgId}:${f.subjectType}:${f.subjectId}`),
    );
    const rows = campaign.reviewers.flatMap((r) => r.rows.map((x) => x.key));
    expect(campaign.flagged).toEqual(rows.filter((k) => open.has(k)).sort());
    const leadFlagged = campaign.reviewers
      .find((r) => r.reviewer === LEAD)!
      .rows.map((x) => x.key)
      .filter((k) => campaign.flagged!.includes(k) && k !== key('user', OWNER1));
    expect(leadFlagged.length).toBeGreaterThan(0);
    // A closing policy that disables every rule: its own audit flags nothing.
    const ids = readdirSync(DEFAULT_RULES_DIR).filter((f) => f.endsWith('.json') && f !== 'rule.schema.json');
    writeFileSync(
      join(dir, 'no-flags.yaml'),
      `review:\n  fallbackReviewer: ${SEC}\n  teamOwners:\n    admins: ${LEAD}\nrules:\n${ids
        .map((f) => `  ${f.replace(/\.json$/, '')}: { enabled: false }\n`)
        .join('')}`,
    );
    // The lead kept their flagged rows without a word (the Org Owner's Keep stays justified).
    const folder = await tampered(
      'flagged-no-comment',
      decided(LEAD, (k) => (leadFlagged.includes(k) ? { comment: '' } : {})),
    );
    const mergeWith = (campaignFile: string) =>
      cli([
        'review',
        'merge',
        folder,
        '--campaign',
        campaignFile,
        '--snapshot',
        'q3.json',
        '--policy',
        'no-flags.yaml',
        '--out-dir',
        `${folder}-${campaignFile.replace(/\W/g, '')}`,
      ]);
    const held = await mergeWith('camp/campaign.json');
    expect(held.code).toBe(2);
    // Each refusal says why the Keep needs words: "(Project Owner, open findings; ...)".
    const forFindings = (text: string) =>
      text.match(/needs a justification in Comment \([^)]*open findings/g)?.length ?? 0;
    expect(forFindings(held.stderr)).toBe(leadFlagged.length);
    // A campaign.json written before flags were recorded: the merge's own audit decides, and it flags nothing.
    const { flagged: _recorded, ...older } = campaign;
    writeFileSync(join(dir, 'older-campaign.json'), JSON.stringify(older));
    const own = await mergeWith('older-campaign.json');
    expect(own.stderr).toMatch(/needs a justification in Comment/);
    expect(forFindings(own.stderr)).toBe(0);
  });
});

describe('a Keep of the Org Owner "justified" by nothing a reader sees', () => {
  it('a zero-width space, a BOM or punctuation alone is no justification (exit 2)', async () => {
    for (const [i, comment] of ['\u200b', '\ufeff\u200d', ' . ', '—'].entries()) {
      const folder = await tampered(
        `keep-blank-${i}`,
        decided(LEAD, (k) => (k === key('user', OWNER1) ? { comment } : {})),
      );
      await refused(folder, /\(Comment\): Keep of user owner1@example\.com needs a justification in Comment/);
    }
  });
});

describe('a forged package among the campaign workbooks', () => {
  it('a zip bomb that lies about its size is refused by merge as by import, inflating no more than it declared', async () => {
    const folder = join(dir, 'bomb');
    cpSync(join(dir, 'filled'), folder, { recursive: true });
    const lead = join(folder, reviewerFileName(LEAD));
    const entries = readZip(readFileSync(lead));
    const payload = await deflatedRepeat('A', 400 * 1024 * 1024);
    writeFileSync(
      lead,
      writeZip([
        ...[...entries].map(([name, data]) => ({ name, data })),
        { name: 'xl/sharedStrings2.xml', data: '', deflated: payload, declaredSize: 1000 },
      ]),
    );
    const before = process.memoryUsage().rss;
    await refused(
      'bomb',
      /review-lead-at-example\.com\.xlsx: workbook: not a readable XLSX workbook: .*inflates to more than the 1000 bytes its directory entry declares/,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('one unreadable workbook among many', () => {
  it("is listed with the other workbooks' problems, not in place of them (one pass over a campaign)", async () => {
    const folder = await tampered(
      'unreadable',
      decided(LEAD, (k) => (k === key('user', OWNER1) ? { comment: null } : {})),
    );
    writeFileSync(join(dir, folder, reviewerFileName(SEC)), 'not a workbook at all');
    await refused(
      folder,
      /review-sec-at-example\.com\.xlsx: workbook: not a readable XLSX workbook/,
      /\(Comment\): Keep of user owner1@example\.com needs a justification in Comment/,
    );
  });
});

describe('the subject under a roster alias', () => {
  const ALIAS = 'o.one@example.com';
  const withRoster = (args: string[]) => cli([...args, '--roster', 'alias-hr.csv']);

  it("a Reassign to the subject's alias is refused by review merge --roster", async () => {
    writeFileSync(
      join(dir, 'alias-hr.csv'),
      rosterCsv([{ email: 'owner1@example.com', aliases: [ALIAS.toUpperCase()] }, { email: LEAD }]),
    );
    const folder = await tampered(
      'reassign-alias',
      decided(LEAD, (k) => (k === key('user', OWNER1) ? { decision: 'Reassign', comment: ALIAS } : {})),
    );
    const r = await withRoster([
      'review',
      'merge',
      folder,
      '--campaign',
      'camp/campaign.json',
      '--snapshot',
      'q3.json',
      '--out-dir',
      `${folder}-out`,
    ]);
    expect(r.stderr).toMatch(
      /\(Comment\): o\.one@example\.com is the row's own identity; choose another reviewer/,
    );
    expect(r.code).toBe(2);
  });

  it('review import --roster refuses the subject deciding their own row under an alias', async () => {
    const folder = await tampered(
      'self-alias',
      decided(LEAD, (k) => (k === key('user', OWNER1) ? { reviewer: ALIAS } : {})),
    );
    const wb = join(folder, reviewerFileName(LEAD));
    const out = mkdtempSync(join(dir, 'self-alias-out-'));
    const r = await withRoster(['review', 'import', wb, '--snapshot', 'q3.json', '--out-dir', out]);
    expect(r.stderr).toMatch(/\(Reviewer\): o\.one@example\.com reviewed their own access/);
    expect(r.code).toBe(2);
    expect(existsSync(join(out, 'signoff.json'))).toBe(false);
  });
});

describe('review import and Reassign', () => {
  it('refuses it: Reassign belongs to review merge', async () => {
    const folder = await tampered(
      'single',
      decided(LEAD, (k) => (k === key('user', OWNER1) ? { decision: 'Reassign', comment: SEC } : {})),
    );
    const out = mkdtempSync(join(dir, 'single-out-'));
    const r = await cli([
      'review',
      'import',
      join(folder, reviewerFileName(LEAD)),
      '--snapshot',
      'q3.json',
      '--out-dir',
      out,
    ]);
    expect(r.stderr).toMatch(
      /\(Decision\): Reassign hands a row to another reviewer of a review campaign; it belongs to `review merge`/,
    );
    expect(r.code).toBe(2);
    expect(existsSync(join(out, 'signoff.json'))).toBe(false);
  });
});
