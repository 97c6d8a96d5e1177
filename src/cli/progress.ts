import type { RetryEvent } from '../atlas/client.js';
import type { ProgressEvent } from '../collect/collect.js';
import type { CliContext } from './context.js';

/**
 * Progress on stderr: pages read and organizations done. Shown only on an interactive terminal and
 * without --quiet, so logs and pipes stay clean.
 */
export function progressReporter(
  ctx: CliContext,
  quiet: boolean,
): ((event: ProgressEvent) => void) | undefined {
  if (quiet || !ctx.stderrIsTTY) return undefined;
  let pages = 0;
  return (event) => {
    if (event.kind === 'page') {
      pages += 1;
      if (pages % 25 === 0) ctx.stderr(`\r${pages} pages read`);
    } else {
      ctx.stderr(
        `\r${pages} pages read; organization ${event.done}/${event.total} done: ${event.name} (${event.orgId})\n`,
      );
    }
  };
}

/**
 * Retries on stderr, one line each ("retry 2/5 in 1.3 s: nothing is listening at ... (connection
 * refused)"), so a terminal that waits shows why. Only on an interactive terminal and without --quiet.
 */
export function retryReporter(ctx: CliContext, quiet: boolean): ((event: RetryEvent) => void) | undefined {
  if (quiet || !ctx.stderrIsTTY) return undefined;
  return (e) => {
    ctx.stderr(
      `\rretry ${e.retry}/${e.maxRetries} in ${(e.delayMs / 1000).toFixed(1)} s: ${e.reason} (${e.endpoint})\n`,
    );
  };
}
