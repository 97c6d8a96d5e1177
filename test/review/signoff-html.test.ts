/** The sign-off HTML: decision counts by kind of subject, labelled, in a fixed order, escaped. */
import { describe, expect, it } from 'vitest';
import { buildSignoff, type Signoff } from '../../src/review/signoff.js';
import { renderSignoffHtml } from '../../src/review/signoff-html.js';
import { q3 } from '../fixtures/review/estate.js';

const counts = (identities: number, keep: number, revoke: number, modify: number) => ({
  identities,
  keep,
  revoke,
  modify,
});

function signoff(byKind: Signoff['byKind']): Signoff {
  return {
    signoffSchemaVersion: 1,
    tool: { name: 't', version: '0' },
    signedOffAt: '2026-11-25T12:00:00.000Z',
    snapshot: {
      file: 'q3.json',
      sha256: 'a'.repeat(64),
      collectedAt: '2026-11-01T09:00:00.000Z',
      organizations: [{ id: '0000000000000000000000aa', name: 'Northwind' }],
    },
    workbook: { file: 'w.xlsx', sha256: 'b'.repeat(64) },
    counts: counts(21, 12, 7, 2),
    byOrg: [],
    ...(byKind ? { byKind } : {}),
    reviewers: [],
    reviewPeriod: null,
    actions: [],
  };
}

/** The rows of the "Decisions by kind" table as cell texts. */
function kindTable(html: string): string[][] {
  const table = html.split('<h3>Decisions by kind</h3>')[1]?.split('</table>')[0];
  if (table === undefined) return [];
  return [...table.matchAll(/<tr><td>(.*?)<\/td>(.*?)<\/tr>/g)].map((m) => [
    m[1]!,
    ...[...m[2]!.matchAll(/<td class="num">(\d+)<\/td>/g)].map((c) => c[1]!),
  ]);
}

describe('sign-off HTML: decisions by kind', () => {
  it('lists each kind reviewed with its counts, people first, database access last', () => {
    const html = renderSignoffHtml(
      signoff([
        // byKind is sorted by kind name in the JSON; the page orders kinds as a reviewer reads them.
        { kind: 'apiKey', ...counts(2, 1, 1, 0) },
        { kind: 'databaseUser', ...counts(6, 2, 3, 1) },
        { kind: 'invitation', ...counts(1, 0, 1, 0) },
        { kind: 'networkAccessEntry', ...counts(3, 2, 1, 0) },
        { kind: 'serviceAccount', ...counts(1, 0, 0, 1) },
        { kind: 'user', ...counts(8, 7, 1, 0) },
      ]),
    );
    expect(kindTable(html)).toEqual([
      ['Users', '8', '7', '1', '0'],
      ['Invitations', '1', '0', '1', '0'],
      ['API keys', '2', '1', '1', '0'],
      ['Service accounts', '1', '0', '0', '1'],
      ['Database users', '6', '2', '3', '1'],
      ['Network access entries', '3', '2', '1', '0'],
    ]);
  });

  it('a kind it does not know is listed last under its own name, escaped', () => {
    const html = renderSignoffHtml(
      signoff([
        { kind: '<b>x</b>', ...counts(1, 1, 0, 0) },
        { kind: 'user', ...counts(1, 1, 0, 0) },
      ]),
    );
    expect(kindTable(html).map((r) => r[0])).toEqual(['Users', '&lt;b&gt;x&lt;/b&gt;']);
  });

  it('a sign-off written before byKind existed renders without the table', () => {
    const html = renderSignoffHtml(signoff(undefined));
    expect(html).not.toContain('Decisions by kind');
    expect(html).toContain('<div class="n">21</div><div class="l">decisions</div>');
  });

  it('calls the total decisions, not identities: access list entries are rows too', () => {
    const html = renderSignoffHtml(
      signoff([
        { kind: 'user', ...counts(18, 10, 6, 2) },
        { kind: 'networkAccessEntry', ...counts(3, 2, 1, 0) },
      ]),
    );
    expect(html).toContain('<div class="n">21</div><div class="l">decisions</div>');
    expect(html).not.toContain('identities decided');
  });
});

describe('sign-off HTML and record: who signed the snapshot', () => {
  it('a sign-off written before signatures were recorded says nothing about them', () => {
    const html = renderSignoffHtml(signoff(undefined));
    expect(html).not.toMatch(/signed by key|signature (not )?checked/);
  });

  it('a signer is shown with its key and clock, escaped', () => {
    const s = signoff(undefined);
    s.snapshot.signature = { fingerprint: 'SHA256:<b>x</b>', signedAt: '2026-11-01T09:00:00.000Z' };
    const html = renderSignoffHtml(s);
    expect(html).toContain(
      'signed by key <code>SHA256:&lt;b&gt;x&lt;/b&gt;</code> at 2026-11-01 09:00:00 UTC (signature checked)',
    );
  });

  it('buildSignoff leaves the field out only when told nothing (review apply rebuilding an older sign-off)', () => {
    const input = {
      snapshot: q3(),
      snapshotFile: 'q3.json',
      snapshotSha256: 'a'.repeat(64),
      workbookFile: 'w.xlsx',
      workbookSha256: 'b'.repeat(64),
      decisions: [],
      signedOffAt: new Date('2026-11-25T12:00:00Z'),
      tool: { name: 't', version: '0' },
    };
    expect('signature' in buildSignoff(input).snapshot).toBe(false);
    expect(buildSignoff({ ...input, snapshotSignature: null }).snapshot.signature).toBeNull();
  });
});

