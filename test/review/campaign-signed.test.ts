/**
 * What a person with write access to a campaign folder could change (docs/review.md, "Campaigns").
 * campaign.json is signed evidence: the split signs it with the signing key, and under a verify key
 * `review merge`, `status`, `remind` and `apply` refuse a campaign.json that is unsigned or was changed
 * after the split (exit 2, nothing written or sent): emptied flags (Keeps then need no justification),
 * another reviewer's address (a reminder then mails them the workbook). And a workbook put in another
 * reviewer's place is never mailed to them by `review remind`, signed or not.
 */
import { createPublicKey } from 'node:crypto';
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../src/campaign/campaign.js';
import { keyFingerprint, parseSigningKey } from '../../src/evidence/signature.js';
import { reviewerFileName } from '../../src/report/split.js';
import type { Signoff } from '../../src/review/signoff.js';
import { writeSnapshot } from '../../src/snapshot/store.js';
import { TOOL } from '../../src/version.js';
import { ASSIGNED_REVIEWER_LABEL } from '../../src/workbook/contract.js';
import { fillWorkbook, q3, splitArgv } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';
import { readZip } from '../helpers/zip.js';

const LEAD = 'lead@example.com';
const SEC = 'sec@example.com';
const NOW = new Date(Date.UTC(2026, 10, 25, 9));
let dir: string;
const cli = (argv: string[]) => runCliForTest(argv, { cwd: dir, now: NOW });
const VERIFY = ['--verify-key', 'keys/verify-key.pem'];

const split = (out: string, ...more: string[]) => cli(splitArgv(out, {}, ...more));
const merge = (folder: string, ...more: string[]) =>
  cli([
    'review',
    'merge',
    folder,
    '--campaign',
    `${folder}/campaign.json`,
    '--snapshot',
    'q3.json',
    '--out-dir',
    `${folder}-out`,
    ...more,
  ]);
const status = (folder: string, ...more: string[]) =>
  cli(['review', 'status', folder, '--campaign', `${folder}/campaign.json`, ...more]);
const remind = (folder: string, ...more: string[]) =>
  cli([
    'review',
    'remind',
    folder,
    '--campaign',
    `${folder}/campaign.json`,
    '--email-from',
    'bot@example.com',
    '--eml',
    `${folder}-eml`,
    ...more,
  ]);

/** A copy of the signed campaign whose campaign.json `edit` changed (its signature left as it was). */
function edited(name: string, edit: (c: Campaign) => void): string {
  cpSync(join(dir, 'signed'), join(dir, name), { recursive: true });
  const file = join(dir, name, 'campaign.json');
  const campaign = JSON.parse(readFileSync(file, 'utf8')) as Campaign;
  edit(campaign);
  writeFileSync(file, `${JSON.stringify(campaign, null, 2)}\n`);
  return name;
}

beforeAll(async () => {
  dir = tempDir('aar-campaign-signed-');
  expect((await cli(['evidence', 'keygen', '--out-dir', 'keys'])).code).toBe(0);
  // The snapshot is signed too: under a verify key every piece of evidence read must be.
  const key = parseSigningKey(readFileSync(join(dir, 'keys', 'signing-key.pem'), 'utf8'), 'test key');
  await writeSnapshot(join(dir, 'q3.json'), q3(), {
    force: false,
    signer: { key, signedAt: NOW, tool: TOOL },
  });
  writeFileSync(
    join(dir, 'policy.yaml'),
    `review:\n  fallbackReviewer: ${SEC}\n  teamOwners:\n    admins: ${LEAD}\n`,
  );
  const signed = await split('signed', '--signing-key', 'keys/signing-key.pem');
  expect(signed.stderr).toMatch(/^report: GATE OFF/);
  expect(signed.code).toBe(0);
  expect(signed.stdout).toMatch(/^signed signed\/campaign\.json\.sig with key SHA256:\S+$/m);
  const unsigned = await split('unsigned');
  expect(unsigned.code).toBe(0);
  expect(unsigned.stdout).not.toContain('.sig');
}, 60_000);

