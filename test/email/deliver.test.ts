import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import {
  type DeliveryPlan,
  deliverReport,
  prepareDelivery,
  type ReportFile,
} from '../../src/cli/email-options.js';
import { emailHtmlProblems, MAX_EMAIL_HTML_BYTES } from '../../src/email/html-safety.js';
import { CONTENT_TYPES } from '../../src/email/message.js';
import { DeliveryError, ExitCode, InputError, OutputError, UsageError } from '../../src/errors.js';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { renderEmailSummary } from '../../src/report/renderers/email-summary.js';
import type { Snapshot } from '../../src/snapshot/schema.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { startSmtpServer, TEST_CA, type TestServer } from './smtp-test-server.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function model(hostile = false): ReportModel {
  const snapshot = fixtureSnapshot({ hostile });
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot),
    generatedAt: FIXED_NOW,
  });
}

/** A large estate: 20 orgs with long names and 6,000 findings, to bound the email body size. */
function largeModel(): ReportModel {
  const base = fixtureSnapshot({ hostile: true });
  const audit = fixtureAudit(base);
  const hex = (n: number) => n.toString(16).padStart(24, '0');
  const organizations = Array.from({ length: 20 }, (_, i) => ({
    ...base.organizations[i % 2]!,
    id: hex(0xa000 + i),
    name: `Organization ${i} ${'with a very long descriptive name '.repeat(3)}`,
  }));
  const snapshot: Snapshot = { ...base, organizations };
  const findings = Array.from({ length: 6000 }, (_, i) => {
    const f = audit.findings[i % audit.findings.length]!;
    const org = organizations[i % organizations.length]!;
    return {
      ...f,
      orgId: org.id,
      orgName: org.name,
      subject: { ...f.subject, id: `${f.subject.id}-${i}`, name: `${f.subject.name}-${i}` },
      key: `${f.key}-${i}`,
    };
  });
  const bigAudit: AuditResult = {
    ...audit,
    findings,
    summary: { ...audit.summary, total: findings.length, open: findings.filter((f) => !f.waived).length },
  };
  return buildReportModel({ snapshot, snapshotSha256: FIXED_SHA, audit: bigAudit, generatedAt: FIXED_NOW });
}

const xlsx = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 131 + 17) % 256));
const files = (m: ReportModel): ReportFile[] => [
  { kind: 'xlsx', filename: '/tmp/out/access-review.xlsx', content: xlsx },
  { kind: 'html', filename: 'access-review.html', content: Buffer.from(`<html>${m.meta.title}</html>`) },
  { kind: 'json', filename: 'access-review.json', content: Buffer.from(JSON.stringify(m)) },
];

function ctx(env: Record<string, string> = {}, cwd = tmpdir()) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    env,
    cwd,
    now: () => new Date('2026-11-25T05:00:00Z'),
    stdout: (t: string) => out.push(t),
    stderr: (t: string) => err.push(t),
    out,
    err,
  };
}

let dir: string;
let server: TestServer | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aar-deliver-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the email summary body', () => {
  it('is email-safe and under 100 KB, even for 20 orgs and 6,000 findings with hostile names', () => {
    for (const m of [model(), model(true), largeModel()]) {
      const { html, text } = renderEmailSummary(m);
      expect(emailHtmlProblems(html)).toEqual([]);
      expect(Buffer.byteLength(html)).toBeLessThan(MAX_EMAIL_HTML_BYTES);
      expect(html).toMatch(/style="/);
      expect(text.length).toBeGreaterThan(0);
    }
  });

  it('the safety check catches what mail clients drop', () => {
    expect(emailHtmlProblems('<p>ok</p>')).toEqual([]);
    expect(emailHtmlProblems('<script>x</script>')).toContain('contains a <script> element');
    expect(emailHtmlProblems('<img src="https://tracker.example/p.gif">')).toHaveLength(1);
    expect(emailHtmlProblems('<td style="background:url(//x.example/a.png)">')).toHaveLength(1);
    expect(emailHtmlProblems('<a href="#" onclick="x()">')).toHaveLength(1);
    expect(emailHtmlProblems(`<p>${'x'.repeat(MAX_EMAIL_HTML_BYTES)}</p>`)[0]).toMatch(/over the/);
  });
});

