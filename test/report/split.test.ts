/**
 * `report --split-by reviewer` on the simulator's demo estate: one workbook per reviewer whose rows
 * partition the full Review sheet exactly, campaign.json valid with the workbooks' sha256s, every
 * workbook importable by `review import` once filled, and the refusals (exit 2 and 4) that write nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_FILE, campaignSchema } from '../../src/campaign/campaign.js';
import { reviewerFileName } from '../../src/report/split.js';
import { generateEstate, PRESETS } from '../../src/sim/generate.js';
import { ASSIGNED_REVIEWER_LABEL, CAMPAIGN_ID_LABEL } from '../../src/workbook/contract.js';
import { rosterCsv } from '../builders/roster.js';
import { BUILDER_NOW, snapshot } from '../builders/snapshot.js';
import { fillWorkbook } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

const NOW = new Date('2026-06-02T09:00:00Z');
const LEAD = 'security-lead@corp.example';
let dir: string;
const cli = (argv: string[]) => runCliForTest(argv, { cwd: dir, now: NOW });
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

async function sheetRows(file: string, sheet: string): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.getWorksheet(sheet);
  if (!ws) return [];
  const rows: string[][] = [];
  ws.eachRow((row) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (c) => {
      cells.push(c.value === null || c.value === undefined ? '' : String(c.value));
    });
    rows.push(cells);
  });
  return rows;
}

async function reviewKeys(file: string): Promise<string[]> {
  const [header, ...rows] = await sheetRows(file, 'Review');
  const at = header!.indexOf('Identity key');
  return rows.map((r) => r[at]!);
}

beforeAll(() => {
  dir = tempDir();
  const estate = generateEstate({ seed: 7, now: BUILDER_NOW, ...PRESETS.demo });
  const snap = snapshot(estate.organizations);
  writeFileSync(join(dir, 'snap.json'), JSON.stringify(snap, null, 2));
  // Each org's first user manages the others; every tenth user is missing from HR (an orphan).
  const people = estate.organizations.flatMap((o) => {
    const boss = o.users[0]!.username;
    return o.users
      .filter((_, i) => i % 10 !== 9)
      .map((u, i) => ({ email: u.username, ...(i === 0 ? {} : { manager: boss }) }));
  });
  writeFileSync(join(dir, 'hr.csv'), rosterCsv(people));
  const first = estate.organizations[0]!;
  writeFileSync(
    join(dir, 'policy.json'),
    JSON.stringify({
      allowedEmailDomains: estate.companyEmailDomains,
      review: {
        fallbackReviewer: LEAD,
        teamOwners: { [first.teams[0]!.name]: 'team-lead@corp.example' },
        projectOwners: { [first.projects[0]!.id]: 'project-owner@corp.example' },
      },
    }),
  );
  writeFileSync(join(dir, 'no-fallback.json'), JSON.stringify({ review: { teamOwners: {} } }));
});

describe('report --split-by reviewer', () => {
  let campaign: ReturnType<typeof campaignSchema.parse>;

  it('writes one workbook per reviewer and campaign.json beside the full report', async () => {
    const r = await cli([
      'report',
      'snap.json',
      '--roster',
      'hr.csv',
      '--policy',
      'policy.json',
      '--split-by',
      'reviewer',
      '--out-dir',
      'camp',
      '--xlsx',
      'full.xlsx',
      '--due',
      '2026-06-30',
    ]);
    expect(r.stderr).not.toContain('Error');
    expect([0, 1]).toContain(r.code);
    campaign = campaignSchema.parse(JSON.parse(readFileSync(join(dir, 'camp', CAMPAIGN_FILE), 'utf8')));
    expect(campaign.due).toBe('2026-06-30');
    expect(campaign.campaignId).toBe(`2026-06-30-${sha(readFileSync(join(dir, 'snap.json'))).slice(0, 8)}`);
    expect(campaign.roster?.sha256).toBe(sha(readFileSync(join(dir, 'hr.csv'))));
    expect(campaign.policy?.sha256).toBe(sha(readFileSync(join(dir, 'policy.json'))));
    expect(campaign.fallbackReviewer).toBe(LEAD);
    expect(campaign.createdAt).toBe(NOW.toISOString());
    expect(readdirSync(join(dir, 'camp')).sort()).toEqual(
      [...campaign.reviewers.map((x) => x.workbook), CAMPAIGN_FILE].sort(),
    );
    // Every route answered somewhere: managers, the team and project owners, the fallback.
    const routes = new Set(campaign.reviewers.flatMap((x) => x.rows.map((row) => row.route)));
    expect([...routes].sort()).toEqual(['fallback', 'manager', 'projectOwner', 'teamOwner']);
    expect(r.stdout).toContain(`wrote camp/${CAMPAIGN_FILE} (campaign ${campaign.campaignId}`);
  });

  it('partitions the full Review sheet exactly: no row lost, none doubled', async () => {
    const full = await reviewKeys(join(dir, 'full.xlsx'));
    const split: string[] = [];
    for (const rv of campaign.reviewers) {
      const file = join(dir, 'camp', rv.workbook);
      expect(sha(readFileSync(file))).toBe(rv.sha256);
      const keys = await reviewKeys(file);
      expect(keys).toEqual(rv.rows.map((x) => x.key));
      split.push(...keys);
    }
    expect(new Set(split).size).toBe(split.length);
    expect([...split].sort()).toEqual([...full].sort());
    expect(full.length).toBeGreaterThan(150);
  });

  it('names the campaign and the reviewer on each Summary, never a reviewer on their own row', async () => {
    for (const rv of campaign.reviewers) {
      const file = join(dir, 'camp', rv.workbook);
      const summary = new Map((await sheetRows(file, 'Summary')).map((r) => [r[0], r[1]]));
      expect(summary.get(CAMPAIGN_ID_LABEL)).toBe(campaign.campaignId);
      expect(summary.get(ASSIGNED_REVIEWER_LABEL)).toBe(rv.reviewer);
      expect(summary.get('Snapshot sha256')).toBe(campaign.snapshot.sha256);
      const [header, ...rows] = await sheetRows(file, 'Review');
      const name = header!.indexOf('Name');
      for (const row of rows) expect(row[name]!.toLowerCase()).not.toBe(rv.reviewer);
      expect((await sheetRows(file, 'Roles')).length).toBeGreaterThan(1);
    }
  });

  it('offers Reassign in the Decision list of a campaign workbook (Excel refuses a value off the list)', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'camp', campaign.reviewers[0]!.workbook));
    const ws = wb.getWorksheet('Review')!;
    const decisionCol = (ws.getRow(1).values as unknown[]).indexOf('Decision');
    expect(ws.getRow(2).getCell(decisionCol).dataValidation).toMatchObject({
      type: 'list',
      formulae: ['"Keep,Revoke,Modify,Reassign"'],
    });
  });

  it('every workbook imports with `review import` once its reviewer filled it', async () => {
    for (const rv of campaign.reviewers) {
      const filled = join(dir, `filled-${rv.workbook}`);
      await fillWorkbook(join(dir, 'camp', rv.workbook), filled, () => ({
        decision: 'Keep',
        reviewer: rv.reviewer,
        reviewedOn: new Date('2026-06-02T00:00:00Z'),
        comment: 'still needed',
      }));
      const out = join(dir, `signoff-${rv.workbook}`);
      const r = await cli(['review', 'import', filled, '--snapshot', 'snap.json', '--out-dir', out]);
      expect(r.stderr).toContain(`review import: ${rv.rows.length} decisions (${rv.rows.length} keep`);
      expect(r.code).toBe(0);
      const signoff = JSON.parse(readFileSync(join(out, 'signoff.json'), 'utf8'));
      expect(signoff.counts).toMatchObject({ identities: rv.rows.length, keep: rv.rows.length });
      expect(signoff.reviewers.map((x: { reviewer: string }) => x.reviewer)).toEqual([rv.reviewer]);
    }
  });

  it('refuses an existing campaign without --force (exit 4) and replaces it with --force', async () => {
    const before = readFileSync(join(dir, 'camp', CAMPAIGN_FILE), 'utf8');
    const args = [
      'report',
      'snap.json',
      '--roster',
      'hr.csv',
      '--policy',
      'policy.json',
      '--split-by',
      'reviewer',
      '--out-dir',
      'camp',
    ];
    const r = await cli(args);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('campaign.json already exists');
    expect(readFileSync(join(dir, 'camp', CAMPAIGN_FILE), 'utf8')).toBe(before);
    const forced = await cli([...args, '--force', '--due', '2026-06-30']);
    expect([0, 1]).toContain(forced.code);
  });

  it('with --force over an earlier campaign, removes the workbooks of its reviewers who are not in the new one', async () => {
    const split = (policy: string, ...more: string[]) =>
      cli([
        'report',
        'snap.json',
        '--roster',
        'hr.csv',
        '--policy',
        policy,
        '--split-by',
        'reviewer',
        '--out-dir',
        'resplit',
        '--fail-on',
        'never',
        ...more,
      ]);
    expect((await split('policy.json')).code).toBe(0);
    const earlier = campaignSchema.parse(
      JSON.parse(readFileSync(join(dir, 'resplit', CAMPAIGN_FILE), 'utf8')),
    );
    const owners = ['team-lead@corp.example', 'project-owner@corp.example'].map(reviewerFileName);
    for (const w of owners) expect(existsSync(join(dir, 'resplit', w))).toBe(true);
    writeFileSync(join(dir, 'resplit', 'notes.txt'), 'mine');
    // Follow-up workbooks `review merge --reassigned-out` wrote for the earlier campaign; a name in
    // other case is not one the merge writes, and stays.
    const followUp = 'reassigned-delegate@corp.example.xlsx';
    writeFileSync(join(dir, 'resplit', followUp), 'earlier follow-up');
    writeFileSync(join(dir, 'resplit', 'Reassigned-Mine.xlsx'), 'mine');
    // Without the team and project owners their rows fall to the managers and the fallback.
    const policy = JSON.parse(readFileSync(join(dir, 'policy.json'), 'utf8'));
    writeFileSync(
      join(dir, 'lead-only.json'),
      JSON.stringify({ ...policy, review: { fallbackReviewer: LEAD } }),
    );
    const r = await split('lead-only.json', '--force');
    expect(r.code).toBe(0);
    for (const w of owners) {
      expect(existsSync(join(dir, 'resplit', w)), w).toBe(false);
      expect(r.stdout).toContain(
        `removed resplit/${w} (a workbook of the earlier campaign ${earlier.campaignId}, not in this one)`,
      );
    }
    expect(existsSync(join(dir, 'resplit', followUp))).toBe(false);
    expect(r.stdout).toContain(
      `removed resplit/${followUp} (a follow-up workbook of the earlier campaign ${earlier.campaignId}, not in this one)`,
    );
    const now = campaignSchema.parse(JSON.parse(readFileSync(join(dir, 'resplit', CAMPAIGN_FILE), 'utf8')));
    expect(readdirSync(join(dir, 'resplit')).sort()).toEqual(
      [CAMPAIGN_FILE, 'Reassigned-Mine.xlsx', 'notes.txt', ...now.reviewers.map((x) => x.workbook)].sort(),
    );

    // An earlier campaign.json that names files a split never writes removes none of them.
    now.reviewers.push({ ...now.reviewers[0]!, reviewer: 'x@corp.example', workbook: 'notes.txt' });
    writeFileSync(join(dir, 'resplit', CAMPAIGN_FILE), JSON.stringify(now));
    expect((await split('lead-only.json', '--force')).code).toBe(0);
    expect(readFileSync(join(dir, 'resplit', 'notes.txt'), 'utf8')).toBe('mine');

    // One that cannot be read is replaced, and the warning says its workbooks stay.
    writeFileSync(join(dir, 'resplit', CAMPAIGN_FILE), '{');
    const unreadable = await split('lead-only.json', '--force');
    expect(unreadable.code).toBe(0);
    expect(unreadable.stderr).toMatch(
      /warning: resplit\/campaign\.json is replaced, but it could not be read \(.*not valid JSON.*\): workbooks of the earlier campaign, if any, stay in the folder/,
    );
  });

  it('with --force, removes only workbook names a split writes: not a name in other case, nor a file this command just wrote', async () => {
    const split = (...more: string[]) =>
      cli([
        'report',
        'snap.json',
        '--roster',
        'hr.csv',
        '--policy',
        'policy.json',
        '--split-by',
        'reviewer',
        '--out-dir',
        'resplit-names',
        '--fail-on',
        'never',
        ...more,
      ]);
    expect((await split()).code).toBe(0);
    const file = join(dir, 'resplit-names', CAMPAIGN_FILE);
    const earlier = campaignSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    // The full report goes into the campaign folder under a name an earlier reviewer's workbook had.
    const full = 'review-full-at-corp.example.xlsx';
    const listed = ['CAMPAIGN.JSON', 'REVIEW-NOTES.XLSX', 'Campaign.json.sig', full];
    for (const [i, workbook] of listed.entries())
      earlier.reviewers.push({ ...earlier.reviewers[0]!, reviewer: `gone${i}@corp.example`, workbook });
    writeFileSync(file, JSON.stringify(earlier));
    for (const name of listed.slice(0, 3)) writeFileSync(join(dir, 'resplit-names', name), 'mine');
    const r = await split('--force', '--xlsx', `resplit-names/${full}`);
    expect(r.code).toBe(0);
    for (const name of listed.slice(0, 3)) {
      expect(readFileSync(join(dir, 'resplit-names', name), 'utf8'), name).toBe('mine');
      expect(r.stdout).not.toContain(`removed resplit-names/${name}`);
    }
    expect(r.stdout).not.toContain(`removed resplit-names/${full}`);
    expect(existsSync(join(dir, 'resplit-names', full))).toBe(true);
  });

  it('with --force over an earlier campaign.json that cannot be read, warns that its workbooks stay', async () => {
    const { rmSync, symlinkSync } = await import('node:fs');
    const split = () =>
      cli([
        'report',
        'snap.json',
        '--policy',
        'policy.json',
        '--split-by',
        'reviewer',
        '--out-dir',
        'resplit-unreadable',
        '--fail-on',
        'never',
        '--force',
      ]);
    expect((await split()).code).toBe(0);
    const file = join(dir, 'resplit-unreadable', CAMPAIGN_FILE);
    const warning =
      /warning: resplit-unreadable\/campaign\.json is replaced, but it could not be read \(.+\): workbooks of the earlier campaign, if any, stay in the folder/;
    // A link to itself (ELOOP), and a link to a device that never ends (read up to the limit only).
    for (const target of [CAMPAIGN_FILE, '/dev/zero']) {
      rmSync(file);
      symlinkSync(target, file);
      const r = await split();
      expect(r.stderr, target).toMatch(warning);
      expect(r.code).toBe(0);
      expect(campaignSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))).success).toBe(true);
    }
  }, 30_000);

  it('refuses a workbook name that exists though campaign.json does not (exit 4), writing nothing', async () => {
    const out = join(dir, 'camp2');
    const args = [
      'report',
      'snap.json',
      '--roster',
      'hr.csv',
      '--policy',
      'policy.json',
      '--split-by',
      'reviewer',
      '--out-dir',
      'camp2',
    ];
    await cli(args);
    const names = readdirSync(out);
    writeFileSync(join(dir, 'camp2', CAMPAIGN_FILE + '.kept'), 'x');
    const kept = readFileSync(join(out, reviewerFileName(LEAD)));
    // campaign.json gone, one workbook left: the split names it only after routing, still before writing.
    const { rmSync } = await import('node:fs');
    rmSync(join(out, CAMPAIGN_FILE));
    const r = await cli(args);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('already exists');
    expect(existsSync(join(out, CAMPAIGN_FILE))).toBe(false);
    expect(readFileSync(join(out, reviewerFileName(LEAD)))).toEqual(kept);
    expect(names.length).toBeGreaterThan(2);
  });

  it('refuses a policy without a fallback reviewer (exit 2 naming the file and path), writing nothing', async () => {
    const r = await cli([
      'report',
      'snap.json',
      '--policy',
      'no-fallback.json',
      '--split-by',
      'reviewer',
      '--out-dir',
      'none',
      '--html',
      'none.html',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-fallback.json: $.review.fallbackReviewer');
    expect(existsSync(join(dir, 'none'))).toBe(false);
    expect(existsSync(join(dir, 'none.html'))).toBe(false);
    const bare = await cli(['report', 'snap.json', '--split-by', 'reviewer', '--out-dir', 'none']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('fallback reviewer');
  });

  it('checks its arguments (exit 2)', async () => {
    const base = ['report', 'snap.json', '--policy', 'policy.json'];
    expect((await cli([...base, '--split-by', 'reviewer'])).code).toBe(2);
    expect(
      (await cli([...base, '--split-by', 'reviewer', '--out-dir', 'x', '--due', '2026-02-30'])).code,
    ).toBe(2);
    expect(
      (await cli([...base, '--split-by', 'reviewer', '--out-dir', 'x', '--campaign-id', '../up'])).code,
    ).toBe(2);
    expect((await cli([...base, '--html', 'x.html', '--due', '2026-06-30'])).code).toBe(2);
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('a roster manager cell that is no mailbox (a formula, a list, a control character) is no reviewer: the row falls to the fallback', async () => {
    writeFileSync(
      join(dir, 'evil.json'),
      JSON.stringify({ review: { fallbackReviewer: 'lead@corp.example', orgFallbackReviewers: {} } }),
    );
    // The reviewer comes from the roster's manager column, which the policy schema does not check.
    const snap = JSON.parse(readFileSync(join(dir, 'snap.json'), 'utf8'));
    const [first, second, third] = snap.organizations[0].users.map((u: { username: string }) => u.username);
    writeFileSync(
      join(dir, 'evil-hr.csv'),
      rosterCsv([
        { email: first, manager: '=HYPERLINK("http://x")\u001b[31m@evil.example' },
        { email: second, manager: 'boss@corp.example,eve@evil.example' },
        { email: third, manager: 'boss@corp.example\u202e' },
      ]),
    );
    const r = await cli([
      'report',
      'snap.json',
      '--roster',
      'evil-hr.csv',
      '--policy',
      'evil.json',
      '--split-by',
      'reviewer',
      '--out-dir',
      'evil',
    ]);
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).not.toContain('\u001b');
    const c = campaignSchema.parse(JSON.parse(readFileSync(join(dir, 'evil', CAMPAIGN_FILE), 'utf8')));
    expect(c.reviewers.map((x) => x.reviewer)).toEqual(['lead@corp.example']);
    const keys = new Set(
      snap.organizations[0].users
        .filter((u: { username: string }) => [first, second, third].includes(u.username))
        .map((u: { id: string }) => `${snap.organizations[0].id}:user:${u.id}`),
    );
    const routes = c.reviewers[0]!.rows.filter((row) => keys.has(row.key)).map((row) => row.route);
    expect(routes).toEqual(['fallback', 'fallback', 'fallback']);
  });

  it('a policy reviewer address that is no plain mailbox is exit 2 naming the policy file and path', async () => {
    writeFileSync(
      join(dir, 'evil-policy.json'),
      JSON.stringify({ review: { fallbackReviewer: '=HYPERLINK("http://x")@evil.example' } }),
    );
    const r = await cli([
      'report',
      'snap.json',
      '--policy',
      'evil-policy.json',
      '--split-by',
      'reviewer',
      '--out-dir',
      'evil2',
    ]);
    expect(r.stderr).toMatch(/evil-policy\.json: \$\.review\.fallbackReviewer: expected an email address/);
    expect(r.code).toBe(2);
  });

  it('without --roster skips the manager route and records roster null', async () => {
    const r = await cli([
      'report',
      'snap.json',
      '--policy',
      'policy.json',
      '--split-by',
      'reviewer',
      '--out-dir',
      'noroster',
      '--campaign-id',
      'q2-2026',
    ]);
    expect([0, 1]).toContain(r.code);
    const c = campaignSchema.parse(JSON.parse(readFileSync(join(dir, 'noroster', CAMPAIGN_FILE), 'utf8')));
    expect(c.campaignId).toBe('q2-2026');
    expect(c.roster).toBeNull();
    expect(c.due).toBe('2026-06-16');
    expect(c.reviewers.flatMap((x) => x.rows.map((row) => row.route))).not.toContain('manager');
  });
});

describe('reviewerFileName', () => {
  it.each([
    ['alice@corp.example', 'review-alice-at-corp.example.xlsx'],
    ['a.b+c@x.io', 'review-a.b+c-at-x.io.xlsx'],
  ])('%s -> %s', (address, name) => expect(reviewerFileName(address)).toBe(name));

  it('adds a hash when sanitising changed the address, so names never collide', () => {
    const names = [
      '../evil@x.io',
      '.hidden@x.io',
      'a/b@x.io',
      'a-at-b@c.io',
      'a@b-at-c.io',
      'ä@x.io',
      'a b@x.io',
      'a_b@x.io',
    ].map(reviewerFileName);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^review-[a-z0-9._+-]+\.xlsx$/);
    // Changed by sanitising, or ambiguous (`-at-`): hashed. Unchanged: the address as it is.
    expect(names.filter((n) => /-[0-9a-f]{16}\.xlsx$/.test(n))).toHaveLength(6);
    expect(names).toContain('review-.hidden-at-x.io.xlsx');
  });
});
