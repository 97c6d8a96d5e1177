/**
 * Every regular expression the product applies to data it does not control (Atlas names, workbook
 * cells, input files, server headers), fed a 100,000-character input built to make a backtracking
 * pattern go quadratic. `url\(\s*["']?\s*` in the email HTML check took 62 s on one org name; the
 * patterns fixed here took 6-12 s each on these inputs before.
 *
 * The bound is a duration, which the house style avoids; here it is the property under test. It is set
 * at 4 s: a linear pass takes milliseconds (the slowest, a YAML parse of the whole document, 1.3 s on
 * this 2-core machine while other test runs shared it), and the quadratic ones took 6 s and more.
 */
import { describe, expect, it } from 'vitest';
import { parseDigestChallenge } from '../../src/atlas/auth/digest.js';
import { policySchema } from '../../src/audit/policy.js';
import { renderMessage } from '../../src/audit/run.js';
import { planOutputs } from '../../src/cli/commands/report.js';
import { emailHtmlProblems } from '../../src/email/html-safety.js';
import { deliveryError } from '../../src/email/send.js';
import { cell } from '../../src/report/renderers/csv.js';
import {
  checkReviewWorkbook,
  isDateFormat,
  reviewDate,
  type WorkbookContents,
} from '../../src/review/import.js';
import { buildRevocationPlan } from '../../src/review/plan.js';
import type { Signoff } from '../../src/review/signoff.js';
import { ruleFileSchema } from '../../src/rules/schema.js';
import { snapshotSchema } from '../../src/snapshot/schema.js';
import { normaliseAddress } from '../../src/util/address.js';
import { parseJsonOrYaml, parseJsonPath } from '../../src/util/json-or-yaml.js';
import { terminalSafe } from '../../src/util/terminal.js';
import { escapeMarkdown, escapeXml, neutraliseFormula, visibleControls } from '../../src/util/text-safety.js';
import { formatJsonPath, parseJsonText } from '../../src/util/validate.js';
import { apiKey, org, snapshot, user } from '../builders/snapshot.js';

const N = 100_000;
/** parseJsonText on a syntax error: the InputError is the expected outcome. */
const tryParse = (text: string) => {
  try {
    parseJsonText(text, 'f.json');
  } catch {}
};
const spaces = (n: number) => ' '.repeat(n);

function workbookWith(summaryValue: string, header: string): WorkbookContents {
  return {
    sheetNames: ['Summary', 'Review'],
    properties: { subject: summaryValue, keywords: null },
    summary: [{ row: 2, label: 'Snapshot sha256', value: summaryValue }],
    review: {
      headers: new Map([[1, header]]),
      headerMeta: new Map(),
      rows: [],
      columns: new Map(),
      conditionalNumFmts: [],
    },
  };
}

function modifySignoff(comment: string): Signoff {
  const k = apiKey({ orgRoles: ['ORG_OWNER', 'ORG_READ_ONLY'] });
  const o = org({ apiKeys: [k] });
  return {
    signoffSchemaVersion: 1,
    tool: { name: 't', version: '0' },
    signedOffAt: '2026-06-01T00:00:00.000Z',
    snapshot: {
      file: 's.json',
      sha256: 'a'.repeat(64),
      collectedAt: '2026-06-01T00:00:00.000Z',
      organizations: [],
    },
    workbook: { file: 'w.xlsx', sha256: 'b'.repeat(64) },
    counts: { identities: 1, keep: 0, revoke: 0, modify: 1 },
    byOrg: [],
    reviewers: [],
    reviewPeriod: null,
    actions: [
      {
        key: `${o.id}:apiKey:${k.id}`,
        orgId: o.id,
        orgName: o.name,
        subjectType: 'apiKey',
        kind: 'apiKey',
        id: k.id,
        name: k.publicKey,
        status: 'ACTIVE',
        decision: 'Modify',
        reviewer: 'r@example.com',
        reviewedOn: '2026-06-01',
        comment,
        workbookRow: 2,
        access: { orgRoles: ['ORG_OWNER', 'ORG_READ_ONLY'], projectRoles: [], teams: [] },
      },
    ],
  };
}