describe('prepareDelivery', () => {
  const smtpEnv = { SMTP_URL: 'smtp://bot@mail.example.com:587', SMTP_PASSWORD: 'pw-abcdef' };

  it('validates addresses and settings before any work', async () => {
    const plan = await prepareDelivery(
      {
        'email-to': ['sec@example.com,ops@example.com'],
        'email-cc': ['ciso@example.com'],
        'email-from': 'bot@example.com',
      },
      ctx(smtpEnv),
    );
    expect(plan.to.map((m) => m.address)).toEqual(['sec@example.com', 'ops@example.com']);
    expect(plan.target).toMatchObject({
      kind: 'smtp',
      settings: { host: 'mail.example.com', starttls: 'required' },
    });
  });

  it('takes the sender from SMTP_FROM, else from an address-shaped SMTP user', async () => {
    const c = ctx({ ...smtpEnv, SMTP_FROM: 'Reviews <reviews@example.com>' });
    expect((await prepareDelivery({ 'email-to': ['a@example.com'] }, c)).from).toEqual({
      name: 'Reviews',
      address: 'reviews@example.com',
    });
    const c2 = ctx({ SMTP_URL: 'smtp://bot%40example.com@mail.example.com', SMTP_PASSWORD: 'pw-abcdef' });
    expect((await prepareDelivery({ 'email-to': ['a@example.com'] }, c2)).from.address).toBe(
      'bot@example.com',
    );
    await expect(prepareDelivery({ 'email-to': ['a@example.com'] }, ctx(smtpEnv))).rejects.toThrow(
      /no sender/,
    );
  });

  it('refuses bad input with exit 2 and an existing --eml with exit 4', async () => {
    const base = { 'email-to': ['a@example.com'], 'email-from': 'bot@example.com' };
    await expect(
      prepareDelivery({ ...base, 'email-subject': 'x\r\nBcc: e@evil.com' }, ctx(smtpEnv)),
    ).rejects.toThrow(UsageError);
    await expect(prepareDelivery({ ...base, 'email-to': ['nope'] }, ctx(smtpEnv))).rejects.toThrow(
      UsageError,
    );
    await expect(prepareDelivery(base, ctx({}))).rejects.toThrow(/no SMTP server/);
    await writeFile(join(dir, 'notpem.txt'), 'hello');
    await expect(prepareDelivery({ ...base, 'smtp-ca': 'notpem.txt' }, ctx(smtpEnv, dir))).rejects.toThrow(
      InputError,
    );
    await expect(prepareDelivery({ ...base, 'smtp-ca': 'missing.pem' }, ctx(smtpEnv, dir))).rejects.toThrow(
      /file not found/,
    );
    await writeFile(join(dir, 'taken.eml'), 'x');
    const refused = await prepareDelivery({ ...base, eml: 'taken.eml' }, ctx({}, dir)).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(OutputError);
    expect((refused as OutputError).exitCode).toBe(ExitCode.output);
    // --eml needs no SMTP settings at all.
    expect((await prepareDelivery({ ...base, eml: 'new.eml' }, ctx({}, dir))).target.kind).toBe('eml');
  });
});

