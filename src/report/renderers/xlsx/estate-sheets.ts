/** The reference sheets after the Review sheet: Teams, Programmatic identities, Project invitations, Rules, Waivers. */
import type {
  ProgrammaticRow,
  ProjectInvitationRow,
  ReportModel,
  RuleRow,
  TeamRow,
  WaiverRow,
} from '../../model.js';
import { WAIVER_STATUS } from '../shared.js';
import type { SheetSpec } from './sheet-engine.js';

export function teamsSheet(model: ReportModel): SheetSpec<TeamRow> {
  return {
    name: 'Teams',
    rows: model.teams,
    columns: [
      { header: 'Organization', width: 24, value: (t) => t.orgName },
      { header: 'Team', width: 28, value: (t) => t.name },
      { header: 'Team id', width: 26, value: (t) => t.id },
      { header: 'Members', width: 10, kind: 'number', value: (t) => t.memberCount },
      { header: 'Project roles', width: 48, value: (t) => t.projectRoles.join('; ') },
      { header: 'Member list', width: 60, value: (t) => t.members.join(', ') },
      { header: 'Findings', width: 10, kind: 'number', value: (t) => t.findingCount },
    ],
  };
}

function accessListText(p: ProgrammaticRow): string {
  if (!p.accessListCollected) return 'not collected';
  return p.accessList.length > 0 ? p.accessList.join(', ') : 'none';
}

export function programmaticSheet(model: ReportModel): SheetSpec<ProgrammaticRow> {
  return {
    name: 'Programmatic identities',
    rows: model.programmatic,
    columns: [
      { header: 'Identity key', width: 30, value: (p) => p.key },
      { header: 'Organization', width: 24, value: (p) => p.orgName },
      { header: 'Kind', width: 15, value: (p) => p.kind },
      { header: 'Managed by', width: 12, value: (p) => p.managedBy },
      { header: 'Id', width: 36, value: (p) => p.id },
      { header: 'Name', width: 28, value: (p) => p.name },
      { header: 'Description', width: 32, value: (p) => p.description },
      { header: 'Org roles', width: 24, value: (p) => p.orgRoles.join(', ') },
      { header: 'Project roles', width: 40, value: (p) => p.projectRoles.join('; ') },
      { header: 'Access list', width: 30, value: accessListText },
      { header: 'Secrets', width: 9, kind: 'number', value: (p) => p.secrets },
      { header: 'Created', width: 17, kind: 'date', value: (p) => p.createdAt },
      { header: 'Last used', width: 17, kind: 'date', value: (p) => p.lastUsedAt },
      { header: 'Expires', width: 17, kind: 'date', value: (p) => p.expiresAt },
      { header: 'Findings', width: 10, kind: 'number', value: (p) => p.findingCount },
      { header: 'Max severity', width: 12, kind: 'severity', value: (p) => p.maxSeverity },
    ],
  };
}

/** Listed for review beside the roster: a decision here has no revocation in the plan yet. */
export function projectInvitationsSheet(model: ReportModel): SheetSpec<ProjectInvitationRow> {
  return {
    name: 'Project invitations',
    rows: model.projectInvitations,
    columns: [
      { header: 'Organization', width: 24, value: (i) => i.orgName },
      { header: 'Project', width: 28, value: (i) => i.projectName },
      { header: 'Invited', width: 32, value: (i) => i.username },
      { header: 'Roles', width: 36, value: (i) => i.roles.join(', ') },
      { header: 'Invited by', width: 28, value: (i) => i.inviterUsername },
      { header: 'Sent', width: 17, kind: 'date', value: (i) => i.createdAt },
      { header: 'Expires', width: 17, kind: 'date', value: (i) => i.expiresAt },
      { header: 'Expired', width: 9, kind: 'bool', value: (i) => i.expired },
      { header: 'Days pending', width: 10, kind: 'number', value: (i) => i.daysPending },
      { header: 'Invitation id', width: 26, value: (i) => i.id },
    ],
  };
}

export function rulesSheet(model: ReportModel): SheetSpec<RuleRow> {
  return {
    name: 'Rules',
    rows: model.rules,
    columns: [
      { header: 'Rule', width: 30, value: (r) => r.id },
      { header: 'Title', width: 40, value: (r) => r.title },
      { header: 'Severity', width: 11, kind: 'severity', value: (r) => r.severity },
      { header: 'Subject kind', width: 14, value: (r) => r.subjectKind },
      { header: 'Enabled', width: 9, kind: 'bool', value: (r) => r.enabled },
      { header: 'Checked', width: 10, kind: 'number', value: (r) => r.subjectsChecked },
      { header: 'Passed', width: 10, kind: 'number', value: (r) => r.passed },
      { header: 'Failed', width: 10, kind: 'number', value: (r) => r.failed },
      { header: 'Waived', width: 10, kind: 'number', value: (r) => r.waived },
      {
        header: 'Not evaluated in',
        width: 40,
        value: (r) =>
          r.notEvaluated.map((n) => `${n.orgName}: not evaluated: ${n.reason}`).join('; ') || null,
      },
      { header: 'Params', width: 30, value: (r) => r.params.join(', ') },
      { header: 'Controls', width: 48, value: (r) => r.references.join('; ') },
    ],
  };
}

export function waiversSheet(model: ReportModel): SheetSpec<WaiverRow> {
  return {
    name: 'Waivers',
    rows: model.waivers,
    columns: [
      {
        header: 'Status',
        width: 13,
        value: (w) => (w.problem ? `${WAIVER_STATUS[w.status]}: ${w.problem}` : WAIVER_STATUS[w.status]),
      },
      { header: 'Rule', width: 28, value: (w) => w.ruleId },
      { header: 'Subject', width: 30, value: (w) => w.subject },
      { header: 'Reason', width: 44, value: (w) => w.reason },
      { header: 'Approver', width: 26, value: (w) => w.approver },
      { header: 'Approved on', width: 13, kind: 'date', value: (w) => w.approvedOn },
      { header: 'Ticket', width: 14, value: (w) => w.ticket },
      { header: 'Expires', width: 13, kind: 'date', value: (w) => w.expiresOn },
      { header: 'Findings', width: 10, kind: 'number', value: (w) => w.findingCount },
    ],
  };
}
