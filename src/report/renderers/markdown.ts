/**
 * Markdown renderer for CI logs and pull-request comments: verdict, summary, organizations and the
 * findings. Findings are capped (GitHub comments stop at 65,536 characters); the cap is stated in the
 * output, never silent. Every Atlas value goes through escapeMarkdown.
 */

import { SEVERITY_ORDER } from '../../domain/severity.js';
import { coverageText } from '../../rules/requirements.js';
import { escapeMarkdown as e } from '../../util/text-safety.js';
import type { ReportChanges, ReportModel } from '../model.js';
import { databaseAccessLine } from './shared.js';

/** Findings listed individually before the rest are only counted. */
const MARKDOWN_MAX_FINDINGS = 150;

/** Escalations and resolved findings listed in the changes summary before the rest are only counted. */
const MARKDOWN_MAX_CHANGES = 20;

const ICON: Record<ReportModel['verdict']['status'], string> = { fail: '❌', attention: '⚠️', pass: '✅' };

export function renderMarkdown(model: ReportModel): string {
  const m = model;
  const s = m.summary;
  const f = s.findings;
  const out: string[] = [];
  out.push(`# ${e(m.meta.title)}`, '');
  out.push(`${ICON[m.verdict.status]} **${e(m.verdict.headline)}** (gate: ${e(m.verdict.gate)})`, '');
  out.push(
    `Collected ${m.meta.collectedAt} · generated ${m.meta.generatedAt} · snapshot sha256 \`${m.meta.snapshotSha256}\``,
    '',
    e(m.meta.evidence.statement),
    '',
  );
  const roster = m.meta.inputs.roster;
  if (roster)
    out.push(
      `Roster ${e(roster.file)}: ${roster.rows} ${roster.rows === 1 ? 'person' : 'people'} · sha256 \`${roster.sha256}\``,
      '',
    );
  out.push('| Open findings | Critical | High | Medium | Low | Waived | Failing the gate |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|');
  out.push(
    `| ${f.open} | ${SEVERITY_ORDER.map((sev) => f.openBySeverity[sev]).join(' | ')} | ${f.waived} | ${f.gating} |`,
    '',
  );
  const id = s.identities;
  out.push(
    `**Identities:** ${id.total} (${id.users} users, ${id.pendingInvitations} pending invitations, ${id.apiKeys} API keys, ${id.serviceAccounts} service accounts; ${id.nonHumanUsers} non-human users and ${id.systemManagedServiceAccounts} system-managed service accounts among them) · **project invitations:** ${id.projectInvitations} · **owners:** ${id.ownerUsers} human, ${id.ownerProgrammatic} programmatic · **waivers:** ${s.waivers.applied} applied, ${s.waivers.expired} expired, ${s.waivers.unused} unused`,
    '',
    `**${databaseAccessLine(m).replace(': ', ':** ')}`,
    '',
  );
  const ne = s.notEvaluated;
  if (ne.checks > 0)
    out.push(
      `**Not evaluated:** ${ne.rules} rule${ne.rules === 1 ? '' : 's'} in ${ne.organizations} organization${ne.organizations === 1 ? '' : 's'} (${ne.checks} rule check${ne.checks === 1 ? '' : 's'}): the snapshot lacks the data they need, so they are neither findings nor passes (listed under Not evaluated below).`,
      '',
    );
  if (m.changes) out.push(...changesSummary(m.changes));
  out.push(`## Organizations (${s.organizations})`, '');
  out.push('| Organization | Identities | Owners | Critical | High | Medium | Low | Evidence |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const o of m.organizations) {
    const ob = o.findings.openBySeverity;
    const coverage = !o.complete
      ? 'count mismatch'
      : o.missingCoverage.length > 0
        ? `partial: no ${coverageText(o.missingCoverage)}`
        : 'complete';
    const skipped = o.notEvaluated.reduce((n, g) => n + g.rules.length, 0);
    const evidence = skipped > 0 ? `${coverage}; ${skipped} not evaluated` : coverage;
    out.push(
      `| ${e(o.name)} | ${o.identities.total} | ${o.identities.ownerUsers + o.identities.ownerProgrammatic} | ${ob.critical} | ${ob.high} | ${ob.medium} | ${ob.low} | ${evidence} |`,
    );
  }
  out.push('');
  out.push(`## Findings (${f.total})`, '');
  if (f.total === 0) out.push('No rule fired on this snapshot.', '');
  let listed = 0;
  for (const g of m.findings) {
    out.push(
      `### ${g.severity[0]!.toUpperCase()}${g.severity.slice(1)} (${g.open} open, ${g.waived} waived)`,
      '',
    );
    for (const r of g.rules) {
      out.push(`#### ${e(r.title)} \`${r.ruleId}\` (${r.count})`, '');
      if (r.remediation) out.push(`**Remediation:** ${e(r.remediation)}`, '');
      if (r.references.length > 0) out.push(`**Controls:** ${r.references.map(e).join(' · ')}`, '');
      const shown = r.findings.slice(0, Math.max(0, MARKDOWN_MAX_FINDINGS - listed));
      if (shown.length > 0) {
        out.push('| Organization | Subject | Finding | Status |', '|---|---|---|---|');
        for (const x of shown) {
          const status = x.waived
            ? `waived until ${x.waiver?.expiresOn ?? '?'} (${e(x.waiver?.approver ?? '')})`
            : x.gating
              ? '**fails gate**'
              : 'open';
          const mark =
            x.sinceLastReview === 'new'
              ? ' · new'
              : x.sinceLastReview === 'still-open'
                ? ' · still open'
                : '';
          out.push(
            `| ${e(x.orgName)} | ${x.subjectType} ${e(x.subjectName)} | ${e(x.message)} | ${status}${mark} |`,
          );
        }
        out.push('');
        listed += shown.length;
      }
      if (shown.length < r.findings.length)
        out.push(
          `_${r.findings.length - shown.length} more not listed here; see the HTML or JSON report._`,
          '',
        );
    }
  }
  if (m.notEvaluated.length > 0) {
    out.push(`## Not evaluated (${m.notEvaluated.length})`, '');
    out.push(
      'These rules could not run in these organizations because the snapshot lacks the data they need. They are neither findings nor passes.',
      '',
    );
    out.push('| Organization | Rule | Status |', '|---|---|---|');
    for (const n of m.notEvaluated)
      out.push(`| ${e(n.orgName)} | ${e(n.ruleTitle)} \`${n.ruleId}\` | not evaluated: ${e(n.reason)} |`);
    out.push('');
  }
  const waiverIssues = m.waivers.filter((w) => w.status !== 'applied');
  if (waiverIssues.length > 0) {
    out.push(`## Waivers needing attention (${waiverIssues.length})`, '');
    out.push('| Status | Rule | Subject | Expires | Approver |', '|---|---|---|---|---|');
    for (const w of waiverIssues)
      out.push(
        `| ${w.status}${w.problem ? `: ${e(w.problem)}` : ''} | \`${w.ruleId}\` | ${e(w.subject)} | ${w.expiresOn} | ${e(w.approver)} |`,
      );
    out.push('');
  }
  out.push(
    `_Generated by ${m.meta.tool.name} ${m.meta.tool.version}; report schema v${m.reportSchemaVersion}._`,
    '',
  );
  return out.join('\n');
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** A short "Changes since the last review": counts, then the escalations and resolved findings (capped). */
function changesSummary(c: ReportChanges): string[] {
  const out: string[] = ['## Changes since the last review', ''];
  out.push(
    `Previous snapshot ${c.previous.file === null ? '' : `${e(c.previous.file)} `}collected ${c.previous.collectedAt} · sha256 \`${c.previous.snapshotSha256}\``,
    '',
  );
  const f = c.findings;
  out.push(
    `- **Findings:** ${f.new} new (${f.newOpen} open), ${f.stillOpen} still open, ${f.resolved} resolved · open findings ${signed(c.openDelta.total)}`,
  );
  const s = c.summary;
  out.push(
    `- **Identities:** ${s.joiners} joiner${s.joiners === 1 ? '' : 's'}, ${s.leavers} leaver${s.leavers === 1 ? '' : 's'} · roster ${signed(c.identitiesDelta)}`,
  );
  out.push(
    `- **Changes:** ${s.total}${s.byKind.length > 0 ? ` (${s.byKind.map((k) => `${k.change} ${k.count}`).join(', ')})` : ''}`,
  );
  out.push(`- **Privilege escalations:** ${s.escalations}`, '');
  const escalations = c.rows.filter((r) => r.escalation !== '');
  for (const r of escalations.slice(0, MARKDOWN_MAX_CHANGES))
    out.push(`- ⚠️ **${e(r.orgName)}** · ${e(r.subjectName)} (${r.change}): **${e(r.escalation)}**`);
  if (escalations.length > MARKDOWN_MAX_CHANGES)
    out.push(`- _${escalations.length - MARKDOWN_MAX_CHANGES} more escalations; see the HTML report._`);
  if (escalations.length > 0) out.push('');
  if (c.resolved.length > 0) {
    out.push(`**Resolved since the last review (${c.resolved.length}):**`, '');
    for (const r of c.resolved.slice(0, MARKDOWN_MAX_CHANGES))
      out.push(`- ${r.severity} \`${r.ruleId}\` · ${e(r.orgName)} · ${r.subjectType} ${e(r.subjectName)}`);
    if (c.resolved.length > MARKDOWN_MAX_CHANGES)
      out.push(`- _${c.resolved.length - MARKDOWN_MAX_CHANGES} more; see the HTML report._`);
    out.push('');
  }
  return out;
}
