/**
 * Signed evidence end to end, on the simulator over real HTTP: a key pair from `evidence keygen`, then
 * collect, report, import, apply, collect and verify with signatures, and every attack of the issue:
 * - `multiFactorAuthRequired` edited in a signed snapshot: audit refuses it (exit 2, naming the file);
 * - `actions` emptied in a signed sign-off: review verify refuses it (and without a key, the counts do);
 * - a tampered revocation plan: review apply sends nothing; a tampered apply log: evidence verify refuses;
 * - a file re-signed with another key, a missing signature, a previous snapshot edited before `run`.
 * Unsigned evidence is said to be unsigned in the HTML, XLSX, Markdown, JSON and email outputs, and the
 * private key never appears in anything printed.
 */
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RevocationPlan } from '../../src/review/plan.js';
import type { Signoff } from '../../src/review/signoff.js';
import { type Simulator, startSimulator } from '../../src/sim/server.js';
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

let sim: Simulator;
let dir: string;
/** keys/signing-key.pem and keys/verify-key.pem, from `evidence keygen`. */
let signingKey: string;
let verifyKey: string;
let fingerprint: string;
/** Every line of the private key's PEM body: none may ever be printed. */
let secretLines: string[];
/** Everything any command of this file printed. */
const printed: string[] = [];

async function cli(argv: string[], opts: { env?: Record<string, string>; now?: Date } = {}): Promise<CliRun> {
  const r = await runCliForTest(argv, { cwd: dir, now: opts.now ?? at(25), env: opts.env ?? {} });
  printed.push(r.stdout, r.stderr);
  return r;
}

const withKey = (...argv: string[]) => [...argv, '--verify-key', verifyKey];
const signEnv = () => ({ ATLAS_REVIEW_SIGNING_KEY_FILE: signingKey });

function editJson<T>(file: string, edit: (v: T) => void): void {
  const v = JSON.parse(readFileSync(file, 'utf8')) as T;
  edit(v);
  writeFileSync(file, `${JSON.stringify(v, null, 2)}\n`);
}

/** Copies `name` (and its signature) to `copy` in the test folder. */
function copyWithSig(name: string, copy: string): string {
  cpSync(join(dir, name), join(dir, copy));
  cpSync(join(dir, `${name}.sig`), join(dir, `${copy}.sig`));
  return join(dir, copy);
}

function fill(k: string): RowFill {
  const base: RowFill = { decision: 'Keep', reviewer: 'lead@example.com', reviewedOn: at(20) };
  if (k === key('user', MALLORY) || k === key('user', INVITE) || k === key('apiKey', KEY))
    return { ...base, decision: 'Revoke' };
  if (k === key('serviceAccount', SA)) return { ...base, decision: 'Modify', comment: 'drop ORG_OWNER' };
  return { ...base, comment: 'needed for the on-call rota' };
}