describe('the split signs campaign.json', () => {
  it('with the signing key: evidence verify accepts it as a campaign record', async () => {
    expect(existsSync(join(dir, 'signed', 'campaign.json.sig'))).toBe(true);
    expect(existsSync(join(dir, 'unsigned', 'campaign.json.sig'))).toBe(false);
    const r = await cli(['evidence', 'verify', 'signed/campaign.json', ...VERIFY]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok signed\/campaign\.json: campaign record signed by /);
    expect(r.code).toBe(0);
  });

  it('merge, status and remind read it under the verify key', async () => {
    const m = await merge('signed', ...VERIFY);
    expect(m.stderr).toMatch(/review merge: \d+ row\(s\) open/);
    expect(m.code).toBe(1);
    expect((await status('signed', ...VERIFY)).code).toBe(0);
    const r = await remind('signed', ...VERIFY);
    expect(r.stderr).toMatch(/review remind: 2 reminder\(s\)/);
    expect(r.code).toBe(0);
  });

  it('a verify key without a signing key is refused before the audit: the campaign would be unsigned', async () => {
    const r = await split('no-signing-key', ...VERIFY);
    expect(r.stderr).toMatch(
      /a verify key is configured but no signing key: campaign\.json would be unsigned, and refused by review merge/,
    );
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'no-signing-key'))).toBe(false);
  });

  it('--signing-key without --split-by is refused: report writes no other evidence', async () => {
    const r = await cli([
      'report',
      'q3.json',
      '--json',
      'plain.json',
      '--signing-key',
      'keys/signing-key.pem',
      '--fail-on',
      'never',
    ]);
    expect(r.stderr).toMatch(/--signing-key signs campaign\.json; it needs --split-by reviewer/);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'plain.json'))).toBe(false);
  });
});

describe('under a verify key, a changed or unsigned campaign.json is refused (exit 2)', () => {
  it('flags emptied, so that a Keep of a flagged row would need no justification: merge writes nothing', async () => {
    const folder = edited('no-flags', (c) => {
      expect(c.flagged?.length).toBeGreaterThan(0);
      c.flagged = [];
    });
    const r = await merge(folder, ...VERIFY);
    expect(r.stderr).toMatch(/no-flags\/campaign\.json.*signature/);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, `${folder}-out`))).toBe(false);
    // Without a key nothing is checked: the same folder merges (the user chose unsigned evidence).
    expect((await merge(folder)).code).toBe(1);
  });

  it("a reviewer's address changed, so that a reminder would mail their workbook elsewhere: remind sends nothing", async () => {
    const folder = edited('redirected', (c) => {
      c.reviewers[0]!.reviewer = 'mallory@evil.example';
    });
    const r = await remind(folder, ...VERIFY);
    expect(r.stderr).toMatch(/redirected\/campaign\.json.*signature/);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, `${folder}-eml`))).toBe(false);
    expect((await status(folder, ...VERIFY)).code).toBe(2);
  });

  it('an unsigned campaign.json', async () => {
    const r = await merge('unsigned', ...VERIFY);
    expect(r.stderr).toMatch(/unsigned\/campaign\.json.*is not signed \(no unsigned\/campaign\.json\.sig\)/);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'unsigned-out'))).toBe(false);
  });

  it("another kind of evidence's signature does not pass for a campaign's", async () => {
    const folder = edited('swapped-sig', () => {});
    cpSync(join(dir, 'q3.json.sig'), join(dir, folder, 'campaign.json.sig'));
    const r = await merge(folder, ...VERIFY);
    expect(r.stderr).toMatch(/swapped-sig\/campaign\.json/);
    expect(r.code).toBe(2);
  });
});

describe('evidence sign: a record written before a signing key was configured', () => {
  it('a campaign split unsigned, signed after the fact, is read under the verify key', async () => {
    cpSync(join(dir, 'unsigned'), join(dir, 'late'), { recursive: true });
    const sign = ['evidence', 'sign', 'late/campaign.json', '--kind', 'campaign'];
    const r = await cli([...sign, '--signing-key', 'keys/signing-key.pem']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^signed late\/campaign\.json\.sig with key SHA256:\S+\n$/);
    expect(r.code).toBe(0);
    const m = await merge('late', ...VERIFY);
    expect(m.stderr).toMatch(/review merge: \d+ row\(s\) open/);
    expect(m.code).toBe(1);
    // An existing signature is replaced only with --force (exit 4); without a key there is nothing to sign with.
    expect((await cli([...sign, '--signing-key', 'keys/signing-key.pem'])).code).toBe(4);
    const keyless = await cli(sign);
    expect(keyless.stderr).toMatch(/nothing to sign with: no signing key configured/);
    expect(keyless.code).toBe(2);
  });

  it('validates the file as the kind it is signed as: a snapshot is no campaign (exit 2, nothing signed)', async () => {
    const r = await cli([
      'evidence',
      'sign',
      'q3.json',
      '--kind',
      'campaign',
      '--signing-key',
      'keys/signing-key.pem',
      '--force',
    ]);
    expect(r.stderr).toMatch(/^error: q3\.json: /);
    expect(r.code).toBe(2);
    // q3.json.sig is still the snapshot signature written in beforeAll.
    const v = await cli(['evidence', 'verify', 'q3.json', ...VERIFY]);
    expect(v.stdout).toMatch(/^ok q3\.json: snapshot signed by /);
  });
});

