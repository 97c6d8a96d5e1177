/**
 * What `review apply` says, as text built from data: the dry-run listing, one line per logged call,
 * and the failures. Every value that came from Atlas or a file is passed through terminalSafe.
 */
import { writeOperations } from '../atlas/write-operations.js';
import { UsageError } from '../errors.js';
import type { Snapshot } from '../snapshot/schema.js';
import { terminalSafe } from '../util/terminal.js';
import type { ApplyLog, ApplyLogCall } from './apply.js';
import { formatCallLines, type RevocationPlan } from './plan.js';

/**
 * Refuses to apply a plan anywhere but the Atlas its snapshot was collected from (an org id elsewhere
 * answers 404, which would read as "already done"), and over any API but the Admin API v2.
 */
export function checkApplyTarget(source: Snapshot['source'], origin: string, snapshotFile: string): void {
  if (source.api !== 'atlas-v2')
    throw new UsageError(
      `${snapshotFile} was collected with --api ${source.api}; review apply speaks the Atlas Admin API v2 only`,
    );
  if (new URL(source.baseUrl).origin !== origin)
    throw new UsageError(
      `${origin} is not the Atlas ${snapshotFile} was collected from (${terminalSafe(source.baseUrl)}); a plan is applied only where it was made`,
      { hint: "set --base-url (or MONGODB_ATLAS_BASE_URL) to the snapshot's base URL" },
    );
}

/** The dry-run listing: every call numbered, with its purpose and body; candidates marked. */
export function formatDryRun(plan: RevocationPlan, planFile: string, origin: string): string {
  const calls = plan.identities.flatMap((i) => i.calls);
  const toSend = calls.filter((c) => !c.candidate).length;
  const roles = plan.rolesNeeded.join(', ') || 'none';
  const lines = [
    `review apply: dry run of ${terminalSafe(planFile)} against ${origin}: nothing is sent without --yes`,
    `${toSend} call(s) to send, ${calls.length - toSend} candidate(s) never sent; least role of the applying identity: ${roles}`,
    '',
  ];
  calls.forEach((c, i) => {
    // `  1. DELETE /api/...`, its purpose and body indented under it.
    const [first = '', ...rest] = formatCallLines(c, '      ');
    lines.push(
      `${`${i + 1}.`.padStart(5)} ${first.trimStart()}${c.candidate ? ' (skipped: a human chooses)' : ''}`,
    );
    lines.push(...rest);
  });
  if (calls.length === 0) lines.push('No calls: nothing to do.');
  return `${lines.join('\n')}\n`;
}

/** A one-line account of a logged call, for the terminal. */
export function formatCallOutcome(c: ApplyLogCall, total: number): string {
  const answer = c.status === null ? '' : ` ${c.status}${c.errorCode ? ` ${terminalSafe(c.errorCode)}` : ''}`;
  const why = c.reason ? ` (${terminalSafe(c.reason)})` : '';
  return `[${c.index}/${total}] ${c.outcome}${answer} ${c.method} ${terminalSafe(c.path)}: ${terminalSafe(c.purpose)}${why}\n`;
}

/** One line per failed call: the call, its operation, and Atlas's answer. */
export function formatFailures(log: ApplyLog): string[] {
  return log.calls
    .filter((c) => c.outcome === 'failed')
    .map((c) => {
      const op = writeOperations[c.operationId as keyof typeof writeOperations];
      const answer = c.status === null ? 'no HTTP response' : `HTTP ${c.status}`;
      const code = c.errorCode ? ` ${terminalSafe(c.errorCode)}` : '';
      const detail = c.detail ? `: ${terminalSafe(c.detail)}` : '';
      return `failed: ${c.method} ${terminalSafe(c.path)} (${op.method} ${op.path}): ${answer}${code}${detail}\n`;
    });
}
