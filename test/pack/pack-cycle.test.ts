/**
 * The evidence pack end to end on the simulator over real HTTP: collect, report, review import, apply,
 * next-quarter collect and verify; then `evidence pack` and `evidence verify` of the zip, and every
 * kind of tampering: a changed byte in any file, a removed file, an added file, a swapped snapshot, a
 * manifest re-sealed with another key; and malformed zips (traversal, duplicates, bomb, huge manifest).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSigningKey, serializeSignature, signEvidence } from '../../src/evidence/signature.js';
import type { Manifest } from '../../src/pack/manifest.js';
import { sealManifest } from '../../src/pack/seal.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
import { sha256Hex } from '../../src/snapshot/store.js';
import { rosterCsv } from '../builders/roster.js';
import {
  APPLY_ENV,
  at,
  COLLECT_ENV,
  fillWorkbook,
  INVITE,
  KEY,
  key,
  MALLORY,
  ORG,
  q3Org,
  READER,
  type RowFill,
  SA,
  WRITER,
} from '../fixtures/review/estate.js';
import { type CliRun, runCliForTest, tempDir } from '../helpers/cli.js';
import { findingRows } from '../helpers/report-json.js';

let sim: Simulator;
let dir: string;
let signingKey: string;
let verifyKey: string;
let fingerprint: string;
let packArgs: string[];

async function cli(argv: string[], opts: { env?: Record<string, string>; now?: Date } = {}): Promise<CliRun> {
  return runCliForTest(argv, { cwd: dir, now: opts.now ?? at(29), env: opts.env ?? {} });
}
const signEnv = () => ({ ATLAS_REVIEW_SIGNING_KEY_FILE: signingKey });

function fill(k: string): RowFill {
  const base: RowFill = { decision: 'Keep', reviewer: 'lead@example.com', reviewedOn: at(20) };
  if (k === key('user', MALLORY) || k === key('user', INVITE) || k === key('apiKey', KEY))
    return { ...base, decision: 'Revoke' };
  if (k === key('serviceAccount', SA)) return { ...base, decision: 'Modify', comment: 'drop ORG_OWNER' };
  return { ...base, comment: 'needed for the on-call rota' };
}

function entries(zip: string): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(readFileSync(join(dir, zip)))));
}

/** Writes `files` as a new zip in the test folder (stored, so byte surgery on names is easy). */
function rezip(name: string, files: Map<string, Uint8Array>): string {
  writeFileSync(
    join(dir, name),
    zipSync(Object.fromEntries([...files].map(([n, b]) => [n, [b, { level: 0 }]]))),
  );
  return name;
}

const verify = (zip: string) => cli(['evidence', 'verify', zip, '--key', verifyKey]);

/**
 * The pack with `replaced` files, its manifest rewritten to their hashes (and changed by `edit`) and
 * re-sealed with the right key: what someone holding the signing key could do. Only the chain and the
 * evidence signatures can then tell.
 */
function resealed(
  name: string,
  replaced: Record<string, Uint8Array>,
  edit: (m: Manifest) => void = () => {},
  from = 'review-2026Q4.zip',
): string {
  const e = entries(from);
  const manifest = JSON.parse(Buffer.from(e.get('manifest.json')!).toString('utf8')) as Manifest;
  for (const [file, bytes] of Object.entries(replaced)) {
    const row = manifest.files.find((x) => x.name === file)!;
    row.sha256 = sha256Hex(bytes);
    row.size = bytes.byteLength;
    e.set(file, bytes);
  }
  edit(manifest);
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  e.set('manifest.json', bytes);
  const k = parseSigningKey(readFileSync(signingKey, 'utf8'), 'test');
  e.set('manifest.sig.json', Buffer.from(JSON.stringify(sealManifest(bytes, k))));
  return rezip(name, e);
}

/** The pack's signoff.json.sig, parsed. */
const signoffSig = () =>
  JSON.parse(Buffer.from(entries('review-2026Q4.zip').get('signoff.json.sig')!).toString('utf8'));

/** signoff.json.sig with one bit of its signature flipped: a forgery every hash of a re-sealed pack can carry. */
function forgedSignoffSig(): Buffer {
  const sig = signoffSig();
  const b64 = Buffer.from(sig.signature, 'base64');
  b64[0] = b64[0]! ^ 0x01;
  return Buffer.from(JSON.stringify({ ...sig, signature: b64.toString('base64') }));
}

