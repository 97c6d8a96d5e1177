/**
 * A real SMTP server on 127.0.0.1 (port 0) for the email tests, built on the `smtp-server` package,
 * plus a hand-written server that drops the connection in the middle of DATA. Every test starts its
 * own server and closes it; nothing leaves the machine.
 */
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { SmtpConnectionSettings } from '../../src/email/send.js';

const fixtures = new URL('../fixtures/email/', import.meta.url);
/** PEM of the test-only CA that signed the test server certificate (CN=localhost, IP 127.0.0.1). */
export const TEST_CA = readFileSync(new URL('test-ca.pem', fixtures), 'utf8');
const SERVER_KEY = readFileSync(new URL('server.key', fixtures));
const SERVER_CERT = readFileSync(new URL('server.pem', fixtures));

/** One message as the server received it. */
export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** Whether the session was encrypted (STARTTLS) when the message arrived. */
  secure: boolean;
  /** The authenticated user, if any. */
  user: string | null;
}

export interface TestServerOptions {
  /** Offer STARTTLS with the test certificate. */
  starttls?: boolean;
  /** Require AUTH with these credentials. */
  auth?: { user: string; pass: string };
  /** Recipients (lower-case addresses) the server refuses with 550. */
  rejectRecipients?: string[];
}

export interface TestServer {
  port: number;
  messages: ReceivedMessage[];
  /** Settings for sending to this server; override per test. */
  settings(overrides?: Partial<SmtpConnectionSettings>): SmtpConnectionSettings;
  close(): Promise<void>;
}

function baseSettings(port: number): SmtpConnectionSettings {
  return {
    host: '127.0.0.1',
    port,
    secure: false,
    starttls: 'opportunistic',
    user: null,
    password: null,
    caFile: null,
    ca: null,
    connectionTimeoutMs: 10_000,
    socketTimeoutMs: 10_000,
  };
}

/** Starts an smtp-server instance on 127.0.0.1 with an ephemeral port. */
export async function startSmtpServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const messages: ReceivedMessage[] = [];
  const reject = new Set((opts.rejectRecipients ?? []).map((a) => a.toLowerCase()));
  const options: SMTPServerOptions = {
    logger: false,
    disableReverseLookup: true,
    name: 'localhost',
    ...(opts.starttls ? { key: SERVER_KEY, cert: SERVER_CERT } : {}),
    disabledCommands: [...(opts.starttls ? [] : ['STARTTLS']), ...(opts.auth ? [] : ['AUTH'])],
    authOptional: !opts.auth,
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) {
        callback(null, { user: auth.username });
        return;
      }
      const error = new Error('5.7.8 Authentication credentials invalid') as Error & { responseCode: number };
      error.responseCode = 535;
      callback(error);
    },
    onRcptTo(address, _session, callback) {
      if (reject.has(address.address.toLowerCase())) {
        const error = new Error(
          `5.1.1 <${address.address}>: Recipient address rejected: User unknown`,
        ) as Error & {
          responseCode: number;
        };
        error.responseCode = 550;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : null,
        });
        callback(null);
      });
    },
  };
  const server = new SMTPServer(options);
  const port = await new Promise<number>((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.server.address() as AddressInfo).port);
    });
  });
  return {
    port,
    messages,
    settings: (overrides) => ({ ...baseSettings(port), ...overrides }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Starts a minimal SMTP server that greets, accepts the envelope, answers DATA with 354 and then
 * destroys the socket as soon as the first bytes of the message arrive: a server crash mid-session.
 */
export async function startDroppingServer(): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let inData = false;
    let buffer = '';
    socket.write('220 localhost ESMTP dropping test server\r\n');
    socket.on('data', (chunk: Buffer) => {
      if (inData) {
        socket.destroy();
        return;
      }
      buffer += chunk.toString('latin1');
      let index = buffer.indexOf('\r\n');
      while (index >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        const verb = line.split(' ')[0]!.toUpperCase();
        if (verb === 'EHLO') socket.write('250-localhost\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else socket.write('250 OK\r\n');
        index = buffer.indexOf('\r\n');
      }
    });
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    port,
    messages: [],
    settings: (overrides) => ({ ...baseSettings(port), ...overrides }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