describe('sign-off HTML: what the terminal warned of is on the page too', () => {
  it('each rubber-stamp signal, in words, escaped', () => {
    const html = renderSignoffHtml({
      ...signoff(undefined),
      signals: [
        { reviewer: 'a@x.example', signal: 'kept-everything', rows: 40, count: 3, comment: null },
        { reviewer: 'b@x.example', signal: 'identical-comment', rows: 300, count: 290, comment: '<i>ok</i>' },
      ],
    });
    expect(html).toContain('<strong>Rubber-stamp signals (2)</strong>');
    expect(html).toContain(
      '<li><bdi>a@x.example kept all 40 rows they decided, 3 of them flagged</bdi></li>',
    );
    expect(html).toContain(
      '<li><bdi>b@x.example wrote one identical comment &quot;&lt;i&gt;ok&lt;/i&gt;&quot; on 290 of the 300 rows they decided</bdi></li>',
    );
  });

  it('no signal, no box (and none for a sign-off written before signals were recorded)', () => {
    expect(renderSignoffHtml({ ...signoff(undefined), signals: [] })).not.toContain('Rubber-stamp');
    expect(renderSignoffHtml(signoff(undefined))).not.toContain('Rubber-stamp');
  });

  it('rows a closed campaign decided by policy', () => {
    const campaign = {
      campaignId: 'q4',
      file: 'campaign.json',
      sha256: 'c'.repeat(64),
      workbooks: [],
      decisions: [],
      reassignments: [],
      closedUndecided: { policy: 'revoke' as const, rows: ['k1', 'k2'] },
      policy: { undecided: 'revoke' as const, keepNeedsJustification: true },
    };
    const html = renderSignoffHtml({ ...signoff(undefined), campaign } as Signoff);
    expect(html).toContain(
      "<strong>2 undecided rows were closed as REVOKE</strong> by the policy's <code>review.undecided</code>",
    );
    expect(html).toContain(
      'Each is among the Revoke decisions below, with the reviewer <em>policy review.undecided</em>.',
    );
    const open = renderSignoffHtml({
      ...signoff(undefined),
      campaign: { ...campaign, closedUndecided: null },
    } as Signoff);
    expect(open).not.toContain('undecided rows were closed');
  });
});

describe('sign-off HTML: where a database user or access list entry lives', () => {
  const ORG = '0000000000000000000000aa';
  const action = (over: Partial<Signoff['actions'][number]>): Signoff['actions'][number] => ({
    key: `${ORG}:user:u1`,
    orgId: ORG,
    orgName: 'Northwind',
    subjectType: 'user',
    kind: 'user',
    id: 'u1',
    name: 'u1',
    status: 'ACTIVE',
    decision: 'Revoke',
    reviewer: 'rev@example.com',
    reviewedOn: '2026-11-25',
    comment: null,
    workbookRow: 2,
    access: { orgRoles: [], projectRoles: [], teams: [] },
    ...over,
  });
  const entry = (projectId: string, projectName: string) =>
    action({
      key: `${ORG}:networkAccessEntry:${projectId}/0.0.0.0/0`,
      subjectType: 'networkAccessEntry',
      kind: 'networkAccessEntry',
      id: `${projectId}/0.0.0.0/0`,
      name: '0.0.0.0/0',
      networkAccess: { projectId, projectName, entryValue: '0.0.0.0/0' },
    });

  /** The Identity and Access cells of each Revoke/Modify row, tags dropped. */
  function actionCells(html: string): string[][] {
    const body =
      html.split('<h3>Revoke and Modify decisions')[1]?.split('<tbody>')[1]?.split('</tbody>')[0] ?? '';
    return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
      [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)]
        .slice(2, 4)
        .map((c) => c[1]!.replace(/<br>/g, ' | ').replace(/<[^>]+>/g, '')),
    );
  }

  it('names the project of each access list entry, so two 0.0.0.0/0 entries are told apart', () => {
    const s = { ...signoff(undefined), actions: [entry('p1', 'billing-prod'), entry('p2', 'mobile-prod')] };
    expect(actionCells(renderSignoffHtml(s))).toEqual([
      ['networkAccessEntry | 0.0.0.0/0 | access list of project billing-prod', ''],
      ['networkAccessEntry | 0.0.0.0/0 | access list of project mobile-prod', ''],
    ]);
  });

  it('names a database user’s project and authentication database, and lists the roles it held', () => {
    const s = {
      ...signoff(undefined),
      actions: [
        action({
          key: `${ORG}:databaseUser:p1/admin/svc-app`,
          subjectType: 'databaseUser',
          kind: 'databaseUser',
          id: 'p1/admin/svc-app',
          name: 'svc-app',
          databaseUser: {
            projectId: 'p1',
            projectName: 'payments-prod',
            databaseName: 'admin',
            username: 'svc-app',
            authKind: 'scram',
            roles: [
              { roleName: 'readWrite', databaseName: 'sales', collectionName: null },
              { roleName: 'read', databaseName: 'hr', collectionName: 'people' },
            ],
          },
        }),
      ],
    };
    expect(actionCells(renderSignoffHtml(s))).toEqual([
      ['databaseUser | svc-app | project payments-prod, admin (scram)', 'readWrite@sales, read@hr.people'],
    ]);
  });

  it('gives the Review sheet row each decision was read from, to trace it back to the workbook', () => {
    const s = { ...signoff(undefined), actions: [action({ workbookRow: 118 })] };
    const html = renderSignoffHtml(s);
    const row = html.split('<h3>Revoke and Modify decisions')[1]!.split('<tbody>')[1]!.split('</tr>')[0]!;
    expect(row).toContain('rev@example.com<br><span class="small muted">2026-11-25 · Review row 118</span>');
  });
});
