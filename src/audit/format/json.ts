import { terminalJson } from '../../util/terminal.js';
import type { AuditResult } from '../types.js';
import type { SnapshotMeta } from './index.js';

/**
 * `--format json`: the whole result with a fixed key order (findings are already sorted), so the
 * output diffs cleanly and can be fed back as a `--baseline`. `notEvaluated` lists each rule x org
 * the snapshot had no data for (its `reason` says which).
 */
export function renderJson(result: AuditResult, snapshot: SnapshotMeta): string {
  const doc = {
    tool: { name: snapshot.toolName, version: snapshot.toolVersion },
    evaluatedAt: result.evaluatedAt,
    snapshot: { file: snapshot.file, sha256: snapshot.sha256, collectedAt: snapshot.collectedAt },
    evidence: snapshot.evidence,
    inputs: result.inputs,
    gate: result.gate,
    summary: result.summary,
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      ruleTitle: f.ruleTitle,
      severity: f.severity,
      orgId: f.orgId,
      orgName: f.orgName,
      subject: { type: f.subject.type, id: f.subject.id, name: f.subject.name },
      message: f.message,
      evidence: f.evidence,
      waived: f.waived,
      waiver: f.waiver,
      isNew: f.isNew,
      key: f.key,
    })),
    notEvaluated: result.notEvaluated.map((n) => ({
      ruleId: n.ruleId,
      ruleTitle: n.ruleTitle,
      severity: n.severity,
      subjectKind: n.subjectKind,
      orgId: n.orgId,
      orgName: n.orgName,
      missing: n.missing,
      reason: n.reason,
    })),
    waivers: result.waivers,
    rules: result.rules,
  };
  return `${terminalJson(doc)}\n`;
}