describe("a workbook in another reviewer's place is never mailed to them", () => {
  const place = async (name: string, edit?: (wb: ExcelJS.Workbook) => void) => {
    cpSync(join(dir, 'unsigned'), join(dir, name), { recursive: true });
    await fillWorkbook(
      join(dir, name, reviewerFileName(SEC)),
      join(dir, name, reviewerFileName(LEAD)),
      () => ({}),
      edit,
    );
    return name;
  };

  it("the security lead's workbook put in the team lead's place: remind sends nothing, status says so", async () => {
    const folder = await place('swapped');
    const r = await remind(folder);
    expect(r.stderr).toMatch(
      /review-lead-at-example\.com\.xlsx is not lead@example\.com's workbook: the workbook was written for "sec@example\.com"/,
    );
    expect(r.stderr).toMatch(
      /1 workbook\(s\) in the folder are not the reviewer's the campaign names .*; nothing sent/,
    );
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, `${folder}-eml`))).toBe(false);
    const s = await status(folder);
    expect(s.stdout).toContain(`${reviewerFileName(LEAD)} (NOT THEIRS)`);
    expect(s.stdout).toMatch(
      /^warning: review-lead-at-example\.com\.xlsx is not lead@example\.com's workbook/m,
    );
    const json = JSON.parse((await status(folder, '--json')).stdout);
    const lead = json.reviewers.find((x: { reviewer: string }) => x.reviewer === LEAD);
    expect(lead.workbooks[0].notTheirs).toMatch(/the workbook was written for "sec@example\.com"/);
  });

  it('its Summary edited to name the team lead: the rows still give it away', async () => {
    const folder = await place('relabelled', (wb) => {
      wb.getWorksheet('Summary')!.eachRow((row) => {
        if (row.getCell(1).value === ASSIGNED_REVIEWER_LABEL) row.getCell(2).value = LEAD;
      });
    });
    const r = await remind(folder);
    expect(r.stderr).toMatch(
      /review-lead-at-example\.com\.xlsx is not lead@example\.com's workbook: it holds \d+ row\(s\) the campaign did not give lead@example\.com \(the first: /,
    );
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, `${folder}-eml`))).toBe(false);
  });
});

