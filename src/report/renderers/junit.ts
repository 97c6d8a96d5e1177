/**
 * JUnit XML renderer for CI systems: one testsuite per rule, one testcase per finding plus one for the
 * subjects that passed. Only findings that fail the gate are <failure>s, so the CI's red count equals
 * the audit's exit-code decision; waived findings are <skipped> with the waiver; open findings below the
 * gate pass with their message in <system-out>. Each organization where the rule was not evaluated is
 * a <skipped> testcase ("not evaluated: no sign-in data"), never a pass.
 */

import { escapeXml } from '../../util/text-safety.js';
import type { FindingRow, ReportModel, RuleRow } from '../model.js';
import { controlsText } from './shared.js';

const t = (text: string) => escapeXml(text, false);

const a = escapeXml;

function findingCase(f: FindingRow): string {
  const name = `${f.orgName} / ${f.subjectType} ${f.subjectName}`;
  const open = `    <testcase classname="${a(f.ruleId)}" name="${a(name)}" time="0">`;
  const evidence = f.evidence.map((e) => `${e.name}=${e.value}`).join('\n');
  if (f.waived && f.waiver) {
    const w = f.waiver;
    const msg = `waived until ${w.expiresOn} by ${w.approver}${w.ticket ? ` (${w.ticket})` : ''}: ${w.reason}`;
    return `${open}\n      <skipped message="${a(msg)}"/>\n    </testcase>`;
  }
  if (f.gating) {
    return `${open}\n      <failure type="${f.severity}" message="${a(f.message)}">${t(`${f.severity.toUpperCase()}: ${f.message}\nkey: ${f.key}\n${evidence}`)}</failure>\n    </testcase>`;
  }
  return `${open}\n      <system-out>${t(`open, below the fail-on gate (${f.severity}): ${f.message}\n${evidence}`)}</system-out>\n    </testcase>`;
}

export function renderJunit(model: ReportModel): string {
  const byRule = new Map<string, FindingRow[]>();
  for (const g of model.findings) for (const r of g.rules) byRule.set(r.ruleId, r.findings);
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  const suites: string[] = [];
  for (const rule of model.rules) {
    const findings = byRule.get(rule.id) ?? [];
    const cases = findings.map(findingCase);
    for (const n of rule.notEvaluated) {
      cases.push(
        `    <testcase classname="${a(rule.id)}" name="${a(`${n.orgName}: not evaluated`)}" time="0">\n      <skipped message="${a(`not evaluated: ${n.reason}`)}"/>\n    </testcase>`,
      );
    }
    const sFail = findings.filter((f) => f.gating).length;
    const sSkip = findings.filter((f) => f.waived).length + rule.notEvaluated.length;
    // The summary pass case only for subjects that were checked: a rule not evaluated anywhere passed nothing.
    if (rule.passed > 0 || (findings.length === 0 && rule.notEvaluated.length === 0)) {
      cases.push(
        `    <testcase classname="${a(rule.id)}" name="${a(`${rule.passed} of ${rule.subjectsChecked} ${rule.subjectKind} subjects passed`)}" time="0"/>`,
      );
    }
    tests += cases.length;
    failures += sFail;
    skipped += sSkip;
    suites.push(
      [
        `  <testsuite name="${a(rule.id)}" tests="${cases.length}" failures="${sFail}" errors="0" skipped="${sSkip}" time="0" timestamp="${model.meta.generatedAt.replace(/\.\d+Z$/, '')}">`,
        `    <properties>`,
        ...properties(rule),
        `    </properties>`,
        ...cases,
        '  </testsuite>',
      ].join('\n'),
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${a(`${model.meta.tool.name}: ${model.meta.title}`)}" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function properties(rule: RuleRow): string[] {
  const props: Array<[string, string]> = [
    ['title', rule.title],
    ['severity', rule.severity],
    ['subjectKind', rule.subjectKind],
    ['enabled', String(rule.enabled)],
    ['subjectsChecked', String(rule.subjectsChecked)],
    ['references', rule.references.join('; ')],
    ['controls', controlsText(rule.controls)],
  ];
  return props.map(([k, v]) => `      <property name="${a(k)}" value="${a(v)}"/>`);
}