const cases: Array<[string, () => unknown]> = [
  // src/email/html-safety.ts over the rendered summary (Atlas names inside).
  ['email HTML check: url( and 100k spaces', () => emailHtmlProblems(`url(${spaces(N)}`)],
  ['email HTML check: src= and 100k spaces', () => emailHtmlProblems(`<img src=${spaces(N)}`)],
  ['email HTML check: background= quote and spaces', () => emailHtmlProblems(`background="${spaces(N)}`)],
  [
    'email HTML check: on<letters><spaces>',
    () => emailHtmlProblems(` on${'a'.repeat(N / 2)}${spaces(N / 2)}`),
  ],
  ['email HTML check: <meta and spaces', () => emailHtmlProblems(`<meta${spaces(N)}x`)],
  // src/atlas/auth/digest.ts over the server's WWW-Authenticate header.
  ['Digest challenge: one long token without =', () => parseDigestChallenge(`Digest ${'a'.repeat(N)}`)],
  ['Digest challenge: an unterminated quote', () => parseDigestChallenge(`Digest a="${'b'.repeat(N)}`)],
  ['Digest challenge: many bare tokens', () => parseDigestChallenge(`Digest ${'a '.repeat(N / 2)}`)],
  // src/review/import.ts over workbook cells.
  ['review date: digits then spaces', () => reviewDate(`2026-01-01T${'1'.repeat(N / 2)}${spaces(N / 2)}x`)],
  ['review date: leading spaces', () => reviewDate(`${spaces(N)}x`)],
  [
    'workbook fingerprint and header',
    () =>
      checkReviewWorkbook(
        workbookWith('snapshot-sha256:'.repeat(N / 16), `\u200b ${spaces(N)}`),
        {
          snapshot: snapshot([]),
          sha256: 'a'.repeat(64),
        },
        new Date(),
      ),
  ],
  ['number format check', () => isDateFormat(`${'[$-'.repeat(N / 3)}`)],
  ['address normalisation', () => normaliseAddress(`${'<'.repeat(N / 2)}${'a\u200b'.repeat(N / 4)}>`)],
  // src/review/plan.ts: a Modify comment against role and team names.
  [
    'revocation plan: a 100k comment',
    () => buildRevocationPlan(modifySignoff(`drop ${'ORG_OWNE'.repeat(N / 8)}`), '0'.repeat(64)),
  ],
  // src/rules and src/audit over rule files and policy files.
  ['rule message placeholders', () => renderMessage(`{{${'a'.repeat(N / 2)}${spaces(N / 2)}`, {})],
  ['rule id pattern', () => ruleFileSchema.safeParse({ id: `${'a-'.repeat(N / 2)}!` })],
  [
    'policy email domain pattern',
    () => policySchema.safeParse({ allowedEmailDomains: [`${'a.'.repeat(N / 2)}!`] }),
  ],
  // Snapshot dates (zod's ISO pattern) over collected data.
  [
    'snapshot ISO dates',
    () =>
      snapshotSchema.safeParse(
        snapshot([org({ users: [user({ lastAuth: `2026-01-01T00:00:00.${'1'.repeat(N)}` })] })]),
      ),
  ],
  // Escaping of Atlas names in every format.
  ['terminal escaping', () => terminalSafe('\u001b['.repeat(N / 2))],
  ['CSV cell', () => cell(`=${'";\t'.repeat(N / 3)}`)],
  ['formula neutralising', () => neutraliseFormula(`=${'a'.repeat(N)}`)],
  ['Markdown escaping', () => escapeMarkdown('\\`*_'.repeat(N / 4))],
  ['Markdown table cell', () => escapeMarkdown('\r\n|'.repeat(N / 3))],
  ['XML escaping', () => escapeXml('\r\n<&\u0001'.repeat(N / 5))],
  ['visible controls', () => visibleControls('\u0001\ud800\u202e'.repeat(N / 3))],
  // JSON paths of input-file problems (keys from the file), and SMTP server replies.
  ['JSON path of a long key', () => formatJsonPath([`${'a'.repeat(N)}!`, `${'$'.repeat(N)}-`])],
  ['JSON path read back from a long key', () => parseJsonPath(formatJsonPath([`${'a"\\'.repeat(N / 3)}`]))],
  ['JSON syntax error on one long line, given a line and column', () => tryParse(`[${'1,'.repeat(N / 2)}]`)],
  [
    'YAML path located in a long document',
    () => parseJsonOrYaml(`a:\n${'  - x\n'.repeat(N / 6)}`, 'f.yaml').locate('$.a[16000]'),
  ],
  [
    'SMTP error reply and command',
    () =>
      deliveryError(
        Object.assign(new Error(`${'certificat'.repeat(N / 10)}`), {
          code: 'ETLS',
          response: ' \t'.repeat(N / 2),
          command: `AUTH ${'A'.repeat(N)}!`,
        }),
        'smtp.example.com',
      ),
  ],
  // An --out-dir of many slashes (src/cli/commands/report.ts).
  [
    '--out-dir trailing slashes',
    () => planOutputs({ 'out-dir': `${'/'.repeat(N)}x`, html: undefined }, '/tmp'),
  ],
];

describe('regular expressions over untrusted data run in linear time', () => {
  it.each(cases)('%s (100,000 characters)', (_name, run) => {
    const started = performance.now();
    run();
    expect(performance.now() - started).toBeLessThan(4000);
  });
});
