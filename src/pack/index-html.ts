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
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
.failing,.mismatch,.fail{color:#b00020;font-weight:600}.passing,.ok,.pass{color:#1b5e20}.waived,.unchecked{color:#8a6d00}
code{font-size:12px}
</style>
</head>
<body>
<h1>Evidence pack</h1>
<p>Verdict: <strong class="{{verdict.cls}}">{{verdict.text}}</strong> (fail-on {{verdict.failOn}}).
{{verdict.findings}} finding(s): {{verdict.open}} open, {{verdict.waived}} waived; {{verdict.notEvaluated}} rule evaluation(s) not possible on this snapshot.</p>
<p>Collected {{collection.collectedAt}} from <code>{{collection.baseUrl}}</code> ({{collection.api}} {{collection.apiVersion}}, {{collection.auth}}) by {{collection.tool}}.
Signed off {{review.signedOffAt}}; apply finished {{review.applyFinishedAt}}; verified {{review.verifiedAt}}.</p>
<p>Sealed with Ed25519 key <code>{{keyFingerprint}}</code>; check with <code>atlas-access-review evidence verify PACK.zip --verify-key verify-key.pem</code>.</p>
<h2>Files</h2>
<table><thead><tr><th>File</th><th>What</th><th>From</th><th>Bytes</th><th>sha256</th></tr></thead><tbody>
<tr><td><a href="manifest.json">manifest.json</a></td><td>manifest</td><td></td><td></td><td>sealed by manifest.sig.json</td></tr>
<tr><td><a href="manifest.sig.json">manifest.sig.json</a></td><td>seal</td><td></td><td></td><td></td></tr>
{{#each files}}<tr><td><a href="{{name}}">{{name}}</a></td><td>{{role}}</td><td>{{source}}</td><td>{{size}}</td><td><code>{{sha256}}</code></td></tr>
{{/each}}</tbody></table>
<h2>Controls</h2>
<p>{{#each controlCounts}}{{@key}}: {{this}}. {{/each}}</p>
<table><thead><tr><th>Control</th><th>Status</th><th>Rules</th><th>Open</th><th>Waived</th><th>Evidence</th></tr></thead><tbody>
{{#each controls}}<tr><td>{{control}}</td><td class="{{cls}}">{{status}}</td><td>{{#each rules}}{{id}} ({{status}})<br>{{/each}}</td><td>{{open}}</td><td>{{waived}}</td><td>{{#each files}}<a href="{{this}}">{{this}}</a> {{/each}}</td></tr>
{{/each}}</tbody></table>
<h2>Evidence chain</h2>
{{#if chain.length}}<table><thead><tr><th>File</th><th>Field</th><th>Names</th><th>Status</th></tr></thead><tbody>
{{#each chain}}<tr><td>{{from}}</td><td><code>{{field}}</code></td><td>{{to}}</td><td class="{{status}}">{{status}}{{#if note}}: {{note}}{{/if}}</td></tr>
{{/each}}</tbody></table>{{else}}<p>No sign-off, plan, apply log or verify result in this pack.</p>{{/if}}
<h2>Completeness (items read against Atlas totalCount)</h2>
{{#each collection.organizations}}<h3>{{name}} <code>{{id}}</code></h3>
<table><thead><tr><th>Endpoint</th><th>Items read</th><th>totalCount</th><th>Pages</th><th>Ties out</th></tr></thead><tbody>
{{#each listings}}<tr><td><code>{{endpoint}}</code></td><td>{{itemsRead}}</td><td>{{totalCount}}</td><td>{{pages}}</td><td>{{tiesOut}}</td></tr>
{{/each}}</tbody></table>
{{#each notes}}<p>{{this}}</p>{{/each}}
{{/each}}
</body>
</html>
`;

const compiled = Handlebars.create().compile(TEMPLATE, { strict: true, noEscape: false });

const orNone = (v: string | null) => v ?? 'not in this pack';

/** The index page of a pack whose manifest (without the index itself) is `m`. */
export function renderPackIndex(
  m: Manifest,
  controls: readonly ControlRow[],
  counts: Record<string, number>,
  keyFingerprint: string,
): string {
  const v = m.verdict;
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
        })),
      })),
    },
    review: {
      signedOffAt: orNone(m.review.signedOffAt),
      applyFinishedAt: orNone(m.review.applyFinishedAt),
      verifiedAt: orNone(m.review.verifiedAt),
    },
    keyFingerprint,
    files: m.files.map((f) => ({ ...f, source: f.source ?? 'made by the pack' })),
    controlCounts: counts,
    controls: controls.map((c) => ({ ...c, cls: c.status === 'not evaluated' ? 'unchecked' : c.status })),
    chain: m.chain.map((c) => ({ ...c, note: c.note ?? '' })),
  });
}
