import { describe, expect, it } from 'vitest';
import { parseAddress, parseAddressList, resolveSmtpSettings } from '../../src/email/settings.js';
import { ExitCode, redactSecrets, UsageError } from '../../src/errors.js';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(ExitCode.usage);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('resolveSmtpSettings', () => {
  it('reads SMTP_URL with the user and defaults to STARTTLS required when a password is sent', () => {
    const settings = resolveSmtpSettings(
      {},
      { SMTP_URL: 'smtp://bot@mail.example.com:587', SMTP_PASSWORD: 'pw-1234' },
    );
    expect(settings).toMatchObject({
      host: 'mail.example.com',
      port: 587,
      secure: false,
      starttls: 'required',
      user: 'bot',
      password: 'pw-1234',
      caFile: null,
    });
  });

  it('defaults smtps:// to port 465 with implicit TLS, and a URL password is decoded and registered', () => {
    const settings = resolveSmtpSettings(
      {},
      { SMTP_URL: 'smtps://bot%40corp:p%40ss%2Fw0rd!@mail.example.com' },
    );
    expect(settings).toMatchObject({ port: 465, secure: true, user: 'bot@corp', password: 'p@ss/w0rd!' });
    expect(redactSecrets('login p@ss/w0rd! and p%40ss%2Fw0rd!')).toBe('login [REDACTED] and [REDACTED]');
  });

  it('prefers SMTP_PASSWORD over the URL password and flags over URL parts', () => {
    const settings = resolveSmtpSettings(
      {
        smtpHost: 'relay.internal',
        smtpPort: 2525,
        smtpStarttls: 'off',
        smtpUser: 'other',
        smtpCa: 'ca.pem',
      },
      { SMTP_URL: 'smtp://bot:urlpw@mail.example.com:587', SMTP_PASSWORD: 'envpw-99' },
    );
    expect(settings).toMatchObject({
      host: 'relay.internal',
      port: 2525,
      starttls: 'off',
      user: 'other',
      password: 'envpw-99',
      caFile: 'ca.pem',
    });
  });

  it('works from flags alone without authentication (opportunistic STARTTLS)', () => {
    const settings = resolveSmtpSettings({ smtpHost: '10.0.0.5', smtpPort: 25 }, {});
    expect(settings).toMatchObject({
      host: '10.0.0.5',
      port: 25,
      starttls: 'opportunistic',
      user: null,
      password: null,
    });
    expect(resolveSmtpSettings({ smtpHost: 'h', smtpPort: 465 }, {}).secure).toBe(true);
  });

  it('refuses incomplete or invalid settings with exit 2 and never echoes the password', () => {
    expect(usageError(() => resolveSmtpSettings({}, {})).message).toMatch(/no SMTP server/);
    expect(usageError(() => resolveSmtpSettings({ smtpHost: 'h', smtpUser: 'u' }, {})).hint).toMatch(
      /SMTP_PASSWORD/,
    );
    expect(
      usageError(() => resolveSmtpSettings({ smtpHost: 'h' }, { SMTP_PASSWORD: 'lonely-pw' })).message,
    ).toMatch(/no user/);
    expect(
      usageError(() => resolveSmtpSettings({}, { SMTP_URL: 'https://mail.example.com' })).message,
    ).toMatch(/smtp:\/\/ or smtps:\/\//);
    const bad = usageError(() => resolveSmtpSettings({}, { SMTP_URL: 'smtp://u:s3cret-in-url@' }));
    expect(bad.message).not.toContain('s3cret-in-url');
    expect(usageError(() => resolveSmtpSettings({ smtpHost: 'h', smtpPort: 70000 }, {})).message).toMatch(
      /port/,
    );
    expect(
      usageError(() => resolveSmtpSettings({ smtpHost: 'evil.com\r\nRCPT TO:<x@y>' }, {})).message,
    ).toMatch(/host/);
    expect(
      usageError(() =>
        resolveSmtpSettings({ smtpHost: 'h', smtpUser: 'u\r\nX: y' }, { SMTP_PASSWORD: 'pw-5678' }),
      ).message,
    ).toMatch(/user/);
  });
});

describe('parseAddressList', () => {
  it('accepts bare addresses, display names and comma-separated lists, deduplicated', () => {
    expect(
      parseAddressList(
        ['sec@example.com, "Ops, EU" <ops@example.org>', 'SEC@example.com', 'CISO <ciso@example.com>'],
        '--email-to',
      ),
    ).toEqual([
      { name: '', address: 'sec@example.com' },
      { name: 'Ops, EU', address: 'ops@example.org' },
      { name: 'CISO', address: 'ciso@example.com' },
    ]);
  });

  it('rejects invalid addresses with the flag name', () => {
    expect(usageError(() => parseAddressList(['not-an-address'], '--email-to')).message).toMatch(
      /--email-to: "not-an-address" is not a valid email address/,
    );
    expect(usageError(() => parseAddressList(['a@b'], '--email-cc')).message).toMatch(/--email-cc/);
    expect(usageError(() => parseAddressList(['team: a@x.org, b@x.org;'], '--email-to')).message).toMatch(
      /groups/,
    );
    expect(usageError(() => parseAddress('a@x.org, b@x.org', '--email-from')).message).toMatch(/exactly one/);
  });

  it('rejects header injection through CR/LF in addresses and names', () => {
    for (const attempt of [
      'sec@example.com\r\nBcc: attacker@evil.com',
      'sec@example.com\nBcc: attacker@evil.com',
      '"Sec\r\nBcc: attacker@evil.com" <sec@example.com>',
      'sec@example.com\u2028Bcc: attacker@evil.com',
      'sec@example.com\u0000',
    ]) {
      expect(usageError(() => parseAddressList([attempt], '--email-to')).message).toMatch(
        /line break or control/,
      );
    }
  });
});