beforeAll(async () => {
  dir = tempDir('aar-pack-');
  const gen = await cli(['evidence', 'keygen', '--out-dir', 'keys']);
  expect(gen.code).toBe(0);
  signingKey = join(dir, 'keys', 'signing-key.pem');
  verifyKey = join(dir, 'keys', 'verify-key.pem');
  fingerprint = /key fingerprint (SHA256:\S+)/.exec(gen.stdout)![1]!;
  sim = await startSimulator({
    organizations: [q3Org()],
    credentials: {
      serviceAccounts: [
        { ...READER, access: { orgRole: 'ORG_READ_ONLY' } },
        { ...WRITER, access: { orgRole: 'ORG_OWNER' } },
      ],
    },
    rateLimits: 'off',
  });
  const collect = (out: string, day: number) =>
    cli(
      ['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', out, '--quiet', '--signing-key', signingKey],
      {
        env: COLLECT_ENV,
        now: at(day),
      },
    );
  // Last quarter's snapshot: the reports compare with it (--previous), and the pack chains it.
  expect((await collect('q3.json', 0)).code).toBe(0);
  expect((await collect('q4.json', 1)).code).toBe(0);
  const report = await cli(
    ['report', 'q4.json', '--previous', 'q3.json', '--out-dir', 'reports', '--fail-on', 'never'],
    { now: at(2) },
  );
  expect(report.code).toBe(0);
  const xlsx = readdirSync(join(dir, 'reports')).find((f) => f.endsWith('.xlsx'))!;
  await fillWorkbook(join(dir, 'reports', xlsx), join(dir, 'filled.xlsx'), fill);
  const imported = await cli(
    ['review', 'import', 'filled.xlsx', '--snapshot', 'q4.json', '--out-dir', 'evidence'],
    {
      env: signEnv(),
      now: at(25),
    },
  );
  expect(imported.code).toBe(0);
  const applied = await cli(
    [
      'review',
      'apply',
      'evidence/revocation-plan.json',
      '--snapshot',
      'q4.json',
      '--workbook',
      'filled.xlsx',
      '--base-url',
      sim.baseUrl,
      '--yes',
    ],
    { env: { ...COLLECT_ENV, ...APPLY_ENV, ...signEnv() }, now: at(26) },
  );
  expect(applied.stderr).toContain('0 failed');
  expect(applied.code).toBe(0);
  expect((await collect('next.json', 27)).code).toBe(0);
  const verified = await cli(
    [
      'review',
      'verify',
      'evidence/signoff.json',
      '--snapshot',
      'next.json',
      '--reviewed-snapshot',
      'q4.json',
      '--format',
      'json',
      '--output',
      'verify.json',
    ],
    { now: at(28) },
  );
  expect(verified.code).toBe(0);
  packArgs = [
    'evidence',
    'pack',
    '--snapshot',
    'q4.json',
    '--report-dir',
    'reports',
    '--signoff',
    'evidence/signoff.json',
    '--workbook',
    'filled.xlsx',
    '--plan',
    'evidence/revocation-plan.json',
    '--apply-log',
    'evidence/apply-log.json',
    '--verify',
    'verify.json',
    '--next-snapshot',
    'next.json',
    '--previous',
    'q3.json',
    '--key',
    signingKey,
  ];
  const packed = await cli([...packArgs, '--out', 'review-2026Q4.zip']);
  expect(packed.stderr).toBe('');
  expect(packed.code).toBe(0);
}, 60_000);

afterAll(async () => {
  await sim.close();
});

