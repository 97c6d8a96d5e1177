import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { buildMessage, CONTENT_TYPES, type EmailMessageInput } from '../../src/email/message.js';
import { sendMessage, transportOptions } from '../../src/email/send.js';
import { DeliveryError, ExitCode } from '../../src/errors.js';
import { startDroppingServer, startSmtpServer, TEST_CA, type TestServer } from './smtp-test-server.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

// Deterministic pseudo-random bytes: binary content exercises base64 with every byte value.
function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const xlsx = bytes(48_000, 7);
const reportHtml = Buffer.from(
  '<!doctype html><html><body><h1>Access review — Acme Prod</h1>é ü 日本</body></html>',
);

function input(overrides: Partial<EmailMessageInput> = {}): EmailMessageInput {
  return {
    from: { name: 'Atlas Review Bot', address: 'review-bot@example.com' },
    to: [{ name: 'Security Team', address: 'security@example.com' }],
    cc: [{ name: '', address: 'ciso@example.com' }],
    subject: '[Atlas access review] Acme Prod, 2026-11-23: 12 violations (3 high) — ünïcode',
    html: '<table role="presentation"><tr><td style="color:#b00">12 violations</td></tr></table>',
    text: '12 violations\n3 high\n',
    attachments: [
      { filename: 'access-review.xlsx', content: xlsx, contentType: CONTENT_TYPES.xlsx },
      { filename: 'access-review.html', content: reportHtml, contentType: CONTENT_TYPES.html },
    ],
    date: new Date('2026-11-23T08:00:00Z'),
    ...overrides,
  };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function expectDeliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the send to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  expect((error as DeliveryError).exitCode).toBe(ExitCode.delivery);
  return error as DeliveryError;
}