describe('evidence pack of a merged campaign', () => {
  it('packs campaign.json, its signature and every returned workbook, each bound by the sign-off', async () => {
    cpSync(join(dir, 'signed'), join(dir, 'done'), { recursive: true });
    const campaign = JSON.parse(readFileSync(join(dir, 'done', 'campaign.json'), 'utf8')) as Campaign;
    for (const r of campaign.reviewers) {
      const file = join(dir, 'done', r.workbook);
      await fillWorkbook(file, file, () => ({
        decision: 'Keep',
        reviewer: r.reviewer,
        reviewedOn: new Date(Date.UTC(2026, 10, 20)),
        comment: 'needed for the on-call rota',
      }));
    }
    const signing = ['--signing-key', 'keys/signing-key.pem'];
    const merged = await merge('done', ...signing);
    expect(merged.code, merged.stderr).toBe(0);
    // The sign-off records who signed the snapshot and campaign.json it was made from, as checked.
    const fingerprint = keyFingerprint(createPublicKey(readFileSync(join(dir, 'keys', 'verify-key.pem'))));
    const record = JSON.parse(readFileSync(join(dir, 'done-out', 'signoff.json'), 'utf8')) as Signoff;
    const signer = { fingerprint, signedAt: NOW.toISOString() };
    expect(record.snapshot.signature).toEqual(signer);
    expect(record.campaign?.signature).toEqual(signer);
    const html = readFileSync(join(dir, 'done-out', 'signoff.html'), 'utf8');
    const line = `signed by key <code>${fingerprint}</code> at 2026-11-25 09:00:00 UTC (signature checked)`;
    expect(html.match(/signed by key <code>[^<]+<\/code> at [^(]+\(signature checked\)/g)).toEqual([
      line,
      line,
    ]);
    const pack = (folder: string, out: string) =>
      cli([
        'evidence',
        'pack',
        '--out',
        out,
        '--snapshot',
        'q3.json',
        '--signoff',
        'done-out/signoff.json',
        '--plan',
        'done-out/revocation-plan.json',
        '--workbook',
        folder,
        '--campaign',
        `${folder}/campaign.json`,
        '--policy',
        'policy.yaml',
        ...signing,
      ]);
    const packed = await pack('done', 'done.zip');
    expect(packed.stderr).toBe('');
    expect(packed.code).toBe(0);
    const v = await cli(['evidence', 'verify', 'done.zip', ...VERIFY]);
    expect(v.stdout).toMatch(
      /^ok done\.zip: evidence pack, \d+ file\(s\) match the manifest; .*chain: \d+ link\(s\) hold\n/,
    );
    // campaign.json's own signature, from the split, checked on the packed bytes.
    expect(v.stdout).toMatch(
      /^ {2}campaign\/campaign\.json: campaign record signed by SHA256:\S+ at \S+ \(a given verify key\)$/m,
    );
    expect(v.code).toBe(0);
    // The signers the sign-off records held against the packed signatures (checked, not skipped).
    expect(v.stdout).not.toMatch(/not checked: signoff\.json \$\.(snapshot|campaign)\.signature/);
    const entries = readZip(readFileSync(join(dir, 'done.zip')));
    const manifest = JSON.parse(Buffer.from(entries.get('manifest.json')!).toString('utf8'));
    expect([...entries.keys()].filter((n) => n.startsWith('campaign/')).sort()).toEqual(
      [
        'campaign/campaign.json',
        'campaign/campaign.json.sig',
        ...campaign.reviewers.map((r) => `campaign/${r.workbook}`),
      ].sort(),
    );
    const links = manifest.chain.map(
      (c: { from: string; field: string; to: string; status: string }) =>
        `${c.from} ${c.field} -> ${c.to}: ${c.status}`,
    );
    expect(links).toEqual(
      expect.arrayContaining([
        'signoff.json $.campaign.sha256 -> campaign/campaign.json: ok',
        ...campaign.reviewers.map(
          (r, i) => `signoff.json $.campaign.workbooks[${i}].sha256 -> campaign/${r.workbook}: ok`,
        ),
        'campaign/campaign.json $.snapshot.sha256 -> snapshot.json: ok',
      ]),
    );
    expect(links.some((l: string) => l.includes('$.workbook.sha256'))).toBe(false);

    // A workbook other than the one merged (the blank one the split wrote) breaks the chain: refused.
    cpSync(join(dir, 'done'), join(dir, 'swapped-after'), { recursive: true });
    cpSync(
      join(dir, 'signed', campaign.reviewers[0]!.workbook),
      join(dir, 'swapped-after', campaign.reviewers[0]!.workbook),
    );
    const refused = await pack('swapped-after', 'swapped.zip');
    expect(refused.stderr).toContain(
      `these files are not one review cycle: signoff.json $.campaign.workbooks[0].sha256: signoff.json names sha256`,
    );
    expect(refused.code).toBe(2);
    expect(existsSync(join(dir, 'swapped.zip'))).toBe(false);
  });
});

describe('a signature file that never ends is refused, not read to exhaustion', () => {
  it('campaign.json.sig linked to /dev/zero: exit 2 naming it, in bounded time', async () => {
    const folder = edited('endless-sig', () => {});
    rmSync(join(dir, folder, 'campaign.json.sig'));
    symlinkSync('/dev/zero', join(dir, folder, 'campaign.json.sig'));
    const r = await status(folder, ...VERIFY);
    expect(r.stderr).toMatch(/endless-sig\/campaign\.json\.sig: .*more than the limit of 65,536 bytes/);
    expect(r.code).toBe(2);
  }, 20_000);

  it('campaign.json itself linked to /dev/zero: exit 2 naming it', async () => {
    const folder = edited('endless-campaign', () => {});
    rmSync(join(dir, folder, 'campaign.json'));
    symlinkSync('/dev/zero', join(dir, folder, 'campaign.json'));
    const r = await status(folder);
    expect(r.stderr).toMatch(/endless-campaign\/campaign\.json: .*more than the limit of/);
    expect(r.code).toBe(2);
  }, 20_000);
});

describe('evidence verify: a signature file that never ends', () => {
  it('is refused with the others checked, not read to exhaustion', async () => {
    const folder = edited('endless-verify', () => {});
    rmSync(join(dir, folder, 'campaign.json.sig'));
    symlinkSync('/dev/zero', join(dir, folder, 'campaign.json.sig'));
    const r = await cli(['evidence', 'verify', `${folder}/campaign.json`, 'signed/campaign.json', ...VERIFY]);
    expect(r.stderr).toMatch(
      /FAILED endless-verify\/campaign\.json\.sig: .*more than the limit of 65,536 bytes/,
    );
    expect(r.stdout).toMatch(/^ok signed\/campaign\.json: campaign record signed by /m);
    expect(r.code).toBe(2);
  }, 20_000);
});
