import type { AuditResult, Finding, NotEvaluated } from '../types.js';
import type { SnapshotMeta } from './index.js';
import { notEvaluatedText } from './not-evaluated.js';
import { xmlEscape as x } from './xml.js';

/**
 * `--format junit`: one testsuite per enabled rule; `tests` counts one case per rule and subject
 * checked plus one per organization where the rule was not evaluated, `failures` the unwaived
 * findings, `skipped` the waived ones and the not-evaluated organizations (a skip, never a pass).
 * Each finding is a testcase; the subjects that passed are summarised in one passing testcase
 * (listing each would add 50,000 lines that say nothing).
 */
export function renderJunit(result: AuditResult, snapshot: SnapshotMeta): string {
  const byRule = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const list = byRule.get(f.ruleId) ?? [];
    list.push(f);
    byRule.set(f.ruleId, list);
  }
  const notEvaluated = new Map<string, NotEvaluated[]>();
  for (const n of result.notEvaluated) notEvaluated.set(n.ruleId, [...(notEvaluated.get(n.ruleId) ?? []), n]);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const r of result.rules) {
    if (!r.enabled) continue;
    const fs = byRule.get(r.id) ?? [];
    const ne = notEvaluated.get(r.id) ?? [];
    const fail = fs.filter((f) => !f.waived).length;
    const skip = fs.length - fail + ne.length;
    const count = r.subjectsChecked + ne.length;
    tests += count;
    failures += fail;
    skipped += skip;
    const cases: string[] = [];
    for (const f of fs) {
      const name = x(`${f.subject.type} ${f.subject.name} (${f.orgName})`);
      const open = `    <testcase classname="${x(r.id)}" name="${name}">`;
      if (f.waived) {
        cases.push(
          `${open}\n      <skipped message="${x(`waived until ${f.waiver?.expiresOn}: ${f.waiver?.reason}`)}"/>\n    </testcase>`,
        );
      } else {
        cases.push(
          `${open}\n      <failure type="${f.severity}" message="${x(f.message)}">${x(JSON.stringify(f.evidence))}</failure>\n    </testcase>`,
        );
      }
    }
    for (const n of ne) {
      cases.push(
        `    <testcase classname="${x(r.id)}" name="${x(`org ${n.orgName}`)}">\n      <skipped message="${x(notEvaluatedText(n))}"/>\n    </testcase>`,
      );
    }
    if (r.passed > 0) {
      cases.push(
        `    <testcase classname="${x(r.id)}" name="${r.passed} ${r.subjectKind} subject(s) passed"/>`,
      );
    }
    suites.push(
      `  <testsuite name="${x(`${r.id}: ${r.title}`)}" tests="${count}" failures="${fail}" skipped="${skip}" errors="0">\n${cases.join('\n')}${cases.length ? '\n' : ''}  </testsuite>`,
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${x(`atlas-access-review audit of ${snapshot.file}`)}" tests="${tests}" failures="${failures}" skipped="${skipped}" errors="0" timestamp="${result.evaluatedAt}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