describe('deliverReport', () => {
  async function plan(
    args: Parameters<typeof prepareDelivery>[0],
    env: Record<string, string>,
  ): Promise<DeliveryPlan> {
    return prepareDelivery({ 'email-from': 'Review Bot <bot@example.com>', ...args }, ctx(env, dir));
  }

  it('sends the summary with the workbook and HTML report attached, byte-identical', async () => {
    server = await startSmtpServer({ starttls: true, auth: { user: 'bot', pass: 'pw-abcdef' } });
    await writeFile(join(dir, 'ca.pem'), TEST_CA);
    const env = { SMTP_URL: `smtp://bot@127.0.0.1:${server.port}`, SMTP_PASSWORD: 'pw-abcdef' };
    const m = model(true);
    const c = ctx(env, dir);
    const p = await plan({ 'email-to': ['security@example.com'], 'smtp-ca': 'ca.pem' }, env);
    const outcome = await deliverReport(p, { model: m, files: files(m) }, c);
    expect(outcome.kind).toBe('smtp');

    const received = server.messages[0]!;
    expect(received.secure).toBe(true);
    const mail = await simpleParser(received.raw);
    const summary = renderEmailSummary(m);
    expect(mail.subject).toBe(outcome.subject);
    expect(mail.subject).toMatch(/^\[Atlas access review\] 2 organizations, 2026-11-25: \d+ violations/);
    expect(mail.html).toBe(summary.html);
    expect(mail.text).toBe(summary.text);
    expect(mail.attachments.map((a) => [a.filename, a.contentType, sha256(a.content)])).toEqual([
      ['access-review.xlsx', CONTENT_TYPES.xlsx, sha256(xlsx)],
      ['access-review.html', 'text/html', sha256(files(m)[1]!.content)],
    ]);
    expect(c.out.join('')).toMatch(
      /^sent "\[Atlas access review\].*" to security@example.com via 127\.0\.0\.1:\d+ \(250 /,
    );
  });

  it('attaches the JSON report on request and honours --email-subject', async () => {
    server = await startSmtpServer();
    const env = { SMTP_URL: `smtp://127.0.0.1:${server.port}` };
    const m = model();
    const p = await plan(
      { 'email-to': ['security@example.com'], 'attach-json': true, 'email-subject': 'Q4 access review' },
      env,
    );
    await deliverReport(p, { model: m, files: files(m) }, ctx(env, dir));
    const mail = await simpleParser(server.messages[0]!.raw);
    expect(mail.subject).toBe('Q4 access review');
    expect(mail.attachments.map((a) => a.filename)).toEqual([
      'access-review.xlsx',
      'access-review.html',
      'access-review.json',
    ]);
    expect(sha256(mail.attachments[2]!.content)).toBe(sha256(files(m)[2]!.content));
  });

  it('fails with exit 5 and the server reply when the recipient is rejected', async () => {
    server = await startSmtpServer({ rejectRecipients: ['security@example.com'] });
    const env = { SMTP_URL: `smtp://127.0.0.1:${server.port}` };
    const m = model();
    const p = await plan({ 'email-to': ['security@example.com'] }, env);
    const error = await deliverReport(p, { model: m, files: files(m) }, ctx(env, dir)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).exitCode).toBe(ExitCode.delivery);
    expect((error as DeliveryError).message).toMatch(/550 5\.1\.1 <security@example.com>/);
  });

  it('by default will not send a password to a server that does not offer STARTTLS (stripping)', async () => {
    server = await startSmtpServer({ starttls: false });
    const env = { SMTP_URL: `smtp://bot@127.0.0.1:${server.port}`, SMTP_PASSWORD: 'never-in-clear' };
    const m = model();
    const p = await plan({ 'email-to': ['security@example.com'] }, env);
    const error = await deliverReport(p, { model: m, files: files(m) }, ctx(env, dir)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toMatch(/at STARTTLS/);
    expect(server.messages).toHaveLength(0);
  });

  it('writes the exact message to --eml instead of sending', async () => {
    const m = model();
    const c = ctx({}, dir);
    const p = await plan({ 'email-to': ['security@example.com'], eml: 'review.eml' }, {});
    const outcome = await deliverReport(p, { model: m, files: files(m) }, c);
    expect(outcome).toMatchObject({ kind: 'eml', path: join(dir, 'review.eml') });
    const raw = await readFile(join(dir, 'review.eml'));
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe(outcome.subject);
    expect(mail.html).toBe(renderEmailSummary(m).html);
    expect(mail.date?.toISOString()).toBe('2026-11-25T05:00:00.000Z');
    expect(sha256(mail.attachments[0]!.content)).toBe(sha256(xlsx));
    expect(c.out.join('')).toMatch(/not sent/);
  });
});
