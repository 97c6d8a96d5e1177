import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run-cli.js';
import { emailHtmlProblems } from '../../src/email/html-safety.js';
import { serializeSnapshot } from '../../src/snapshot/store.js';
import { fixtureSnapshot } from '../fixtures/report/estate.js';
import { startSmtpServer, TEST_CA, type TestServer } from './smtp-test-server.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let dir: string;
let snapshotFile: string;
let server: TestServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aar-email-cmd-'));
  snapshotFile = join(dir, 'snapshot.json');
  await writeFile(snapshotFile, serializeSnapshot(fixtureSnapshot()));
  await writeFile(join(dir, 'ca.pem'), TEST_CA);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function context(env: Record<string, string>): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    env,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stderrIsTTY: false,
    now: () => new Date('2026-11-25T06:00:00Z'),
    cwd: dir,
    exitCode: 0,
    out,
    err,
  };
}

describe('email <snapshot>', () => {
  it('audits, renders and sends over STARTTLS + AUTH; --eml carries the same HTML and JSON bytes', async () => {
    server = await startSmtpServer({ starttls: true, auth: { user: 'bot', pass: 'Sup3r-secret-pw' } });
    const ctx = context({
      SMTP_URL: `smtp://bot@127.0.0.1:${server.port}`,
      SMTP_PASSWORD: 'Sup3r-secret-pw',
    });
    const code = await runCli(
      [
        'email',
        'snapshot.json',
        '--email-to',
        'Security <security@example.com>',
        '--email-cc',
        'ciso@example.com',
        '--email-from',
        'bot@example.com',
        '--smtp-ca',
        'ca.pem',
        '--attach-json',
        '--fail-on',
        'never',
      ],
      ctx,
    );
    expect(ctx.err.join('')).toBe('');
    expect(code).toBe(0);
    expect(server.messages).toHaveLength(1);
    const received = server.messages[0]!;
    expect(received.secure).toBe(true);
    expect(received.to).toEqual(['security@example.com', 'ciso@example.com']);
    const mail = await simpleParser(received.raw);
    expect(mail.subject).toMatch(/^\[Atlas access review\] 2 organizations, 2026-11-25: /);
    expect(emailHtmlProblems(String(mail.html))).toEqual([]);
    expect(mail.text).toMatch(/\S/);
    expect(mail.attachments.map((a) => a.filename)).toEqual([
      'atlas-access-review-2026-11-25.xlsx',
      'atlas-access-review-2026-11-25.html',
      'atlas-access-review-2026-11-25.json',
    ]);
    // The same command with --eml renders the same attachments (renderers are deterministic for a fixed clock).
    const eml = await runCli(
      [
        'email',
        'snapshot.json',
        '--email-to',
        'security@example.com',
        '--email-from',
        'bot@example.com',
        '--attach-json',
        '--eml',
        'dry.eml',
        '--fail-on',
        'never',
      ],
      context({}),
    );
    expect(eml).toBe(0);
    const dry = await simpleParser(await readFile(join(dir, 'dry.eml')));
    expect(dry.attachments.map((a) => sha256(a.content)).slice(1)).toEqual(
      mail.attachments.map((a) => sha256(a.content)).slice(1),
    );
    expect(ctx.out.join('')).toMatch(
      /^sent ".*" to Security <security@example.com>, ciso@example.com via 127\.0\.0\.1/,
    );
  });

  it('exits 5 with the server reply and no password when AUTH fails', async () => {
    server = await startSmtpServer({ starttls: true, auth: { user: 'bot', pass: 'right-password' } });
    const ctx = context({ SMTP_URL: `smtp://bot@127.0.0.1:${server.port}`, SMTP_PASSWORD: 'Wr0ng-Pa55word' });
    const code = await runCli(
      [
        'email',
        'snapshot.json',
        '--email-to',
        'security@example.com',
        '--email-from',
        'bot@example.com',
        '--smtp-ca',
        'ca.pem',
      ],
      ctx,
    );
    expect(code).toBe(5);
    const err = ctx.err.join('');
    expect(err).toMatch(
      /^error: SMTP delivery via 127\.0\.0\.1:\d+ failed at AUTH PLAIN: server replied 535 /,
    );
    expect(err).not.toContain('Wr0ng-Pa55word');
    expect(ctx.out.join('')).not.toContain('Wr0ng-Pa55word');
  });

  it('--eml needs a sender like a send does (exit 2, nothing written), and never overwrites an input', async () => {
    const ctx = context({});
    const code = await runCli(
      ['email', 'snapshot.json', '--email-to', 'sec@example.com', '--eml', 'r.eml'],
      ctx,
    );
    expect(code).toBe(2);
    expect(ctx.err.join('')).toContain(
      'error: no sender address: --eml writes the exact message that would be sent, From included\nhint: pass --email-from',
    );
    await expect(readFile(join(dir, 'r.eml'))).rejects.toThrow();
    const self = context({ SMTP_FROM: 'bot@example.com' });
    const args = [
      'email',
      'snapshot.json',
      '--email-to',
      'sec@example.com',
      '--eml',
      'snapshot.json',
      '--force',
    ];
    expect(await runCli(args, self)).toBe(2);
    expect(self.err.join('')).toContain('--eml snapshot.json would overwrite the snapshot input file');
  });

  it('--previous adds the changes since that review to the summary and the attached report', async () => {
    const previous = fixtureSnapshot();
    previous.collectedAt = '2026-08-25T06:00:00.000Z';
    const org = previous.organizations[0]!;
    const leaver = org.users[0]!;
    org.users = org.users.slice(1);
    for (const t of org.teams) t.memberIds = t.memberIds.filter((id) => id !== leaver.id);
    await writeFile(join(dir, 'q3.json'), serializeSnapshot(previous));
    const ctx = context({ SMTP_FROM: 'bot@example.com' });
    const argv = ['email', 'snapshot.json', '--previous', 'q3.json', '--email-to', 'sec@example.com'];
    expect(await runCli([...argv, '--attach-json', '--eml', 'changes.eml', '--fail-on', 'never'], ctx)).toBe(
      0,
    );
    const mail = await simpleParser(await readFile(join(dir, 'changes.eml')));
    expect(mail.text).toContain('Since the previous review (snapshot collected 2026-08-25T06:00:00.000Z)');
    const json = JSON.parse(mail.attachments.find((a) => a.filename?.endsWith('.json'))!.content.toString());
    expect(json.changes.previous).toMatchObject({ file: 'q3.json' });
    const bad = context({ SMTP_FROM: 'bot@example.com' });
    await writeFile(join(dir, 'not-a-snapshot.json'), '{"schemaVersion": 2}');
    expect(
      await runCli(
        [
          'email',
          'snapshot.json',
          '--previous',
          'not-a-snapshot.json',
          '--email-to',
          'a@example.com',
          '--eml',
          'x.eml',
        ],
        bad,
      ),
    ).toBe(2);
    expect(bad.err.join('')).toMatch(/not-a-snapshot\.json: \$/);
    await expect(readFile(join(dir, 'x.eml'))).rejects.toThrow();
  });

  it('exits 2 before auditing on an injected header or a missing recipient', async () => {
    const ctx = context({ SMTP_URL: 'smtp://127.0.0.1:1' });
    expect(
      await runCli(
        [
          'email',
          'snapshot.json',
          '--email-to',
          'a@example.com',
          '--email-from',
          'b@example.com',
          '--email-subject',
          'x\nBcc: evil@example.com',
        ],
        ctx,
      ),
    ).toBe(2);
    expect(ctx.err.join('')).toMatch(/line break/);
    expect(await runCli(['email', 'snapshot.json', '--email-from', 'b@example.com'], context({}))).toBe(2);
  });
});