describe('evidence pack', () => {
  it('refuses an --out that is a file it packs, even with --force: a signature beside an input, a report in --report-dir (exit 2)', async () => {
    cpSync(join(dir, 'q4.json'), join(dir, 'q4-copy.json'));
    cpSync(join(dir, 'q4.json.sig'), join(dir, 'q4-copy.json.sig'));
    cpSync(join(dir, 'reports'), join(dir, 'reports-copy'), { recursive: true });
    const report = readdirSync(join(dir, 'reports-copy')).find((f) => f.endsWith('.html'))!;
    const argv = (snapshot: string, reports: string, out: string) => [
      ...packArgs.map((a) => (a === 'q4.json' ? snapshot : a === 'reports' ? reports : a)),
      '--out',
      out,
      '--force',
    ];
    for (const [out, packed] of [
      ['q4-copy.json.sig', 'q4-copy.json.sig'],
      [`./reports-copy/../reports-copy/${report}`, join('reports-copy', report)],
    ] as const) {
      const before = readFileSync(join(dir, packed));
      const r = await cli(argv('q4-copy.json', 'reports-copy', out));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`--out ${out} would overwrite ${packed}, a file it packs`);
      expect(readFileSync(join(dir, packed)).equals(before)).toBe(true);
    }
  });

  it('holds the files, a manifest of their hashes, controls.csv, index.html and the seal', () => {
    const e = entries('review-2026Q4.zip');
    const manifest = JSON.parse(Buffer.from(e.get('manifest.json')!).toString('utf8')) as Manifest;
    for (const f of manifest.files) {
      expect(sha256Hex(e.get(f.name)!)).toBe(f.sha256);
      expect(e.get(f.name)!.byteLength).toBe(f.size);
    }
    expect([...e.keys()].sort()).toEqual(
      [...manifest.files.map((f) => f.name), 'manifest.json', 'manifest.sig.json'].sort(),
    );
    const q4 = readFileSync(join(dir, 'q4.json'));
    expect(manifest.files.find((f) => f.name === 'snapshot.json')).toMatchObject({
      role: 'snapshot',
      source: 'q4.json',
      sha256: sha256Hex(q4),
    });
    // The evidence signatures beside the inputs travel with them.
    for (const name of [
      'snapshot.json.sig',
      'signoff.json.sig',
      'revocation-plan.json.sig',
      'apply-log.json.sig',
    ])
      expect(e.has(name)).toBe(true);
    expect(manifest.files.filter((f) => f.role === 'report').length).toBe(
      readdirSync(join(dir, 'reports')).length,
    );
    expect(manifest.command).toEqual([
      ...packArgs.slice(0, 2),
      '--out',
      'review-2026Q4.zip',
      ...packArgsInOrder(),
    ]);
    expect(manifest.collection).toMatchObject({
      baseUrl: sim.baseUrl,
      api: 'atlas-v2',
      auth: 'service-account',
    });
    // Who collected, as the snapshot records it: the scrubbed command and the client id (never the
    // secret). The simulated org does not list the collector's service account: not found there.
    expect(manifest.collection.command).toEqual(
      expect.arrayContaining(['collect', '--org', ORG, '--output', 'q4.json', '--signing-key', signingKey]),
    );
    expect(manifest.collection.identity).toEqual({
      kind: 'service-account',
      id: READER.clientId,
      organizations: [{ orgId: ORG, status: 'not-found', orgRoles: [], projectRoles: [] }],
    });
    expect(JSON.stringify(manifest)).not.toContain(READER.clientSecret);
    const users = manifest.collection.organizations[0]!.listings.find((l) => l.endpoint.endsWith('/users'))!;
    expect(users.tiesOut).toBe(true);
    expect(users.itemsRead).toBe(users.totalCount);
    expect(manifest.review).toMatchObject({
      signedOffAt: at(25).toISOString(),
      applyFinishedAt: expect.any(String),
      verifiedAt: at(28).toISOString(),
      auditedAt: at(1).toISOString(),
    });
    expect(manifest.chain.map((c) => `${c.from} ${c.field} -> ${c.to}: ${c.status}`)).toEqual([
      'signoff.json $.snapshot.sha256 -> snapshot.json: ok',
      'signoff.json $.workbook.sha256 -> workbook.xlsx: ok',
      'revocation-plan.json $.signoffSha256 -> signoff.json: ok',
      'revocation-plan.json $.snapshotSha256 -> snapshot.json: ok',
      'apply-log.json $.plan.sha256 -> revocation-plan.json: ok',
      'apply-log.json $.signoff.sha256 -> signoff.json: ok',
      'apply-log.json $.snapshot.sha256 -> snapshot.json: ok',
      'verify.json $.signoff.sha256 -> signoff.json: ok',
      'verify.json $.signoff.snapshotSha256 -> snapshot.json: ok',
      'verify.json $.signoff.signedOffAt -> signoff.json: ok',
      'verify.json $.snapshot.sha256 -> next-snapshot.json: ok',
      'previous-snapshot.json $.collectedAt -> snapshot.json: ok',
      'previous-snapshot.json $.organizations[*].id -> snapshot.json: ok',
      'report/access-review.json $.meta.snapshotSha256 -> snapshot.json: ok',
      'report/access-review.json $.changes.previous.snapshotSha256 -> previous-snapshot.json: ok',
    ]);
    // verify.json names the sign-off it verified by the sha256 of its bytes.
    expect(JSON.parse(readFileSync(join(dir, 'verify.json'), 'utf8')).signoff.sha256).toBe(
      sha256Hex(readFileSync(join(dir, 'evidence', 'signoff.json'))),
    );
    expect(manifest.sealedAt).toBe(at(28).toISOString());
    const seal = JSON.parse(Buffer.from(e.get('manifest.sig.json')!).toString('utf8'));
    expect(seal).toMatchObject({
      keyFingerprint: fingerprint,
      manifestSha256: sha256Hex(e.get('manifest.json')!),
    });
  });

  it('controls.csv maps each control in scope to its rules, status and evidence files; index.html shows it', () => {
    const e = entries('review-2026Q4.zip');
    const csv = Buffer.from(e.get('controls.csv')!).toString('utf8');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('control,title,status,rules,rule statuses,open findings,waived findings,files');
    // Every control of the frameworks in scope, those no rule tests too (not evaluated, no rules).
    expect(lines.some((l) => /^pci-dss-4 8\.2\.6,/.test(l))).toBe(true);
    expect(lines.some((l) => /,not evaluated,,,0,0,/.test(l))).toBe(true);
    expect(lines.length).toBeGreaterThan(5);
    // The estate has an org owner without MFA and an inactive user: some control fails.
    expect(lines.some((l) => /,failing,/.test(l))).toBe(true);
    expect(lines.some((l) => /,passing,/.test(l))).toBe(true);
    const html = Buffer.from(e.get('index.html')!).toString('utf8');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script/i);
    for (const name of e.keys()) if (name !== 'index.html') expect(html).toContain(`href="${name}"`);
    expect(html).toContain('<h2>Controls</h2>');
  });

  it('is deterministic: the same inputs give a byte-identical zip', async () => {
    const first = readFileSync(join(dir, 'review-2026Q4.zip'));
    const again = await cli([...packArgs, '--out', 'review-2026Q4.zip', '--force'], { now: at(30) });
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'review-2026Q4.zip')).equals(first)).toBe(true);
  });

  it('refuses files that are not one cycle (exit 2), and to overwrite without --force (exit 4)', async () => {
    const wrong = await cli([
      ...packArgs.map((a) => (a === 'q4.json' ? 'next.json' : a)),
      '--out',
      'wrong.zip',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('these files are not one review cycle: signoff.json $.snapshot.sha256');
    // The workbook as the report wrote it, not as the reviewer filled it: not the one signed off.
    const blank = readdirSync(join(dir, 'reports')).find((f) => f.endsWith('.xlsx'))!;
    const unfilled = await cli([
      ...packArgs.map((a) => (a === 'filled.xlsx' ? `reports/${blank}` : a)),
      '--out',
      'unfilled.zip',
    ]);
    expect(unfilled.code).toBe(2);
    expect(unfilled.stderr).toContain(
      'these files are not one review cycle: signoff.json $.workbook.sha256: signoff.json names sha256',
    );
    expect(existsSync(join(dir, 'unfilled.zip'))).toBe(false);
    for (const [args, message] of [
      [['--campaign', 'q3.json'], '--campaign needs --workbook <folder>'],
      [['--workbook', 'reports'], '--workbook reports is a folder: give --campaign'],
    ] as const) {
      const r = await cli([
        ...packArgs.filter((a, i) => a !== '--workbook' && packArgs[i - 1] !== '--workbook'),
        '--out',
        'x.zip',
        ...args,
      ]);
      expect(r.stderr).toContain(message);
      expect(r.code).toBe(2);
    }
    const exists = await cli([...packArgs, '--out', 'review-2026Q4.zip']);
    expect(exists.code).toBe(4);
    const unsealed = await cli([...packArgs.slice(0, -2), '--out', 'unsealed.zip']);
    expect(unsealed.code).toBe(2);
    expect(unsealed.stderr).toContain('an evidence pack is sealed: no signing key configured');
  });
});

