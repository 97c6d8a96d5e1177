/**
 * `index.html` of a pack: opens offline (no script, no remote resource; the report's CSP), links every
 * file, and shows the verdict, the counts, the control matrix and the evidence chain. Every value is
 * inserted with Handlebars `{{ }}` (escaped); entry names are safe path segments (zip.ts).
 */
import Handlebars from 'handlebars';
import type { ControlRow } from './controls.js';
import type { Manifest } from './manifest.js';

const TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Evidence pack: {{collection.organizationNames}}, collected {{collection.collectedAt}}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f;max-width:88rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
table.summary th{background:#f4f4f6;width:12rem}
.failing,.mismatch,.fail{color:#b00020;font-weight:600}.passing,.ok,.pass{color:#1b5e20}.waived,.unchecked,.warn{color:#8a6d00}
code{font-size:12px}.muted{color:#555}
</style>
</head>
<body>
<h1>Evidence pack: {{collection.organizationNames}}</h1>
<table class="summary"><tbody>
<tr><th>Verdict</th><td><strong class="{{verdict.cls}}">{{verdict.text}}</strong> (fail-on {{verdict.failOn}}). {{verdict.findings}} finding(s): {{verdict.open}} open, {{verdict.waived}} waived; {{verdict.notEvaluated}} rule evaluation(s) not possible on this snapshot.</td></tr>
<tr><th>Controls</th><td>{{#each controlCounts}}{{this}} {{@key}}{{#unless @last}}, {{/unless}}{{/each}} (<a href="controls.csv">controls.csv</a>)</td></tr>
<tr><th>Organizations</th><td>{{#each collection.organizations}}{{name}} <code>{{id}}</code>{{#unless @last}}; {{/unless}}{{/each}}</td></tr>
<tr><th>Collected</th><td>{{collection.collectedAt}} from <code>{{collection.baseUrl}}</code> ({{collection.api}} {{collection.apiVersion}}) by {{collection.tool}}, {{collection.requests}} request(s)</td></tr>
<tr><th>Collected by</th><td>{{#if identity}}{{identity.kind}} <code>{{identity.id}}</code>{{#each identity.organizations}}<br>{{org}}: <span class="{{cls}}">{{roles}}</span>{{/each}}{{else}}<span class="warn">not recorded by this snapshot</span> (written before snapshot schema 4){{/if}}</td></tr>
<tr><th>Collection command</th><td>{{#if collectCommand}}<code>{{collectCommand}}</code>{{else}}<span class="muted">not recorded</span>{{/if}}</td></tr>
<tr><th>Completeness</th><td class="{{completeness.cls}}">{{completeness.text}}</td></tr>
<tr><th>Review</th><td>signed off {{review.signedOffAt}}; apply finished {{review.applyFinishedAt}}; verified {{review.verifiedAt}}; audited as of {{review.auditedAt}}</td></tr>
<tr><th>Evidence chain</th><td class="{{chainSummary.cls}}">{{chainSummary.text}}</td></tr>
<tr><th>Seal</th><td>Ed25519 key <code>{{keyFingerprint}}</code>; check with <code>atlas-access-review evidence verify PACK.zip --verify-key verify-key.pem</code></td></tr>
<tr><th>Packed by</th><td><code>{{command}}</code></td></tr>
</tbody></table>
<h2>Controls</h2>
{{#if sharedFiles}}<p>Every control below is evidenced by: {{#each sharedFiles}}<a href="{{this}}">{{this}}</a>{{#unless @last}}, {{/unless}}{{/each}}.</p>{{/if}}
<table><thead><tr><th>Control</th><th>Status</th><th>Rules</th><th>Open</th><th>Waived</th>{{#unless sharedFiles}}<th>Evidence</th>{{/unless}}</tr></thead><tbody>
{{#each controls}}<tr><td>{{control}}{{#if title}}<br><small>{{title}}</small>{{/if}}</td><td class="{{cls}}">{{status}}</td><td>{{#each rules}}{{id}} ({{status}})<br>{{/each}}</td><td>{{open}}</td><td>{{waived}}</td>{{#unless ../sharedFiles}}<td>{{#each files}}<a href="{{this}}">{{this}}</a> {{/each}}</td>{{/unless}}</tr>
{{/each}}</tbody></table>
<h2>Evidence chain</h2>
{{#if chain.length}}<table><thead><tr><th>File</th><th>Field</th><th>Names</th><th>Status</th></tr></thead><tbody>
{{#each chain}}<tr><td><a href="{{from}}">{{from}}</a></td><td><code>{{field}}</code></td><td><a href="{{to}}">{{to}}</a></td><td class="{{status}}">{{status}}{{#if note}}: {{note}}{{/if}}</td></tr>
{{/each}}</tbody></table>{{else}}<p>No sign-off, plan, apply log, verify result, previous snapshot or JSON report in this pack.</p>{{/if}}
<h2>Completeness (items read against Atlas totalCount)</h2>
{{#each collection.organizations}}<h3>{{name}} <code>{{id}}</code></h3>
<table><thead><tr><th>Endpoint</th><th>Items read</th><th>totalCount</th><th>Pages</th><th>Ties out</th></tr></thead><tbody>
{{#each listings}}<tr><td><code>{{endpoint}}</code></td><td>{{itemsRead}}</td><td>{{totalCount}}</td><td>{{pages}}</td><td class="{{cls}}">{{tiesOut}}</td></tr>
{{/each}}</tbody></table>
{{#each notes}}<p>{{this}}</p>{{/each}}
{{/each}}
<h2>Files</h2>
<table><thead><tr><th>File</th><th>What</th><th>From</th><th>Bytes</th><th>sha256</th></tr></thead><tbody>
<tr><td><a href="manifest.json">manifest.json</a></td><td>manifest</td><td>made by the pack</td><td></td><td>sealed by manifest.sig.json</td></tr>
<tr><td><a href="manifest.sig.json">manifest.sig.json</a></td><td>seal</td><td>made by the pack</td><td></td><td></td></tr>
{{#each files}}<tr><td><a href="{{name}}">{{name}}</a></td><td>{{role}}</td><td>{{source}}</td><td>{{size}}</td><td><code>{{sha256}}</code></td></tr>
{{/each}}</tbody></table>
</body>
</html>
`;

const compiled = Handlebars.create().compile(TEMPLATE, { strict: true, noEscape: false });

const orNone = (v: string | null) => v ?? 'not in this pack';

type Identity = NonNullable<Manifest['collection']['identity']>;

/** Per collected org, the roles the collecting identity held there as the snapshot shows them. */
function identityRows(identity: Identity, names: ReadonlyMap<string, string>) {
  return identity.organizations.map((o) => {
    const org = `${names.get(o.orgId) ?? o.orgId}`;
    if (o.status === 'not-collected')
      return {
        org,
        cls: 'warn',
        roles: 'not visible: the source API gave no listing of this kind of identity',
      };
    if (o.status === 'not-found')
      return { org, cls: 'warn', roles: 'not visible: not in the collected data of this organization' };
    const roles = [
      ...o.orgRoles,
      ...o.projectRoles.flatMap((p) => p.roles.map((r) => `project ${p.projectId}: ${r}`)),
    ];
    return { org, cls: '', roles: roles.length > 0 ? roles.join(', ') : 'no roles' };
  });
}

function completenessLine(m: Manifest): { text: string; cls: string } {
  const listings = m.collection.organizations.flatMap((o) => o.listings);
  const off = listings.filter((l) => l.tiesOut === false).length;
  const none = listings.filter((l) => l.tiesOut === null).length;
  const text = `${listings.length - off - none} of ${listings.length} listing(s) tie out to Atlas's totalCount; ${off} do not; ${none} have no totalCount`;
  return { text, cls: off > 0 ? 'fail' : 'pass' };
}

function chainLine(m: Manifest): { text: string; cls: string } {
  const n = (s: string) => m.chain.filter((c) => c.status === s).length;
  const text = `${n('ok')} link(s) hold, ${n('mismatch')} broken, ${n('unchecked')} not checkable`;
  return { text, cls: n('mismatch') > 0 ? 'fail' : 'pass' };
}

/** The evidence files when every control names the same ones (shown once, not on every row); else null. */
function sharedFiles(controls: readonly ControlRow[]): string[] | null {
  const first = controls[0]?.files.join('\n');
  return first !== undefined && controls.every((c) => c.files.join('\n') === first)
    ? controls[0]!.files
    : null;
}

/** The index page of a pack whose manifest (without the index itself) is `m`. */
export function renderPackIndex(
  m: Manifest,
  controls: readonly ControlRow[],
  counts: Record<string, number>,
  keyFingerprint: string,
): string {
  const v = m.verdict;
  const names = new Map(m.collection.organizations.map((o) => [o.id, o.name]));
  const shared = sharedFiles(controls);
  return compiled({
    verdict: {
      text: v.gateFailed ? `FAIL: ${v.failing} finding(s) at or above ${v.failOn}` : 'PASS',
      cls: v.gateFailed ? 'fail' : 'pass',
      failOn: v.failOn,
      findings: v.findings,
      open: v.open,
      waived: v.waived,
      notEvaluated: v.notEvaluated,
    },
    collection: {
      ...m.collection,
      apiVersion: m.collection.apiVersion ?? '',
      tool: `${m.collection.tool.name} ${m.collection.tool.version}`,
      organizationNames: m.collection.organizations.map((o) => o.name).join(', '),
      organizations: m.collection.organizations.map((o) => ({
        ...o,
        listings: o.listings.map((l) => ({
          ...l,
          totalCount: l.totalCount ?? 'none',
          tiesOut: l.tiesOut === null ? 'no totalCount' : l.tiesOut ? 'yes' : 'NO',
          cls: l.tiesOut === false ? 'fail' : '',
        })),
      })),
    },
    identity: m.collection.identity
      ? { ...m.collection.identity, organizations: identityRows(m.collection.identity, names) }
      : null,
    collectCommand: m.collection.command?.join(' ') ?? '',
    command: m.command.join(' '),
    completeness: completenessLine(m),
    chainSummary: chainLine(m),
    review: {
      signedOffAt: orNone(m.review.signedOffAt),
      applyFinishedAt: orNone(m.review.applyFinishedAt),
      verifiedAt: orNone(m.review.verifiedAt),
      auditedAt: m.review.auditedAt,
    },
    keyFingerprint,
    files: m.files.map((f) => ({ ...f, source: f.source ?? 'made by the pack' })),
    controlCounts: counts,
    sharedFiles: shared,
    controls: controls.map((c) => ({ ...c, cls: c.status === 'not evaluated' ? 'unchecked' : c.status })),
    chain: m.chain.map((c) => ({ ...c, note: c.note ?? '' })),
  });
}
