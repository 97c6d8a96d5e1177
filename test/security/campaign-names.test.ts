/**
 * Hostile reviewer addresses against the names a campaign gives its files and the addresses it mails
 * (docs/review.md, "Campaigns"): every address from a roster, a policy or a Reassign's Comment is one
 * file of its own in the campaign folder, and a Reassign names one plain mailbox or nobody.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reviewerFileName } from '../../src/report/split.js';
import { reassignedWorkbookName } from '../../src/review/campaign-state.js';
import { reassignTarget } from '../../src/review/import.js';
import { addressFileSlug } from '../../src/util/address.js';

const hash16 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 16);

describe('reviewer workbook names (report --split-by reviewer)', () => {
  it('two addresses whose names would both read x-at-at-corp.com get names of their own', () => {
    expect(reviewerFileName('x-at@corp.com')).not.toBe(reviewerFileName('x@at-corp.com'));
  });

  it("a domain ending like a hash suffix cannot take another reviewer's hashed name", () => {
    const hashed = reviewerFileName('A@b.com');
    expect(hashed).toBe(`review-a-at-b.com-${hash16('A@b.com')}.xlsx`);
    expect(reviewerFileName(`a@b.com-${hash16('A@b.com')}`)).not.toBe(hashed);
  });

  it('hostile addresses are distinct plain lower-case names, never a path or a reserved name', () => {
    const hostile = [
      'alice@example.com',
      'Alice@example.com',
      'ALICE@EXAMPLE.COM',
      '../../etc/passwd@x.com',
      'a@..\\..\\windows',
      'CON',
      'nul@x',
      '=HYPERLINK("http://evil.example")@x.com',
      'a\r\nb@x.com',
      'bob\u202egnp.exe@x.com',
      'аlice@example.com',
      `${'a'.repeat(5000)}@${'b'.repeat(5000)}.com`,
    ];
    const names = hostile.map(reviewerFileName);
    expect(new Set(names).size).toBe(hostile.length);
    for (const n of names) {
      expect(n).toMatch(/^review-[a-z0-9._+-]+\.xlsx$/);
      expect(n.length).toBeLessThanOrEqual(255);
    }
  });
});

describe('follow-up workbook and reminder file names', () => {
  it('two mailboxes that slug alike do not share a reassigned workbook or a reminder file', () => {
    expect(reassignedWorkbookName("a'b@x.com")).not.toBe(reassignedWorkbookName('a_b@x.com'));
    expect(addressFileSlug("a'b@x.com")).not.toBe(addressFileSlug('a_b@x.com'));
    expect(reassignedWorkbookName('a_b@x.com')).toBe('reassigned-a_b@x.com.xlsx');
  });

  it('a slug is a file name part without a separator (the reassigned- or remind- prefix starts the name)', () => {
    for (const a of ['../../x@y.z', '.hidden@x.com', `${'z'.repeat(400)}@x.com`, 'a/b\\c@x.com'])
      expect(addressFileSlug(a)).toMatch(/^[A-Za-z0-9._@+-]{1,117}$/);
  });
});

describe('the new reviewer of a Reassign', () => {
  it('is one plain mailbox, normalised', () => {
    expect(reassignTarget('Bob <BOB@Example.com>')).toBe('bob@example.com');
    expect(reassignTarget('mailto:carol@example.com')).toBe('carol@example.com');
  });

  it('a list, a formula, a control or bidi character, or a header is nobody', () => {
    for (const c of [
      'x,y@evil.example',
      'bob@example.com;eve@evil.example',
      '=HYPERLINK("http://evil.example")@x.com',
      '=cmd|x@x.com',
      'bob@example.com\u202e',
      'bob\u0000@example.com',
      'bob@example.com\r\nBcc: eve@evil.example',
      '"eve evil"@example.com',
      '',
      null,
    ])
      expect(reassignTarget(c), JSON.stringify(c)).toBeNull();
  });
});