describe('run --evidence', () => {
  it('packs the snapshot and every report the run wrote; the pack verifies', async () => {
    const r = await cli(
      [
        'run',
        '--org',
        ORG,
        '--base-url',
        sim.baseUrl,
        '--out-dir',
        'run-q4',
        '--quiet',
        '--previous',
        'q3.json',
        '--evidence',
        'run-q4.zip',
      ],
      { env: { ...COLLECT_ENV, ...signEnv() }, now: at(3) },
    );
    expect(r.stderr).not.toContain('error');
    expect(r.stdout).toMatch(/wrote run-q4\.zip \(evidence pack: \d+ file\(s\)/);
    const e = entries('run-q4.zip');
    const manifest = JSON.parse(Buffer.from(e.get('manifest.json')!).toString('utf8')) as Manifest;
    const reports = readdirSync(join(dir, 'run-q4')).filter((f) => !f.startsWith('snapshot.json'));
    expect(manifest.files.filter((f) => f.role === 'report').map((f) => f.name)).toEqual(
      reports.map((f) => `report/${f}`).sort(),
    );
    expect(sha256Hex(e.get('snapshot.json')!)).toBe(
      sha256Hex(readFileSync(join(dir, 'run-q4', 'snapshot.json'))),
    );
    // The run's options as parsed, sorted; the credentials came from the environment and are nowhere.
    expect(manifest.command).toEqual(
      expect.arrayContaining([
        'run',
        '--base-url',
        sim.baseUrl,
        '--evidence',
        'run-q4.zip',
        '--org',
        ORG,
        '--out-dir',
        'run-q4',
      ]),
    );
    expect(manifest.command[0]).toBe('run');
    // The previous snapshot the run compared with is packed and chained to the JSON report.
    expect(sha256Hex(e.get('previous-snapshot.json')!)).toBe(sha256Hex(readFileSync(join(dir, 'q3.json'))));
    expect(manifest.chain.find((c) => c.field === '$.changes.previous.snapshotSha256')?.status).toBe('ok');
    // The snapshot the run collected records the run's command, as the manifest does.
    expect(manifest.collection.command).toEqual(manifest.command);
    expect(JSON.stringify(manifest)).not.toContain(READER.clientSecret);
    const v = await verify('run-q4.zip');
    expect(v.code).toBe(0);
  });

  /** `run` against the simulator, gate off, packing into `zip`, with `extra` options. */
  const runPacked = (zip: string, extra: string[]) =>
    cli(
      [
        'run',
        '--org',
        ORG,
        '--base-url',
        sim.baseUrl,
        ...extra,
        '--quiet',
        '--fail-on',
        'never',
        '--evidence',
        zip,
      ],
      { env: { ...COLLECT_ENV, ...signEnv() }, now: at(3) },
    );

  it("with --roster, packs the roster and audits the pack with it: the sealed verdict is the run's", async () => {
    // The roster knows one owner: every other person of the org is unknown to HR.
    writeFileSync(join(dir, 'hr.csv'), rosterCsv([{ email: 'owner1@example.com' }]));
    const r = await runPacked('run-r.zip', [
      '--roster',
      'hr.csv',
      '--json',
      'run-r.json',
      '--snapshot',
      'run-r-snapshot.json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'run-r.json'), 'utf8'));
    const rows = findingRows(report);
    expect(rows.map((f) => f.ruleId)).toContain('roster-unknown-identity');
    const e = entries('run-r.zip');
    const manifest = JSON.parse(Buffer.from(e.get('manifest.json')!).toString('utf8')) as Manifest;
    expect(manifest.files.map((f) => f.name)).toContain('roster.csv');
    expect(manifest.verdict.findings).toBe(rows.length);
    // evidence pack of the same files gives the same verdict.
    const packed = await cli(
      [
        'evidence',
        'pack',
        '--snapshot',
        'run-r-snapshot.json',
        '--roster',
        'hr.csv',
        '--fail-on',
        'never',
        '--out',
        'pack-r.zip',
      ],
      { env: signEnv() },
    );
    expect(packed.code, packed.stderr).toBe(0);
    const m2 = JSON.parse(
      Buffer.from(entries('pack-r.zip').get('manifest.json')!).toString('utf8'),
    ) as Manifest;
    expect(m2.verdict.findings).toBe(rows.length);
  });

  it('with --split-by reviewer, packs the campaign it opened (campaign.json and every workbook) under report/campaign/', async () => {
    writeFileSync(join(dir, 'campaign-policy.yaml'), 'review:\n  fallbackReviewer: lead@example.com\n');
    const r = await runPacked('camp-run.zip', [
      '--policy',
      'campaign-policy.yaml',
      '--split-by',
      'reviewer',
      '--out-dir',
      'camp-run',
    ]);
    expect(r.code, r.stderr).toBe(0);
    // The snapshot (and its signature) is packed as the snapshot; the rest is the campaign.
    const written = readdirSync(join(dir, 'camp-run')).filter((f) => !f.startsWith('snapshot.json'));
    expect(written).toContain('campaign.json');
    // A pack is sealed with a signing key, so the run signed its campaign record too.
    expect(written).toContain('campaign.json.sig');
    const e = entries('camp-run.zip');
    for (const f of written)
      expect(sha256Hex(e.get(`report/campaign/${f}`)!), f).toBe(
        sha256Hex(readFileSync(join(dir, 'camp-run', f))),
      );
    expect(sha256Hex(e.get('snapshot.json')!)).toBe(
      sha256Hex(readFileSync(join(dir, 'camp-run', 'snapshot.json'))),
    );
    expect((await verify('camp-run.zip')).code).toBe(0);
  });

  it('without a signing key, refuses before the first request (exit 2)', async () => {
    sim.resetStats();
    const r = await cli(
      [
        'run',
        '--org',
        ORG,
        '--base-url',
        sim.baseUrl,
        '--out-dir',
        'run-nokey',
        '--quiet',
        '--evidence',
        'nokey.zip',
      ],
      { env: COLLECT_ENV, now: at(3) },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('an evidence pack is sealed: no signing key configured');
    expect(sim.stats().requests).toBe(0);
  });
});

/** The input options of packArgs as `packArgv` orders them (the manifest's record). */
function packArgsInOrder(): string[] {
  const order = [
    'snapshot',
    'report-dir',
    'signoff',
    'workbook',
    'plan',
    'apply-log',
    'verify',
    'next-snapshot',
    'previous',
  ];
  const out: string[] = [];
  for (const o of order) out.push(`--${o}`, packArgs[packArgs.indexOf(`--${o}`) + 1]!);
  return [...out, '--signing-key', signingKey];
}

describe('evidence verify of a pack', () => {
  it('exits 0 when every hash, the seal and the chain hold', async () => {
    const r = await verify('review-2026Q4.zip');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const fp = fingerprint.replace(/[+/]/g, '\\$&');
    expect(r.stdout).toMatch(
      new RegExp(
        `^ok review-2026Q4\\.zip: evidence pack, \\d+ file\\(s\\) match the manifest; sealed by ${fp} \\(a given verify key\\); chain: 16 link\\(s\\) hold\\n`,
      ),
    );
    // Each evidence signature packed beside its file, checked on the packed bytes: whose, and when.
    const signed = [
      ...r.stdout.matchAll(/^ {2}(\S+): (.+) signed by (\S+) at \S+ \(a given verify key\)$/gm),
    ];
    expect(signed.map((m) => [m[1], m[2], m[3]])).toEqual(
      [
        ['apply-log.json', 'apply log'],
        ['next-snapshot.json', 'snapshot'],
        ['previous-snapshot.json', 'snapshot'],
        ['revocation-plan.json', 'revocation plan'],
        ['signoff.json', 'sign-off'],
        ['snapshot.json', 'snapshot'],
      ].map(([f, k]) => [f, k, fingerprint]),
    );
    const noKey = await cli(['evidence', 'verify', 'review-2026Q4.zip']);
    expect(noKey.code).toBe(0);
    expect(noKey.stdout).toContain('the key recorded in the pack: give --verify-key to check who sealed it');
    expect(noKey.stdout).toContain(`  snapshot.json: snapshot signed by ${fingerprint} at `);
    expect(noKey.stdout).toContain(', the key its signature records\n');
  });

  it("checks each packed evidence signature, even in a pack re-sealed with the sealer's key (exit 1)", async () => {
    // A forged signature: the signature field changed, the pack re-sealed so every hash holds.
    const r = await verify(resealed('forged-sig.zip', { 'signoff.json.sig': forgedSignoffSig() }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `  - signoff.json.sig: $.signature: the signature of signoff.json does not verify with ${fingerprint}, the key it records (forged or altered signature file); refused`,
    );
    // A degenerate key (a point of small order) with a degenerate signature verifies any statement:
    // refused even where no verify key is given and the key a signature records is all there is.
    const smallOrder = Buffer.alloc(32);
    smallOrder[0] = 1;
    const anything = Buffer.alloc(64);
    anything[0] = 1;
    const degenerate = Buffer.from(
      JSON.stringify({
        ...signoffSig(),
        publicKey: smallOrder.toString('base64'),
        signature: anything.toString('base64'),
      }),
    );
    const d = await cli([
      'evidence',
      'verify',
      resealed('degenerate-sig.zip', { 'signoff.json.sig': degenerate }),
    ]);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(
      / {2}- signoff\.json\.sig: \$\.publicKey: records a degenerate key \(SHA256:\S+\) whose signature verifies any content; refused/,
    );
    // The same for the seal: without a verify key, a degenerate key could seal any manifest.
    const e = entries('review-2026Q4.zip');
    const seal = JSON.parse(Buffer.from(e.get('manifest.sig.json')!).toString('utf8'));
    e.set(
      'manifest.sig.json',
      Buffer.from(
        JSON.stringify({
          ...seal,
          publicKey: smallOrder.toString('base64'),
          signature: anything.toString('base64'),
        }),
      ),
    );
    const ds = await cli(['evidence', 'verify', rezip('degenerate-seal.zip', e)]);
    expect(ds.code).toBe(1);
    expect(ds.stderr).toContain(
      '  - manifest.sig.json: sealed with a degenerate key whose signature verifies any manifest',
    );
    // A snapshot signed by another key: named unless that key is given too.
    const other = await cli(['evidence', 'keygen', '--out-dir', 'keys-other']);
    expect(other.code).toBe(0);
    const otherFp = /key fingerprint (SHA256:\S+)/.exec(other.stdout)![1]!;
    const key = parseSigningKey(readFileSync(join(dir, 'keys-other', 'signing-key.pem'), 'utf8'), 'test');
    const snapshot = entries('review-2026Q4.zip').get('snapshot.json')!;
    const resigned = serializeSignature(
      signEvidence({
        bytes: snapshot,
        kind: 'snapshot',
        key,
        signedAt: at(1),
        tool: { name: 't', version: '0' },
      }),
    );
    const zip = resealed('other-signer.zip', { 'snapshot.json.sig': Buffer.from(resigned) });
    const one = await verify(zip);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain(
      `  - snapshot.json.sig: snapshot.json signed by ${otherFp}, which is not a given verify key (${fingerprint}); give the evidence signer's public key with another --verify-key if you trust it`,
    );
    const both = await cli([
      'evidence',
      'verify',
      zip,
      '--verify-key',
      verifyKey,
      '--verify-key',
      join(dir, 'keys-other', 'verify-key.pem'),
    ]);
    // Both keys trusted, and the signature verifies: but the sign-off recorded who had signed the
    // snapshot when the decisions were read against it, and that was not this key.
    expect(both.code).toBe(1);
    expect(both.stderr).toContain(
      `  - chain: signoff.json $.snapshot.signature: signoff.json records snapshot.json signed by ${fingerprint} at `,
    );
    expect(both.stderr).toContain(`but the packed signature is by ${otherFp} at ${at(1).toISOString()}`);
  });

  it('names a changed byte in any file (exit 1)', async () => {
    const original = entries('review-2026Q4.zip');
    expect(original.size).toBeGreaterThan(15);
    for (const [name, bytes] of original) {
      const copy = Uint8Array.from(bytes);
      // A byte of a sha256 in the manifest and of the signature in the seal ('0' <-> any other digit
      // keeps hex hex and base64 base64, so the change is only the byte); the middle byte elsewhere.
      const text = Buffer.from(bytes).toString('latin1');
      const i =
        name === 'manifest.json'
          ? text.indexOf('"sha256": "') + 11
          : name === 'manifest.sig.json'
            ? text.indexOf('"signature": "') + 20
            : Math.floor(copy.length / 2);
      if (name === 'manifest.json' || name === 'manifest.sig.json') copy[i] = copy[i] === 0x30 ? 0x31 : 0x30;
      else copy[i] = copy[i]! ^ 0x01;
      const changed = new Map(original).set(name, copy);
      const r = await verify(rezip('changed.zip', changed));
      expect(r.code, name).toBe(1);
      expect(r.stdout).toBe('');
      if (name === 'manifest.json') {
        expect(r.stderr).toContain('  - manifest.json: sha256 is');
        expect(r.stderr).toContain('(the manifest was changed)');
      } else if (name === 'manifest.sig.json')
        expect(r.stderr).toContain(
          '  - manifest.sig.json: the signature does not verify (forged or altered seal)',
        );
      else expect(r.stderr).toContain(`  - ${name}: changed (sha256 ${sha256Hex(copy)}`);
    }
  });

  it('names a removed file and an added file (exit 1)', async () => {
    const removed = entries('review-2026Q4.zip');
    removed.delete('signoff.json');
    const r = await verify(rezip('removed.zip', removed));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '  - signoff.json: removed (the manifest lists it, the pack does not hold it)',
    );
    const added = entries('review-2026Q4.zip');
    added.set('report/extra.html', Buffer.from('<p>added later</p>'));
    const a = await verify(rezip('added.zip', added));
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('  - report/extra.html: added (in the pack, not in the manifest)');
    expect(a.stderr).toContain('evidence verify: 1 of 1 pack(s) do not match their manifest (exit 1)');
  });

  it('names a swapped snapshot even when the manifest was re-sealed with the right key: the chain breaks', async () => {
    const swapped = readFileSync(join(dir, 'next.json'));
    const r = await verify(resealed('swapped.zip', { 'snapshot.json': swapped }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `  - chain: signoff.json $.snapshot.sha256: signoff.json names sha256 ${sha256Hex(readFileSync(join(dir, 'q4.json')))} but snapshot.json has ${sha256Hex(swapped)}`,
    );
    expect(r.stderr).toContain('  - chain: revocation-plan.json $.snapshotSha256:');
    expect(r.stderr).toContain('  - chain: apply-log.json $.snapshot.sha256:');
    expect(r.stderr).toContain('  - chain: report/access-review.json $.meta.snapshotSha256:');
    expect(r.stderr).not.toContain('snapshot.json: changed (sha256');
    // The collector's signature, checked on the packed bytes, names the swap too.
    expect(r.stderr).toContain('  - snapshot.json: changed since it was signed: its sha256 is');
  });

  it('names a swapped previous snapshot (re-sealed): not an earlier collection, not the one the report compared with', async () => {
    const later = readFileSync(join(dir, 'next.json'));
    const r = await verify(resealed('previous.zip', { 'previous-snapshot.json': later }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `  - chain: previous-snapshot.json $.collectedAt: previous-snapshot.json was collected ${at(27).toISOString()}, not before snapshot.json (${at(1).toISOString()})`,
    );
    expect(r.stderr).toContain(
      `  - chain: report/access-review.json $.changes.previous.snapshotSha256: report/access-review.json names sha256 ${sha256Hex(readFileSync(join(dir, 'q3.json')))} but previous-snapshot.json has ${sha256Hex(later)}`,
    );
    // A snapshot of other organizations is no previous review of these.
    const other = JSON.parse(readFileSync(join(dir, 'q3.json'), 'utf8'));
    other.organizations[0].id = 'ffffffffffffffffffffffff';
    const r2 = await verify(
      resealed('other-orgs.zip', { 'previous-snapshot.json': Buffer.from(JSON.stringify(other)) }),
    );
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain(
      '  - chain: previous-snapshot.json $.organizations[*].id: previous-snapshot.json holds none of the organizations of snapshot.json',
    );
  });

  it('names a verify result that names another sign-off (re-sealed)', async () => {
    const v = JSON.parse(readFileSync(join(dir, 'verify.json'), 'utf8'));
    v.signoff.sha256 = 'a'.repeat(64);
    const r = await verify(resealed('verify.zip', { 'verify.json': Buffer.from(JSON.stringify(v)) }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `  - chain: verify.json $.signoff.sha256: verify.json names sha256 ${'a'.repeat(64)} but signoff.json has ${sha256Hex(readFileSync(join(dir, 'evidence', 'signoff.json')))}`,
    );
  });

  it('evidence pack refuses a previous snapshot that is not an earlier collection (exit 2)', async () => {
    const r = await cli([
      ...packArgs.map((a) => (a === 'q3.json' ? 'next.json' : a)),
      '--out',
      'wrong-previous.zip',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('previous-snapshot.json $.collectedAt');
  });

  it('refuses a manifest re-sealed with another key, naming the sealer', async () => {
    const theirs = tempDir('aar-mallory-');
    await cli(['evidence', 'keygen', '--out-dir', theirs]);
    const k = parseSigningKey(readFileSync(join(theirs, 'signing-key.pem'), 'utf8'), 'test');
    const e = entries('review-2026Q4.zip');
    const manifest = JSON.parse(Buffer.from(e.get('manifest.json')!).toString('utf8')) as Manifest;
    manifest.verdict.gateFailed = false;
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    e.set('manifest.json', bytes);
    e.set('manifest.sig.json', Buffer.from(JSON.stringify(sealManifest(bytes, k))));
    const r = await verify(rezip('resealed.zip', e));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `manifest.sig.json: sealed by ${k.fingerprint}, which is not a given verify key (${fingerprint})`,
    );
  });

  describe('malformed zips are refused (exit 2), nothing extracted', () => {
    const listDir = () => readdirSync(dir).sort();
    async function refused(zip: string, message: string) {
      const listing = listDir();
      const r = await verify(zip);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('nothing was extracted');
      expect(listDir()).toEqual(listing);
    }
    /** A zip whose entry `from` is renamed `to` (same length) in the local and central headers. */
    function renamed(name: string, files: Record<string, string>, from: string, to: string): string {
      const zip = Buffer.from(
        zipSync(
          Object.fromEntries(Object.entries(files).map(([n, t]) => [n, [Buffer.from(t), { level: 0 }]])),
        ),
      );
      writeFileSync(join(dir, name), Buffer.from(zip.toString('latin1').split(from).join(to), 'latin1'));
      return name;
    }

    it('path traversal', () =>
      refused(renamed('traversal.zip', { 'xx/evil.txt': 'x' }, 'xx/evil', '../evil'), 'path traversal'));
    it('an absolute path', () =>
      refused(
        renamed('absolute.zip', { 'xetc/passwd': 'x' }, 'xetc/passwd', '/etc/passwd'),
        'absolute path',
      ));
    it('duplicate names', () =>
      refused(
        renamed('dup.zip', { 'a.json': '1', 'b.json': '2' }, 'b.json', 'a.json'),
        'entry a.json appears twice',
      ));
    it('a name that is also the folder of another (no file system extracts both)', () =>
      refused(
        renamed('clash.zip', { 'report/x': '1', 'report/x/y.json': '2' }, 'x', 'x'),
        'entry report/x is both a file and the folder of report/x/y.json',
      ));
    it('a zip bomb', () => {
      writeFileSync(join(dir, 'bomb.zip'), zipSync({ 'manifest.json': new Uint8Array(4 * 1024 * 1024) }));
      return refused('bomb.zip', 'a zip bomb?');
    });
    it('not a zip at all', () => {
      writeFileSync(join(dir, 'text.zip'), 'hello');
      return refused('text.zip', 'cannot read it as a zip');
    });
    it('a huge manifest', async () => {
      const huge = Buffer.from(`{"x":"${'a1b2'.repeat(2_500_000)}"}`);
      writeFileSync(join(dir, 'huge.zip'), zipSync({ 'manifest.json': [huge, { level: 0 }] }));
      const r = await verify('huge.zip');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('manifest.json is over the size limit');
    });
  });
});

describe('evidence verify: a signature beside its evidence file is checked whatever role the manifest gives it', () => {
  const notVerifying = `signoff.json.sig: $.signature: the signature of signoff.json does not verify with ${'<fp>'}`;

  it('a forged signature listed as a report file is still checked (exit 1)', async () => {
    const zip = resealed('sig-as-report.zip', { 'signoff.json.sig': forgedSignoffSig() }, (m) => {
      m.files.find((f) => f.name === 'signoff.json.sig')!.role = 'report';
    });
    for (const r of [await verify(zip), await cli(['evidence', 'verify', zip])]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(notVerifying.replace('<fp>', fingerprint));
    }
  });

  it('the evidence file is known by its entry name, not by the role the manifest gives it (exit 1)', async () => {
    const zip = resealed('evidence-as-roster.zip', { 'signoff.json.sig': forgedSignoffSig() }, (m) => {
      for (const f of m.files) if (f.name.startsWith('signoff.json')) f.role = 'roster';
    });
    const r = await verify(zip);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(notVerifying.replace('<fp>', fingerprint));
  });

  it('evidence pack --report-dir of a split run folder: campaign.json.sig is checked (forged: exit 1)', async () => {
    // The folder `run --split-by reviewer` wrote (an earlier test), packed whole as the report folder.
    const copy = (to: string) => {
      const files = readdirSync(join(dir, 'camp-run'));
      const out = join(dir, to);
      if (!existsSync(out)) mkdirSync(out);
      for (const f of files) writeFileSync(join(out, f), readFileSync(join(dir, 'camp-run', f)));
      return files;
    };
    const pack = (folder: string, zip: string) =>
      cli([
        'evidence',
        'pack',
        '--snapshot',
        `${folder}/snapshot.json`,
        '--report-dir',
        folder,
        '--fail-on',
        'never',
        '--key',
        signingKey,
        '--out',
        zip,
      ]);
    expect(copy('camp-good')).toContain('campaign.json.sig');
    expect((await pack('camp-good', 'camp-good.zip')).code).toBe(0);
    const good = await verify('camp-good.zip');
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(
      /^ {2}report\/campaign\.json: campaign record signed by \S+ at \S+ \(a given verify key\)$/m,
    );
    copy('camp-forged');
    const sigPath = join(dir, 'camp-forged', 'campaign.json.sig');
    const sig = JSON.parse(readFileSync(sigPath, 'utf8'));
    const b64 = Buffer.from(sig.signature, 'base64');
    b64[0] = b64[0]! ^ 0x01;
    const forgedSig = Buffer.from(JSON.stringify({ ...sig, signature: b64.toString('base64') }));
    writeFileSync(sigPath, forgedSig);
    // evidence pack checks the pack as evidence verify will, before writing it: refused, nothing written.
    const refused = await pack('camp-forged', 'camp-forged.zip');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'cannot pack: report/campaign.json.sig: $.signature: the signature of report/campaign.json does not verify',
    );
    expect(existsSync(join(dir, 'camp-forged.zip'))).toBe(false);
    // The same forgery carried into the good pack, re-sealed by the key holder: evidence verify finds it.
    const forged = await verify(
      resealed('camp-forged.zip', { 'report/campaign.json.sig': forgedSig }, () => {}, 'camp-good.zip'),
    );
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain(
      'report/campaign.json.sig: $.signature: the signature of report/campaign.json does not verify',
    );
  });
});

describe('evidence verify: an evidence file packed without its signature', () => {
  it('is named as not signed, so a signature taken out of a re-sealed pack is seen', async () => {
    const e = entries('review-2026Q4.zip');
    e.delete('snapshot.json.sig');
    const manifest = JSON.parse(Buffer.from(e.get('manifest.json')!).toString('utf8')) as Manifest;
    manifest.files = manifest.files.filter((f) => f.name !== 'snapshot.json.sig');
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    e.set('manifest.json', bytes);
    const k = parseSigningKey(readFileSync(signingKey, 'utf8'), 'test');
    e.set('manifest.sig.json', Buffer.from(JSON.stringify(sealManifest(bytes, k))));
    const r = await verify(rezip('unsigned-snapshot.zip', e));
    // Evidence may be packed unsigned (collected before a key was configured): said, not refused.
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '  snapshot.json: snapshot, not signed (the pack holds no snapshot.json.sig)\n',
    );
    expect(r.stdout).not.toMatch(/^ {2}snapshot\.json: snapshot signed by/m);
    expect((await verify('review-2026Q4.zip')).stdout).not.toContain('not signed');
  });
});
