import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMessage,
  CONTENT_TYPES,
  composeMime,
  defaultSubject,
  type EmailMessageInput,
  writeEml,
} from '../../src/email/message.js';
import { ExitCode, OutputError, UsageError } from '../../src/errors.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const workbook = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31 + 7) % 256));
function input(overrides: Partial<EmailMessageInput> = {}): EmailMessageInput {
  return {
    from: { name: 'Review Bot', address: 'bot@example.com' },
    to: [{ name: '', address: 'security@example.com' }],
    subject: 'Quarterly review',
    html: '<p style="margin:0">Hello</p>',
    text: 'Hello\n',
    attachments: [{ filename: 'access-review.xlsx', content: workbook, contentType: CONTENT_TYPES.xlsx }],
    date: new Date('2026-11-23T00:00:00Z'),
    ...overrides,
  };
}

describe('defaultSubject', () => {
  const date = new Date('2026-11-23T22:59:00Z');
  it('names the org, the date and the verdict with critical and high counts', () => {
    expect(
      defaultSubject({ orgNames: ['Acme Prod'], date, openBySeverity: { high: 3, medium: 8, low: 1 } }),
    ).toBe('[Atlas access review] Acme Prod, 2026-11-23: 12 violations (3 high)');
    expect(
      defaultSubject({ orgNames: ['Acme Prod'], date, openBySeverity: { critical: 1, high: 2, low: 4 } }),
    ).toBe('[Atlas access review] Acme Prod, 2026-11-23: 7 violations (1 critical, 2 high)');
    expect(defaultSubject({ orgNames: ['Acme Prod'], date, openBySeverity: { low: 1 } })).toBe(
      '[Atlas access review] Acme Prod, 2026-11-23: 1 violation',
    );
  });

  it('says "no violations" when clean and counts several orgs', () => {
    expect(
      defaultSubject({ orgNames: ['A', 'B', 'C'], date: '2026-02-01T00:00:00Z', openBySeverity: {} }),
    ).toBe('[Atlas access review] 3 organizations, 2026-02-01: no violations');
  });

  it('says how many rules could not be evaluated, so "no violations" does not overstate', () => {
    expect(defaultSubject({ orgNames: ['Legacy'], date, openBySeverity: {}, notEvaluatedRules: 19 })).toBe(
      '[Atlas access review] Legacy, 2026-11-23: no violations; 19 rules not evaluated',
    );
    expect(
      defaultSubject({ orgNames: ['Legacy'], date, openBySeverity: { high: 1 }, notEvaluatedRules: 1 }),
    ).toBe('[Atlas access review] Legacy, 2026-11-23: 1 violation (1 high); 1 rule not evaluated');
  });

  it('keeps the subject on one line even when an org name from Atlas has a line break', () => {
    const subject = defaultSubject({ orgNames: ['Evil\r\nBcc: x@evil.com'], date, openBySeverity: {} });
    expect(subject).not.toMatch(/[\r\n]/);
    expect(() => buildMessage(input({ subject }))).not.toThrow();
  });
});

describe('buildMessage', () => {
  function usage(fn: () => unknown): UsageError {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return error as UsageError;
    }
    throw new Error('expected a UsageError');
  }

  it('rejects header injection in the subject, names and attachment names', () => {
    expect(usage(() => buildMessage(input({ subject: 'Review\r\nBcc: attacker@evil.com' }))).message).toMatch(
      /subject contains a line break/,
    );
    expect(usage(() => buildMessage(input({ subject: 'Review\nX-Evil: 1' }))).exitCode).toBe(ExitCode.usage);
    usage(() =>
      buildMessage(input({ from: { name: 'Bot\r\nBcc: a@evil.com', address: 'bot@example.com' } })),
    );
    usage(() =>
      buildMessage(
        input({
          attachments: [
            { filename: 'a.xlsx\r\nContent-Type: text/html', content: workbook, contentType: 'text/plain' },
          ],
        }),
      ),
    );
    usage(() =>
      buildMessage(
        input({ attachments: [{ filename: 'x', content: workbook, contentType: 'text/plain\r\nX: y' }] }),
      ),
    );
    usage(() =>
      buildMessage(
        input({ attachments: [{ filename: '../etc/passwd', content: workbook, contentType: 'text/plain' }] }),
      ),
    );
    usage(() => buildMessage(input({ to: [] })));
  });

  it('produces a message whose headers carry no injected lines', async () => {
    const raw = await composeMime(buildMessage(input({ subject: 'Review — ünïcode ✓' })));
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('latin1');
    expect(head).not.toMatch(/^Bcc:/im);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe('Review — ünïcode ✓');
  });
});

describe('writeEml', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aar-eml-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the exact MIME message: parseable, CRLF, attachments byte-identical', async () => {
    const path = join(dir, 'review.eml');
    const size = await writeEml(path, buildMessage(input()), { force: false });
    const raw = await readFile(path);
    expect(raw.length).toBe(size);
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/);
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe('Quarterly review');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('security@example.com');
    expect(mail.text).toBe('Hello\n');
    expect(mail.html).toBe('<p style="margin:0">Hello</p>');
    expect(mail.attachments).toHaveLength(1);
    expect(sha256(mail.attachments[0]!.content)).toBe(sha256(workbook));
  });

  it('refuses to overwrite without force (exit 4) and replaces with force', async () => {
    const path = join(dir, 'exists.eml');
    await writeFile(path, 'old');
    await expect(writeEml(path, buildMessage(input()), { force: false })).rejects.toBeInstanceOf(OutputError);
    expect(await readFile(path, 'utf8')).toBe('old');
    await writeEml(path, buildMessage(input()), { force: true });
    expect((await readFile(path, 'latin1')).startsWith('old')).toBe(false);
  });
});
