/**
 * Typed errors. Each known failure carries the context a user needs and maps to one exit code
 * (see README "Exit codes"); the mapping itself happens only in src/cli. Secrets are redacted
 * where an error is built, so no later printing can leak them.
 */

export const ExitCode = {
  ok: 0,
  violations: 1,
  usage: 2,
  api: 3,
  output: 4,
  delivery: 5,
  bug: 70,
  /** SIGINT or SIGTERM; writes in progress were undone. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class of every error the tool expects and explains in one line. */
export abstract class KnownError extends Error {
  abstract readonly exitCode: ExitCode;
  /** Optional second line: what to do about it. */
  readonly hint: string | undefined;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(redactSecrets(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint === undefined ? undefined : redactSecrets(options.hint);
  }
}

/** Bad command-line usage: unknown values, missing credentials, invalid org ids. Exit 2. */
export class UsageError extends KnownError {
  readonly exitCode = ExitCode.usage;
}

/** An input file (snapshot, rules, policy, waivers, workbook) is unreadable or invalid. Exit 2. */
export class InputError extends KnownError {
  readonly exitCode = ExitCode.usage;
  constructor(
    readonly file: string,
    /** JSONPath-like location, e.g. `$.organizations[0].users[3].lastAuth`; `$` for the whole file. */
    readonly jsonPath: string,
    readonly problem: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    // A problem with the whole file names no location (`$` would only puzzle the reader).
    super(jsonPath === '$' ? `${file}: ${problem}` : `${file}: ${jsonPath}: ${problem}`, options);
  }
}

/** Atlas API, auth or network failure; the collection is incomplete and nothing was written. Exit 3. */
export class AtlasApiError extends KnownError {
  readonly exitCode = ExitCode.api;
  constructor(
    readonly details: {
      /** `METHOD /path/{template}` of the failed operation. */
      endpoint: string;
      /** HTTP status, or null for a network failure or timeout. */
      status: number | null;
      errorCode: string | null;
      detail: string | null;
    },
    options?: { hint?: string; cause?: unknown },
  ) {
    let message: string;
    if (details.status !== null && details.status < 300 && details.errorCode === null) {
      // Atlas answered, but with data that cannot be used (an org not visible, a body that does not fit):
      // "failed with HTTP 200" would read as a contradiction.
      message = `${details.endpoint}: ${details.detail ?? 'unusable answer'}`;
    } else {
      const parts = [`${details.endpoint} failed`];
      parts.push(details.status === null ? '(no HTTP response)' : `with HTTP ${details.status}`);
      if (details.errorCode) parts.push(details.errorCode);
      message = parts.join(' ');
      if (details.detail) message += `: ${details.detail}`;
    }
    super(message, options);
  }
}

/** Refused to write: the output exists and `--force` was not given, or it is not writable. Exit 4. */
export class OutputError extends KnownError {
  readonly exitCode = ExitCode.output;
}

/** Report delivery (SMTP) failed; the reports already written stay on disk. Exit 5. */
export class DeliveryError extends KnownError {
  readonly exitCode = ExitCode.delivery;
}

const SECRET_PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bBasic\s+[A-Za-z0-9+/=]{8,}/gi,
  /\bmdb_sa_sk_[A-Za-z0-9]+/g,
  /(access_token|client_secret|password|privateKey|private_key)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
  /(response=")[0-9a-f]{32,}(")/gi,
];

/** Values registered at run time (the actual credentials in use) are redacted wherever they appear. */
const registeredSecrets = new Set<string>();

/** Registers a secret (a client secret, private key or token) so that no error or log can show it. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) registeredSecrets.add(value);
}

/** Replaces known secret values and secret-looking tokens with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registeredSecrets) out = out.split(secret).join('[REDACTED]');
  out = out.replace(SECRET_PATTERNS[0]!, 'Bearer [REDACTED]');
  out = out.replace(SECRET_PATTERNS[1]!, 'Basic [REDACTED]');
  out = out.replace(SECRET_PATTERNS[2]!, 'mdb_sa_sk_[REDACTED]');
  out = out.replace(SECRET_PATTERNS[3]!, '$1$2[REDACTED]');
  out = out.replace(SECRET_PATTERNS[4]!, '$1[REDACTED]$2');
  return out;
}

/**
 * Atlas answered, but with data that does not fit: a body that fails its wire schema, a listing over
 * the caps or looping, an organization that is not visible, a value that cannot be normalised. Not an
 * HTTP failure (so no status): the collection is incomplete and nothing is written. Exit 3.
 */
export class CollectionError extends KnownError {
  readonly exitCode = ExitCode.api;
  constructor(
    readonly details: {
      /** `METHOD /path/{template}` of the operation whose answer did not fit (or `collection`). */
      endpoint: string;
      /** JSONPath-like location of the value in the answer, e.g. `$.results[3].id`; null: the answer as a whole. */
      jsonPath: string | null;
      /** What was wrong, in words. */
      problem: string;
    },
    options?: { hint?: string; cause?: unknown },
  ) {
    const { endpoint, jsonPath, problem } = details;
    super(
      jsonPath === null
        ? `${endpoint}: ${problem}`
        : `${endpoint}: unexpected response body at ${jsonPath}: ${problem}`,
      options,
    );
  }
}