beforeAll(async () => {
  dir = tempDir('aar-evidence-');
  const gen = await cli(['evidence', 'keygen', '--out-dir', 'keys']);
  expect(gen.code).toBe(0);
  signingKey = join(dir, 'keys', 'signing-key.pem');
  verifyKey = join(dir, 'keys', 'verify-key.pem');
  fingerprint = /key fingerprint (SHA256:\S+)/.exec(gen.stdout)![1]!;
  secretLines = readFileSync(signingKey, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'));
  // The review estate, with MFA not required: the finding the attack removes.
  const o = q3Org();
  o.settings = { ...o.settings!, multiFactorAuthRequired: false };
  sim = await startSimulator({
    organizations: [o],
    credentials: {
      serviceAccounts: [
        { ...READER, access: { orgRole: 'ORG_READ_ONLY' } },
        { ...WRITER, access: { orgRole: 'ORG_OWNER' } },
      ],
    },
    rateLimits: 'off',
  });
  const collected = await cli(
    [
      'collect',
      '--org',
      ORG,
      '--base-url',
      sim.baseUrl,
      '-o',
      join(dir, 'q3.json'),
      '--quiet',
      '--signing-key',
      signingKey,
    ],
    { env: COLLECT_ENV, now: at(1) },
  );
  expect(collected.stderr).toBe('');
  expect(collected.code).toBe(0);
});

afterAll(async () => {
  await sim.close();
  // Nothing any command printed, successful or not, held the private key.
  const all = printed.join('\n');
  for (const line of secretLines) expect(all).not.toContain(line);
});

describe('evidence keygen', () => {
  it('writes the private key with mode 600 and the public key, prints the fingerprint, never the key', async () => {
    expect(statSync(signingKey).mode & 0o777).toBe(0o600);
    expect(statSync(verifyKey).mode & 0o777).toBe(0o644);
    expect(readFileSync(signingKey, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readFileSync(verifyKey, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('refuses to overwrite a key pair without --force (exit 4), and replaces it with --force', async () => {
    const other = tempDir('aar-keys-');
    const first = await cli(['evidence', 'keygen', '--out-dir', other]);
    const before = readFileSync(join(other, 'signing-key.pem'), 'utf8');
    const again = await cli(['evidence', 'keygen', '--out-dir', other]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('already exists; not overwriting it');
    expect(readFileSync(join(other, 'signing-key.pem'), 'utf8')).toBe(before);
    const forced = await cli(['evidence', 'keygen', '--out-dir', other, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(other, 'signing-key.pem'), 'utf8')).not.toBe(before);
    expect(forced.stdout).not.toBe(first.stdout);
    expect(statSync(join(other, 'signing-key.pem')).mode & 0o777).toBe(0o600);
  });
});

describe('collect signs the snapshot; every reader checks it', () => {
  it('collect writes q3.json.sig beside the snapshot and prints the key fingerprint', () => {
    const sig = JSON.parse(readFileSync(join(dir, 'q3.json.sig'), 'utf8'));
    expect(sig).toMatchObject({
      algorithm: 'ed25519',
      kind: 'snapshot',
      keyFingerprint: fingerprint,
      signedAt: at(1).toISOString(),
      tool: { name: 'atlas-access-review' },
    });
    expect(printed.join('')).toContain(`signed ${join(dir, 'q3.json.sig')} with key ${fingerprint}`);
  });

  it('audit verifies it and says so; the MFA finding is there', async () => {
    const r = await cli(withKey('audit', 'q3.json', '--fail-on', 'never'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Evidence signed by ${fingerprint}, verified (snapshot q3.json).`);
    expect(r.stdout).toContain('mfa-not-required');
  });

  it('the attack: multiFactorAuthRequired edited to true removes the finding of an unchecked audit ...', async () => {
    const edited = copyWithSig('q3.json', 'edited.json');
    writeFileSync(
      edited,
      readFileSync(edited, 'utf8').replace(
        '"multiFactorAuthRequired": false',
        '"multiFactorAuthRequired": true',
      ),
    );
    const unchecked = await cli(['audit', 'edited.json', '--fail-on', 'never']);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).not.toContain('mfa-not-required');
    expect(unchecked.stdout).toContain('Evidence unsigned: no verify key was configured');
  });

  it('... and with a key configured, audit refuses the edited snapshot (exit 2, naming the file)', async () => {
    const r = await cli(withKey('audit', 'edited.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error: ${join(dir, 'edited.json')}: changed since it was signed: its sha256 is [0-9a-f]{12}…, the signature ${join(dir, 'edited.json.sig')} is for [0-9a-f]{12}…; refused\\n`,
      ),
    );
    expect(r.stdout).toBe('');
    // The signing key in the environment is enough: its public half is trusted.
    const viaEnv = await cli(['audit', 'edited.json'], { env: signEnv() });
    expect(viaEnv.code).toBe(2);
    expect(viaEnv.stderr).toContain('changed since it was signed');
  });

  it('refuses the edited snapshot re-signed with another key, naming the signer', async () => {
    const theirs = tempDir('aar-mallory-');
    await cli(['evidence', 'keygen', '--out-dir', theirs]);
    const edited = readFileSync(join(dir, 'edited.json'), 'utf8');
    writeFileSync(join(dir, 'forged.json'), edited);
    // Mallory's own tool run writes a valid signature with her key.
    const { writeEvidence } = await import('../../src/evidence/store.js');
    const { parseSigningKey } = await import('../../src/evidence/signature.js');
    await writeEvidence(
      join(dir, 'forged.json'),
      edited,
      'snapshot',
      {
        key: parseSigningKey(readFileSync(join(theirs, 'signing-key.pem'), 'utf8'), 'test'),
        signedAt: at(2),
        tool: { name: 'atlas-access-review', version: '0.1.0' },
      },
      { force: true },
    );
    const r = await cli(withKey('report', 'forged.json', '--json', 'forged-report.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'forged.json.sig')}: $.publicKey: signed by SHA256:`);
    expect(r.stderr).toContain(`which is not a configured verify key (${fingerprint})`);
    // Trusted when her key is configured too (--verify-key repeats).
    const both = await cli([
      ...withKey('audit', 'forged.json', '--fail-on', 'never'),
      '--verify-key',
      join(theirs, 'verify-key.pem'),
    ]);
    expect(both.code).toBe(0);
    expect(both.stdout).toMatch(/Evidence signed by SHA256:\S+, verified \(snapshot forged\.json\)/);
    expect(both.stdout).not.toContain(fingerprint);
  });

  it('refuses a snapshot without its signature when a key is configured', async () => {
    cpSync(join(dir, 'q3.json'), join(dir, 'nosig.json'));
    const r = await cli(withKey('diff', 'q3.json', 'nosig.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${join(dir, 'nosig.json')}: is not signed (no ${join(dir, 'nosig.json.sig')}), and a verify key is configured: unsigned snapshots are refused`,
    );
    // Without a key nothing is required.
    expect((await cli(['diff', 'q3.json', 'nosig.json'])).code).toBe(0);
  });

  it('run refuses, before the first request, a previous snapshot edited after it was signed', async () => {
    sim.resetStats();
    const r = await cli(
      [
        'run',
        '--org',
        ORG,
        '--base-url',
        sim.baseUrl,
        '--out-dir',
        'run-q4',
        '--previous',
        'edited.json',
        '--quiet',
      ],
      { env: { ...COLLECT_ENV, ...signEnv() } },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('edited.json: changed since it was signed');
    expect(sim.stats().requests).toBe(0);
  });

  it('run refuses a verify key without a signing key before the first request: what it writes would be refused', async () => {
    sim.resetStats();
    const r = await cli(
      withKey('run', '--org', ORG, '--base-url', sim.baseUrl, '--out-dir', 'run-x', '--quiet'),
      {
        env: COLLECT_ENV,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a verify key is configured but no signing key');
    expect(sim.stats().requests).toBe(0);
  });

  it('run signs its snapshot, reads it back checked, and its reports say verified (previous included)', async () => {
    const r = await cli(
      [
        'run',
        '--org',
        ORG,
        '--base-url',
        sim.baseUrl,
        '--out-dir',
        'run-q4',
        '--previous',
        'q3.json',
        '--quiet',
      ],
      { env: { ...COLLECT_ENV, ...signEnv() }, now: at(3) },
    );
    expect(r.stderr).not.toContain('error');
    expect(r.stdout).toContain(`signed ${join(dir, 'run-q4', 'snapshot.json.sig')} with key ${fingerprint}`);
    const md = readFileSync(join(dir, 'run-q4', 'access-review.md'), 'utf8');
    expect(md).toContain(
      `Evidence signed by ${fingerprint}, verified (snapshot snapshot.json, snapshot q3.json).`,
    );
  });
});

describe('every report says whether the evidence was signed and verified', () => {
  const statement = (json: string) =>
    (JSON.parse(readFileSync(join(dir, json), 'utf8')) as { meta: { evidence: { statement: string } } }).meta
      .evidence.statement;

  async function summaryCell(xlsx: string): Promise<string> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, xlsx));
    let value = '';
    wb.getWorksheet('Summary')!.eachRow((row) => {
      if (row.getCell(1).value === 'Evidence signature') value = String(row.getCell(2).value);
    });
    return value;
  }

  it('unsigned: HTML, XLSX Summary, Markdown, JSON and the email say so', async () => {
    const r = await cli(['report', 'q3.json', '--out-dir', 'unsigned', '--fail-on', 'never']);
    expect(r.code).toBe(0);
    const line =
      'Evidence unsigned: no verify key was configured, so nothing shows the snapshot was not edited after it was collected.';
    expect(statement('unsigned/access-review.json')).toBe(line);
    expect(readFileSync(join(dir, 'unsigned/access-review.md'), 'utf8')).toContain(line);
    expect(readFileSync(join(dir, 'unsigned/access-review.html'), 'utf8')).toContain(line);
    expect(await summaryCell('unsigned/access-review.xlsx')).toBe(line);
    const mail = await cli([
      'email',
      'q3.json',
      '--email-to',
      'security@example.com',
      '--email-from',
      'bot@example.com',
      '--eml',
      'unsigned.eml',
      '--fail-on',
      'never',
    ]);
    expect(mail.code).toBe(0);
    const eml = await simpleParser(readFileSync(join(dir, 'unsigned.eml')));
    expect(eml.text).toContain(line);
    expect(eml.html).toContain(line);
  });

  it('signed and verified: each names the key', async () => {
    const r = await cli(withKey('report', 'q3.json', '--out-dir', 'signed', '--fail-on', 'never'));
    expect(r.code).toBe(0);
    const line = `Evidence signed by ${fingerprint}, verified (snapshot q3.json).`;
    expect(statement('signed/access-review.json')).toBe(line);
    expect(readFileSync(join(dir, 'signed/access-review.md'), 'utf8')).toContain(line);
    expect(readFileSync(join(dir, 'signed/access-review.html'), 'utf8')).toContain(line);
    expect(await summaryCell('signed/access-review.xlsx')).toBe(line);
    const mail = await cli(
      withKey(
        'email',
        'q3.json',
        '--email-to',
        'security@example.com',
        '--email-from',
        'bot@example.com',
      ).concat(['--eml', 'signed.eml', '--fail-on', 'never']),
    );
    expect(mail.code).toBe(0);
    expect((await simpleParser(readFileSync(join(dir, 'signed.eml')))).text).toContain(line);
  });
});

describe('the review cycle signed: import, apply, collect, verify', () => {
  let evidence: string;
  const applyArgs = (plan = join(evidence, 'revocation-plan.json')) => [
    'review',
    'apply',
    plan,
    '--snapshot',
    'q3.json',
    '--workbook',
    'filled.xlsx',
    '--base-url',
    sim.baseUrl,
  ];

  beforeAll(async () => {
    evidence = join(dir, 'evidence');
    const report = await cli(withKey('report', 'q3.json', '--xlsx', 'review.xlsx', '--fail-on', 'never'), {
      now: at(2),
    });
    expect(report.code).toBe(0);
    await fillWorkbook(join(dir, 'review.xlsx'), join(dir, 'filled.xlsx'), fill);
  });

  it('review import checks the snapshot and signs the sign-off and the plan (key in the environment as PEM)', async () => {
    const r = await cli(
      ['review', 'import', 'filled.xlsx', '--snapshot', 'q3.json', '--out-dir', 'evidence'],
      {
        env: { ATLAS_REVIEW_SIGNING_KEY: readFileSync(signingKey, 'utf8') },
      },
    );
    expect(r.stderr).toContain('3 revoke, 1 modify');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`signed ${join(evidence, 'signoff.json.sig')} with key ${fingerprint}`);
    expect(r.stdout).toContain(
      `signed ${join(evidence, 'revocation-plan.json.sig')} with key ${fingerprint}`,
    );
    const sig = JSON.parse(readFileSync(join(evidence, 'revocation-plan.json.sig'), 'utf8'));
    expect(sig.kind).toBe('plan');
  });

  it('review import refuses an edited snapshot when a key is configured, writing nothing', async () => {
    const r = await cli(
      withKey('review', 'import', 'filled.xlsx', '--snapshot', 'edited.json', '--out-dir', 'evidence-edited'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('edited.json: changed since it was signed');
  });

  it('review apply refuses a tampered plan, naming the file, and sends nothing', async () => {
    const copy = join(dir, 'evidence-tampered');
    cpSync(evidence, copy, { recursive: true });
    editJson<RevocationPlan>(join(copy, 'revocation-plan.json'), (p) => {
      p.identities[0]!.calls[0]!.path = p.identities[0]!.calls[0]!.path.replace(
        KEY,
        'e0000000000000000000ffff',
      );
    });
    sim.resetStats();
    const r = await cli([...withKey(...applyArgs(join(copy, 'revocation-plan.json'))), '--yes'], {
      env: { ...COLLECT_ENV, ...APPLY_ENV },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${join(copy, 'revocation-plan.json')}: changed since it was signed`);
    expect(sim.stats().requests).toBe(0);
  });

  it('review apply carries the plan out and signs the apply log; evidence verify checks the whole set', async () => {
    const r = await cli([...applyArgs(), '--yes'], {
      env: { ...COLLECT_ENV, ...APPLY_ENV, ...signEnv() },
      now: at(26),
    });
    expect(r.stderr).toContain('0 failed');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`signed ${join(evidence, 'apply-log.json.sig')} with key ${fingerprint}`);
    const checked = await cli(
      withKey(
        'evidence',
        'verify',
        'q3.json',
        'evidence/signoff.json',
        'evidence/revocation-plan.json',
        'evidence/apply-log.json',
      ),
    );
    expect(checked.code).toBe(0);
    expect(checked.stdout.split('\n').filter(Boolean)).toEqual([
      `ok q3.json: snapshot signed by ${fingerprint} at ${at(1).toISOString()}`,
      `ok evidence/signoff.json: sign-off signed by ${fingerprint} at ${at(25).toISOString()}`,
      `ok evidence/revocation-plan.json: revocation plan signed by ${fingerprint} at ${at(25).toISOString()}`,
      `ok evidence/apply-log.json: apply log signed by ${fingerprint} at ${at(26).toISOString()}`,
    ]);
  });

  it('evidence verify refuses a tampered apply log (exit 2), and checks the rest', async () => {
    copyWithSig('evidence/apply-log.json', 'apply-log-tampered.json');
    editJson<{ calls: Array<{ outcome: string }> }>(join(dir, 'apply-log-tampered.json'), (log) => {
      log.calls[0]!.outcome = 'failed';
    });
    const r = await cli(withKey('evidence', 'verify', 'apply-log-tampered.json', 'q3.json', 'nosig.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FAILED apply-log-tampered.json: changed since it was signed');
    expect(r.stderr).toContain('FAILED nosig.json: is not signed (no nosig.json.sig)');
    expect(r.stderr).toContain('evidence verify: 2 of 3 file(s) refused (exit 2)');
    expect(r.stdout).toContain('ok q3.json: snapshot signed by');
    // A sign-off's signature does not vouch for it as a plan.
    const asPlan = await cli(withKey('evidence', 'verify', 'evidence/signoff.json', '--kind', 'plan'));
    expect(asPlan.code).toBe(2);
    expect(asPlan.stderr).toContain('as a sign-off, not a revocation plan');
    const noKey = await cli(['evidence', 'verify', 'q3.json']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('no verify key configured');
  });

  describe('review verify', () => {
    beforeAll(async () => {
      const q4 = await cli(
        [
          'collect',
          '--org',
          ORG,
          '--base-url',
          sim.baseUrl,
          '-o',
          join(dir, 'q4.json'),
          '--quiet',
          '--signing-key',
          signingKey,
        ],
        { env: COLLECT_ENV, now: at(27) },
      );
      expect(q4.code).toBe(0);
    });
    const verifyArgs = (signoff = 'evidence/signoff.json') => [
      'review',
      'verify',
      signoff,
      '--snapshot',
      'q4.json',
      '--reviewed-snapshot',
      'q3.json',
    ];

    it('checks the sign-off and both snapshots, and exits 0 when every Revoke was carried out', async () => {
      const r = await cli(withKey(...verifyArgs()), { now: at(28) });
      expect(r.stdout).toContain('3 revocation(s): 3 done, 0 not done, 0 unverifiable');
      expect(r.stdout).toContain(
        `Evidence signed by ${fingerprint}, verified (sign-off signoff.json, snapshot q3.json, snapshot q4.json).`,
      );
      expect(r.code).toBe(0);
    });

    it('needs the snapshot that was signed off, and says which', async () => {
      const r = await cli(['review', 'verify', 'evidence/signoff.json', '--snapshot', 'q4.json'], {
        now: at(28),
      });
      expect(r.code).toBe(2);
      const sha = (JSON.parse(readFileSync(join(evidence, 'signoff.json'), 'utf8')) as Signoff).snapshot
        .sha256;
      expect(r.stderr).toContain(
        `review verify needs the snapshot that was signed off, to check the sign-off's actions against it: q3.json, sha256 ${sha}`,
      );
      expect(r.stderr).toContain('hint: pass it with --reviewed-snapshot q3.json');
      const wrong = await cli([...verifyArgs().slice(0, -1), 'q4.json'], { now: at(28) });
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('q4.json: is not the snapshot that was signed off');
    });

    it('the attack: emptied actions in a signed sign-off are refused (exit 2), with a key and without', async () => {
      const forged = copyWithSig('evidence/signoff.json', 'signoff-emptied.json');
      editJson<Signoff>(forged, (s) => {
        s.actions = [];
      });
      const signed = await cli(withKey(...verifyArgs('signoff-emptied.json')), { now: at(28) });
      expect(signed.code).toBe(2);
      expect(signed.stderr).toContain('error: signoff-emptied.json: changed since it was signed');
      const unsigned = await cli(verifyArgs('signoff-emptied.json'), { now: at(28) });
      expect(unsigned.code).toBe(2);
      expect(unsigned.stderr).toContain(
        'error: signoff-emptied.json: $.counts.revoke: the sign-off: counts 3 Revoke decisions, but $.actions lists 0',
      );
      // audit --signoff reads it the same way.
      const audit = await cli(['audit', 'q4.json', '--signoff', 'signoff-emptied.json'], { now: at(28) });
      expect(audit.code).toBe(2);
      expect(audit.stderr).toContain('$.counts.revoke');
    });

    it('refuses, without a key, a sign-off whose Revoke names an id that was never in the snapshot', async () => {
      const forged = join(dir, 'signoff-other-id.json');
      cpSync(join(evidence, 'signoff.json'), forged);
      editJson<Signoff>(forged, (s) => {
        const a = s.actions.find((x) => x.id === MALLORY)!;
        a.id = 'b0000000000000000000ffff';
        a.key = `${ORG}:user:b0000000000000000000ffff`;
      });
      const r = await cli(verifyArgs('signoff-other-id.json'), { now: at(28) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /signoff-other-id\.json: \$\.actions\[\d\]\.id: user b0000000000000000000ffff .* is not an identity of the signed-off snapshot; refused/,
      );
    });
  });
});

describe('keys that cannot be used', () => {
  it('a key that is not an Ed25519 private key is refused before any request, without printing it', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    sim.resetStats();
    const r = await cli(
      ['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', join(dir, 'rsa.json'), '--quiet'],
      {
        env: { ...COLLECT_ENV, ATLAS_REVIEW_SIGNING_KEY: rsa },
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the signing key from ATLAS_REVIEW_SIGNING_KEY is an rsa key');
    for (const line of rsa.split('\n').filter((l) => l && !l.startsWith('-----')))
      expect(r.stderr).not.toContain(line);
    expect(sim.stats().requests).toBe(0);
  });

  it('a private key given as the verify key is refused, and not shown', async () => {
    const r = await cli(['audit', 'q3.json', '--verify-key', signingKey]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('holds a private key; a verify key is the public key');
  });

  it('both signing key variables set is ambiguous', async () => {
    const r = await cli(['audit', 'q3.json'], {
      env: { ATLAS_REVIEW_SIGNING_KEY: readFileSync(signingKey, 'utf8'), ...signEnv() },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('both ATLAS_REVIEW_SIGNING_KEY and ATLAS_REVIEW_SIGNING_KEY_FILE are set');
  });

  it('collect without a key over a signed snapshot removes the signature that would no longer match', async () => {
    copyWithSig('q3.json', 'recollect.json');
    const out = join(dir, 'recollect.json');
    const refused = await cli(['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', out, '--quiet'], {
      env: COLLECT_ENV,
    });
    expect(refused.code).toBe(4);
    const r = await cli(
      ['collect', '--org', ORG, '--base-url', sim.baseUrl, '-o', out, '--quiet', '--force'],
      { env: COLLECT_ENV },
    );
    expect(r.code).toBe(0);
    expect(() => statSync(join(dir, 'recollect.json.sig'))).toThrow();
  });
});