describe('sendMessage against a real SMTP server on 127.0.0.1', () => {
  it('delivers over plain SMTP: subject, both body parts and byte-identical attachments', async () => {
    server = await startSmtpServer();
    const receipt = await sendMessage(server.settings(), buildMessage(input()));
    expect(receipt.accepted).toEqual(['security@example.com', 'ciso@example.com']);
    expect(receipt.response).toMatch(/^250 /);

    expect(server.messages).toHaveLength(1);
    const received = server.messages[0]!;
    expect(received.from).toBe('review-bot@example.com');
    expect(received.to).toEqual(['security@example.com', 'ciso@example.com']);
    expect(received.secure).toBe(false);

    const mail = await simpleParser(received.raw);
    expect(mail.subject).toBe(input().subject);
    expect(mail.html).toBe(input().html);
    expect(mail.text).toBe(input().text);
    expect(mail.date?.toISOString()).toBe('2026-11-23T08:00:00.000Z');
    expect(mail.attachments.map((a) => [a.filename, a.contentType, sha256(a.content)])).toEqual([
      ['access-review.xlsx', CONTENT_TYPES.xlsx, sha256(xlsx)],
      ['access-review.html', 'text/html', sha256(reportHtml)],
    ]);
  });

  it('upgrades with STARTTLS and verifies the certificate through the custom CA', async () => {
    server = await startSmtpServer({ starttls: true });
    await sendMessage(server.settings({ ca: TEST_CA, starttls: 'required' }), buildMessage(input()));
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]!.secure).toBe(true);
  });

  it('upgrades opportunistically when STARTTLS is offered, and still verifies', async () => {
    server = await startSmtpServer({ starttls: true });
    await sendMessage(server.settings({ ca: TEST_CA }), buildMessage(input()));
    expect(server.messages[0]!.secure).toBe(true);
  });

  it('rejects the self-signed certificate without the CA: verification stays on', async () => {
    server = await startSmtpServer({ starttls: true });
    const error = await expectDeliveryError(
      sendMessage(server.settings({ starttls: 'required' }), buildMessage(input())),
    );
    expect(error.message).toMatch(/certificate/i);
    expect(error.hint).toMatch(/--smtp-ca/);
    expect(server.messages).toHaveLength(0);
  });

  it('with the default policy a failed STARTTLS upgrade is an error, not a plain-text fallback', async () => {
    server = await startSmtpServer({ starttls: true });
    await expectDeliveryError(
      sendMessage(server.settings({ starttls: 'opportunistic' }), buildMessage(input())),
    );
    expect(server.messages).toHaveLength(0);
  });

  it('refuses a server that does not offer STARTTLS when it is required', async () => {
    server = await startSmtpServer({ starttls: false });
    const error = await expectDeliveryError(
      sendMessage(server.settings({ starttls: 'required' }), buildMessage(input())),
    );
    expect(error.message).toMatch(/STARTTLS/);
    expect(server.messages).toHaveLength(0);
  });

  it('authenticates over STARTTLS', async () => {
    server = await startSmtpServer({ starttls: true, auth: { user: 'bot', pass: 'c0rrect-h0rse' } });
    const settings = server.settings({
      ca: TEST_CA,
      starttls: 'required',
      user: 'bot',
      password: 'c0rrect-h0rse',
    });
    await sendMessage(settings, buildMessage(input()));
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]!.user).toBe('bot');
    expect(server.messages[0]!.secure).toBe(true);
  });

  it('reports a failed AUTH with the server reply and without the password', async () => {
    server = await startSmtpServer({ starttls: true, auth: { user: 'bot', pass: 'c0rrect-h0rse' } });
    const password = 'wr0ng-passw0rd-XYZ';
    const settings = server.settings({ ca: TEST_CA, starttls: 'required', user: 'bot', password });
    const error = await expectDeliveryError(sendMessage(settings, buildMessage(input())));
    expect(error.message).toContain('535');
    expect(error.message).toContain('Authentication credentials invalid');
    expect(error.message).toContain('AUTH PLAIN');
    expect(error.message).toContain('[EAUTH]');
    const everything = `${error.message}\n${error.hint ?? ''}\n${error.stack ?? ''}`;
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(Buffer.from(`\u0000bot\u0000${password}`).toString('base64'));
    expect(server.messages).toHaveLength(0);
  });

  it('reports a rejected recipient with the server reply (exit 5)', async () => {
    server = await startSmtpServer({ rejectRecipients: ['security@example.com', 'ciso@example.com'] });
    const error = await expectDeliveryError(sendMessage(server.settings(), buildMessage(input())));
    expect(error.message).toContain('550');
    expect(error.message).toContain('Recipient address rejected');
    expect(error.hint).toMatch(/reports already written stay on disk/);
    expect(server.messages).toHaveLength(0);
  });

  it('treats a partially rejected recipient list as a failure and names who was refused', async () => {
    server = await startSmtpServer({ rejectRecipients: ['ciso@example.com'] });
    const error = await expectDeliveryError(sendMessage(server.settings(), buildMessage(input())));
    expect(error.message).toContain('rejected ciso@example.com');
    expect(error.message).toContain('accepted: security@example.com');
  });

  it('reports a server that drops the connection in the middle of DATA', async () => {
    server = await startDroppingServer();
    const error = await expectDeliveryError(sendMessage(server.settings(), buildMessage(input())));
    expect(error.message).toMatch(/SMTP delivery via 127\.0\.0\.1:\d+ failed/);
    // Which socket error wins the race (EPIPE, ECONNRESET, closed) varies; the class does not.
    expect(error.message).toMatch(/failed at connection: .*\[(ESOCKET|ECONNECTION)\]$/);
  });

  it('reports a refused connection', async () => {
    const closed = await startSmtpServer();
    const settings = closed.settings();
    await closed.close();
    const error = await expectDeliveryError(sendMessage(settings, buildMessage(input())));
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.hint).toMatch(/host, port/);
  });
});

describe('transportOptions', () => {
  const base = {
    host: 'smtp.example.com',
    port: 587,
    secure: false,
    user: null,
    password: null,
    caFile: null,
    ca: null,
    connectionTimeoutMs: 1000,
    socketTimeoutMs: 1000,
  } as const;

  it('always verifies certificates and never falls back after a failed upgrade', () => {
    for (const starttls of ['required', 'opportunistic', 'off'] as const) {
      const options = transportOptions({ ...base, starttls });
      expect(options.tls?.rejectUnauthorized).toBe(true);
      expect(options.opportunisticTLS).toBe(false);
    }
  });

  it('maps the STARTTLS modes', () => {
    expect(transportOptions({ ...base, starttls: 'required' })).toMatchObject({
      requireTLS: true,
      ignoreTLS: false,
    });
    expect(transportOptions({ ...base, starttls: 'opportunistic' })).toMatchObject({
      requireTLS: false,
      ignoreTLS: false,
    });
    expect(transportOptions({ ...base, starttls: 'off' })).toMatchObject({
      requireTLS: false,
      ignoreTLS: true,
    });
    expect(transportOptions({ ...base, secure: true, port: 465, starttls: 'required' })).toMatchObject({
      secure: true,
      requireTLS: false,
    });
  });
});
