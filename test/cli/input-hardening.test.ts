/**
 * Input files that once got through or crashed, and outputs that overwrote inputs:
 * - policy keys `constructor`, `toString` and `__proto__` were accepted silently (Object.prototype
 *   lookups; zod records drop `__proto__`): now unknown, exit 2 naming the file and JSON path;
 * - a 20,000-deep rule condition overflowed the stack (exit 70): now exit 2 naming the path;
 * - `report s.json --json s.json --force` overwrote its own evidence: now refused, exit 2.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONDITION_DEPTH } from '../../src/rules/load.js';
import { q3, writeSnapshotFile } from '../fixtures/review/estate.js';
import { runCliForTest, tempDir } from '../helpers/cli.js';

let dir: string;
let snap: string;
beforeAll(() => {
  dir = tempDir('aar-inputs-');
  snap = writeSnapshotFile(dir, 's.json', q3());
});

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('policy keys that are JavaScript object machinery are unknown keys (exit 2)', () => {
  it.each([
    [
      'p1.yaml',
      'rules:\n  stale-last-auth:\n    params:\n      constructor: 5\n',
      '$.rules["stale-last-auth"].params.constructor: rule "stale-last-auth" has no param "constructor"',
    ],
    [
      'p2.yaml',
      'rules:\n  stale-last-auth:\n    params:\n      toString: 5\n',
      '$.rules["stale-last-auth"].params.toString: rule "stale-last-auth" has no param "toString"',
    ],
    [
      'p3.yaml',
      'rules:\n  stale-last-auth:\n    params:\n      __proto__: 5\n',
      '$.rules["stale-last-auth"].params.__proto__: unknown key "__proto__"',
    ],
    ['p4.json', '{"rules": {"__proto__": {"enabled": false}}}', '$.rules.__proto__: unknown key "__proto__"'],
    [
      'p5.yaml',
      'rules:\n  constructor:\n    enabled: false\n',
      '$.rules.constructor: unknown rule id "constructor"',
    ],
    ['p6.json', '{"__proto__": {"failOn": "never"}}', '$.__proto__: unknown key "__proto__"'],
  ])('%s', async (name, text, expected) => {
    const policy = file(name, text);
    const r = await runCliForTest(['audit', snap, '--policy', policy]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${policy}: ${expected}`);
  });

  it('a waivers file with __proto__ is refused too', async () => {
    const waivers = file('w.json', '{"waivers": [], "__proto__": {"x": 1}}');
    const r = await runCliForTest(['audit', snap, '--waivers', waivers]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${waivers}: $.__proto__: unknown key "__proto__"`);
  });
});

describe('rule files', () => {
  const rule = (id: string, conditions: string, message = 'x') =>
    JSON.stringify({
      id,
      title: 't',
      severity: 'low',
      subject: 'user',
      description: 'd',
      rationale: 'r',
      remediation: 'm',
      references: [],
      message,
    }).replace(/}$/, `,"conditions":${conditions}}`);
  const leaf = '{"fact":"isActive","operator":"equal","value":true}';
  const rulesDir = (name: string, text: string) => {
    const d = tempDir('aar-rules-');
    writeFileSync(join(d, name), text);
    return d;
  };

  it('a 20,000-deep condition is refused at load (exit 2 naming the path), not a stack overflow', async () => {
    let deep = leaf;
    for (let i = 0; i < 20_000; i++) deep = `{"not":${deep}}`;
    const d = rulesDir('deep-rule.json', rule('deep-rule', `{"all":[${deep}]}`));
    const r = await runCliForTest(['rules', 'validate', d]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(2);
    const path = `$.conditions.all[0]${'.not'.repeat(MAX_CONDITION_DEPTH - 1)}`;
    expect(r.stderr).toContain(
      `${join(d, 'deep-rule.json')}: ${path}: conditions nest more than ${MAX_CONDITION_DEPTH} levels of all/any/not`,
    );
  });

  it('a condition nested exactly to the limit loads', async () => {
    let deep = leaf;
    for (let i = 0; i < MAX_CONDITION_DEPTH - 1; i++) deep = `{"not":${deep}}`;
    const d = rulesDir('ok-rule.json', rule('ok-rule', `{"all":[${deep}]}`));
    const r = await runCliForTest(['rules', 'validate', d]);
    expect(r.code).toBe(0);
  });

  it.each([
    [
      'a placeholder {{constructor}}',
      rule('p-rule', `{"all":[${leaf}]}`, '{{constructor}}'),
      '$.message: placeholder {{constructor}} names no fact',
    ],
    [
      'a fact named toString',
      rule('p-rule', '{"all":[{"fact":"toString","operator":"equal","value":true}]}'),
      '$.conditions.all[0].fact: unknown fact "toString"',
    ],
  ])('%s is unknown', async (_n, text, expected) => {
    const d = rulesDir('p-rule.json', text);
    const r = await runCliForTest(['rules', 'validate', d]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(expected);
  });
});

describe('an output never overwrites an input (exit 2, one line)', () => {
  it('report s.json --json s.json --force', async () => {
    const before = readFileSync(snap, 'utf8');
    const r = await runCliForTest(['report', snap, '--json', snap, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: --json ${snap} would overwrite the snapshot input file ${snap}\nhint: write the output to another file\n`,
    );
    expect(readFileSync(snap, 'utf8')).toBe(before);
  });

  it('through a symbolic link, and for the other inputs', async () => {
    const link = join(dir, 'link.json');
    symlinkSync(snap, link);
    const r = await runCliForTest(['report', snap, '--html', link, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--html ${link} would overwrite the snapshot input file`);
    const waivers = file('waivers.yaml', 'waivers: []\n');
    const r2 = await runCliForTest(['report', snap, '--markdown', waivers, '--waivers', waivers, '--force']);
    expect(r2.stderr).toContain(`--markdown ${waivers} would overwrite the --waivers input file`);
  });

  it('nor a key file: --signing-key, the key file of the environment, --verify-key', async () => {
    const keys = join(dir, 'keys');
    expect((await runCliForTest(['evidence', 'keygen', '--out-dir', keys])).code).toBe(0);
    const signing = join(keys, 'signing-key.pem');
    const verify = join(keys, 'verify-key.pem');
    const before = readFileSync(signing, 'utf8');
    // collect checks before its first request: no server is needed to see the refusal.
    const r = await runCliForTest(
      ['collect', '--org', '0123456789abcdef01234567', '-o', signing, '--signing-key', signing, '--force'],
      { env: { MONGODB_ATLAS_CLIENT_ID: 'mdb_sa_id_x', MONGODB_ATLAS_CLIENT_SECRET: 'mdb_sa_sk_x' } },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `the snapshot ${signing} would overwrite the --signing-key input file ${signing}`,
    );
    const r2 = await runCliForTest(['audit', snap, '--output', signing, '--force'], {
      env: { ATLAS_REVIEW_SIGNING_KEY_FILE: signing },
    });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`would overwrite the ATLAS_REVIEW_SIGNING_KEY_FILE input file ${signing}`);
    const r3 = await runCliForTest(['audit', snap, '--output', verify, '--verify-key', verify, '--force']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain(`would overwrite the --verify-key input file ${verify}`);
    expect(readFileSync(signing, 'utf8')).toBe(before);
  });

  it('audit --output onto the snapshot', async () => {
    const r = await runCliForTest(['audit', snap, '--output', snap, '--force']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--output ${snap} would overwrite the snapshot input file`);
  });

  it('diff --output onto the later snapshot, spelt another way', async () => {
    const later = writeSnapshotFile(dir, 'later.json', q3());
    const before = readFileSync(later, 'utf8');
    const r = await runCliForTest(
      ['diff', 's.json', 'later.json', '--output', './sub/../later.json', '--force'],
      {
        cwd: dir,
      },
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      '--output ./sub/../later.json would overwrite the <new> input file later.json',
    );
    expect(readFileSync(later, 'utf8')).toBe(before);
  });
});
