/**
 * The one place that words the CI gate's verdict. The report model (HTML, XLSX Summary, Markdown,
 * email, JSON) and the audit's text, Markdown and GitHub formats all take their words from here, so
 * a verdict never says "below the high gate" of findings that a baseline accepted, nor "below the
 * never gate" when the gate is off (README, "CI gate").
 */

import type { FailOn, Severity } from '../domain/severity.js';
import { meetsFailOn, SEVERITY_ORDER } from '../domain/severity.js';
import type { AuditResult, Finding } from './types.js';

/** The gate's verdict, in data and in words. */
export interface GateVerdict {
  /** fail when the gate fails; attention when open findings remain that do not fail it; pass otherwise. */
  status: 'pass' | 'attention' | 'fail';
  failOn: FailOn;
  /** Findings that fail the gate. */
  failing: number;
  /** One line, e.g. "PASS: 7 high findings accepted by the baseline (accepted.json)". */
  headline: string;
  /** The gate itself: "fail on high", or "off (--fail-on never)". */
  gate: string;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "fail on high", or "off (--fail-on never)": how every format names the gate. */
function gateWords(failOn: FailOn): string {
  return failOn === 'never' ? 'off (--fail-on never)' : `fail on ${failOn}`;
}

/** "7 high findings", "1 new finding", or "5 findings (3 high, 2 medium)", most severe first. */
function describe(findings: readonly Finding[], adjective: string): string {
  const counts = new Map<Severity, number>();
  for (const f of findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const present = SEVERITY_ORDER.filter((s) => counts.has(s));
  const a = adjective ? `${adjective} ` : '';
  if (present.length === 1)
    return plural(findings.length, `${a}${present[0]} finding`, `${a}${present[0]} findings`);
  const split = present.map((s) => `${counts.get(s)} ${s}`).join(', ');
  return `${plural(findings.length, `${a}finding`, `${a}findings`)} (${split})`;
}

/**
 * Words the gate of an audit. Open findings that do not fail the gate are named for why they do not:
 * accepted by the baseline (`--baseline`), below the threshold, or the gate is off (`--fail-on never`).
 */
export function gateVerdict(audit: AuditResult): GateVerdict {
  const { failOn, failing, failed } = audit.gate;
  const open = audit.findings.filter((f) => !f.waived);
  // The file as a reader knows it (the CLI resolves it to an absolute path).
  const baseline = audit.inputs.baselineFile?.split(/[\\/]/).pop() ?? null;
  const accepted = baseline ? open.filter((f) => !f.isNew) : [];
  const fresh = open.filter((f) => f.isNew);
  const status: GateVerdict['status'] = failed ? 'fail' : open.length > 0 ? 'attention' : 'pass';
  const acceptedText = accepted.length
    ? `${describe(accepted, '')} accepted by the baseline (${baseline})`
    : '';
  let headline: string;
  if (failOn === 'never') {
    headline = `GATE OFF (--fail-on never): ${open.length ? plural(open.length, 'open finding', 'open findings') : 'no open findings'}`;
  } else if (failed) {
    const failingText = plural(
      failing,
      baseline ? 'new finding' : 'open finding',
      baseline ? 'new findings' : 'open findings',
    );
    headline = `FAIL: ${failingText} at or above ${failOn}${acceptedText ? `; ${acceptedText}` : ''}`;
  } else if (open.length === 0) {
    headline = 'PASS: no open findings';
  } else if (!baseline) {
    headline = `PASS with ${plural(open.length, 'open finding', 'open findings')} below the ${failOn} gate`;
  } else {
    // Every new open finding is below the threshold here (the gate passed).
    const below = fresh.filter((f) => !meetsFailOn(f.severity, failOn));
    const parts = [acceptedText, below.length ? `${describe(below, 'new')} below the ${failOn} gate` : ''];
    headline = `PASS: ${parts.filter(Boolean).join('; ')}`;
  }
  return { status, failOn, failing, headline, gate: gateWords(failOn) };
}

/** The stderr line of a failed gate: "3 unwaived findings at or above high" ("new" ones with a baseline). */
export function gateFailureText(audit: AuditResult): string {
  const { failing, failOn } = audit.gate;
  const kind = audit.inputs.baselineFile ? 'unwaived new' : 'unwaived';
  return `${plural(failing, `${kind} finding`, `${kind} findings`)} at or above ${failOn}`;
}
