/**
 * The command line a command records in what it writes (the snapshot's `collector.command`, a pack's
 * `command`): argv rebuilt from the parsed options, never the environment, with every value that could
 * carry a secret scrubbed. Rebuilt rather than copied from `process.argv` so the record is in one
 * stable order, holds the defaults that applied, and each value is known by its flag when it is scrubbed.
 */
import { redactSecrets } from '../errors.js';

const REDACTED = '[REDACTED]';

/** A flag whose name says it holds a secret: its value is never recorded. */
const SECRET_FLAG = /secret|passw|token|private|credential/i;

/** `scheme://user:pass@host`: the user information of a URL is replaced, the rest kept. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi;

/** One option value as it may be recorded. */
export function scrubOptionValue(flag: string, value: string): string {
  if (SECRET_FLAG.test(flag)) return REDACTED;
  return redactSecrets(value.replace(URL_USERINFO, `$1${REDACTED}@`));
}

/**
 * `prefix` and then every option of a yargs result as `--name value` (repeated for arrays; `--flag` for
 * true booleans), sorted by name; skipping yargs' own keys, the camelCase and one-letter alias copies,
 * unset and false values. Values pass through {@link scrubOptionValue}.
 */
export function optionsArgv(prefix: readonly string[], args: object): string[] {
  const out = [...prefix];
  const entries = Object.entries(args)
    .filter(([k]) => k !== '_' && k !== '$0' && k.length > 1 && !/[A-Z]/.test(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of entries) {
    if (v === undefined || v === false || v === null) continue;
    if (v === true) out.push(`--${k}`);
    else for (const item of Array.isArray(v) ? v : [v]) out.push(`--${k}`, scrubOptionValue(k, String(item)));
  }
  return out;
}
