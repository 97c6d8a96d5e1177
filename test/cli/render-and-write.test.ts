/**
 * `report` and `run` render their outputs one at a time, staging each beside its target as soon as it
 * is rendered, and put them in place only when every one rendered: a failure writes nothing and
 * leaves no temporary file, and only the formats the email attaches are kept in memory.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderAndWrite } from '../../src/cli/commands/report.js';
import { OutputError } from '../../src/errors.js';
import { buildReportModel, type ReportModel } from '../../src/report/model.js';
import { RENDERERS, type ReportFormat } from '../../src/report/renderers/index.js';
import { stageFile } from '../../src/util/files.js';
import { FIXED_NOW, FIXED_SHA, fixtureAudit, fixtureSnapshot } from '../fixtures/report/estate.js';
import { tempDir } from '../helpers/cli.js';

function model(): ReportModel {
  const snapshot = fixtureSnapshot({ hostile: false });
  return buildReportModel({
    snapshot,
    snapshotSha256: FIXED_SHA,
    audit: fixtureAudit(snapshot),
    generatedAt: FIXED_NOW,
  });
}

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const planned = (format: ReportFormat, path: string) => ({ format, path, shown: path });

describe('renderAndWrite', () => {
  it('writes every output, keeps in memory only the formats asked for, and prints one line per file', async () => {
    const lines: string[] = [];
    const outputs = [
      planned('json', join(dir, 'r.json')),
      planned('markdown', join(dir, 'sub', 'r.md')),
      planned('csv', join(dir, 'r.csv')),
    ];
    const kept = await renderAndWrite(
      model(),
      outputs,
      false,
      { stdout: (t) => lines.push(t) },
      'rule',
      new Set(['csv']),
    );
    for (const o of outputs) expect(existsSync(o.path)).toBe(true);
    expect([...kept.keys()]).toEqual(['csv']);
    expect(kept.get('csv')!.bytes).toBe(readFileSync(join(dir, 'r.csv'), 'utf8'));
    expect(lines.map((l) => l.split(' (')[0])).toEqual(outputs.map((o) => `wrote ${o.shown}`));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a renderer that fails after others were staged writes nothing and leaves no temporary file', async () => {
    vi.spyOn(RENDERERS.markdown, 'render').mockImplementation(() => {
      throw new Error('renderer broke');
    });
    writeFileSync(join(dir, 'keep.txt'), 'unrelated');
    const outputs = [
      planned('json', join(dir, 'r.json')),
      planned('csv', join(dir, 'r.csv')),
      planned('markdown', join(dir, 'r.md')),
    ];
    await expect(renderAndWrite(model(), outputs, false, { stdout: () => {} })).rejects.toThrow(
      'renderer broke',
    );
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('a renderer that fails leaves no folder behind that was made for the outputs staged before it', async () => {
    vi.spyOn(RENDERERS.markdown, 'render').mockImplementation(() => {
      throw new Error('renderer broke');
    });
    const out = join(dir, 'new', 'out');
    const outputs = [
      planned('json', join(out, 'r.json')),
      planned('csv', join(out, 'deeper', 'r.csv')),
      planned('markdown', join(out, 'r.md')),
    ];
    await expect(renderAndWrite(model(), outputs, false, { stdout: () => {} })).rejects.toThrow(
      'renderer broke',
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an output that appears while the others render is not overwritten, and nothing after it is written', async () => {
    const outputs = [planned('json', join(dir, 'r.json')), planned('markdown', join(dir, 'r.md'))];
    vi.spyOn(RENDERERS.markdown, 'render').mockImplementation(() => {
      writeFileSync(join(dir, 'r.json'), 'someone else');
      return '# report\n';
    });
    await expect(renderAndWrite(model(), outputs, false, { stdout: () => {} })).rejects.toThrow(
      /r\.json appeared while writing/,
    );
    expect(readFileSync(join(dir, 'r.json'), 'utf8')).toBe('someone else');
    expect(readdirSync(dir).sort()).toEqual(['r.json']);
  });

  it('an output that appears while a later one renders stops the set before any file is put in place', async () => {
    const outputs = [
      planned('json', join(dir, 'r.json')),
      planned('csv', join(dir, 'r.csv')),
      planned('markdown', join(dir, 'r.md')),
    ];
    vi.spyOn(RENDERERS.markdown, 'render').mockImplementation(() => {
      writeFileSync(join(dir, 'r.csv'), 'someone else');
      return '# report\n';
    });
    await expect(renderAndWrite(model(), outputs, false, { stdout: () => {} })).rejects.toThrow(
      /r\.csv appeared while writing/,
    );
    expect(readdirSync(dir)).toEqual(['r.csv']);
  });

  it('with --force, a target that is a directory is refused before anything is written', async () => {
    mkdirSync(join(dir, 'r.csv'));
    const outputs = [planned('json', join(dir, 'r.json')), planned('csv', join(dir, 'r.csv'))];
    await expect(renderAndWrite(model(), outputs, true, { stdout: () => {} })).rejects.toThrow(
      /r\.csv is a directory/,
    );
    expect(readdirSync(dir)).toEqual(['r.csv']);
    expect(readdirSync(join(dir, 'r.csv'))).toEqual([]);
  });

  it('a renderer that fails halfway through writing its pieces writes nothing, and its error is its own', async () => {
    vi.spyOn(RENDERERS.json, 'chunks').mockImplementation(function* () {
      yield '{\n';
      throw new Error('model broke halfway');
    });
    const outputs = [planned('csv', join(dir, 'r.csv')), planned('json', join(dir, 'r.json'))];
    const error = await renderAndWrite(model(), outputs, false, { stdout: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('model broke halfway');
    expect(error).not.toBeInstanceOf(OutputError);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('stageFile', () => {
  it('stages beside the target, commits by rename, and a discarded file is gone', async () => {
    mkdirSync(join(dir, 'a'));
    const one = await stageFile(join(dir, 'a', 'x.txt'), 'one', { force: false });
    expect(existsSync(join(dir, 'a', 'x.txt'))).toBe(false);
    expect(readdirSync(join(dir, 'a'))).toHaveLength(1);
    one.commit();
    expect(readFileSync(join(dir, 'a', 'x.txt'), 'utf8')).toBe('one');
    expect(() => one.commit()).toThrow(/twice/);
    const two = await stageFile(join(dir, 'a', 'y.txt'), 'two', { force: false });
    two.discard();
    expect(readdirSync(join(dir, 'a'))).toEqual(['x.txt']);
  });

  it('refuses an existing target without --force before writing anything', async () => {
    writeFileSync(join(dir, 'x.txt'), 'old');
    await expect(stageFile(join(dir, 'x.txt'), 'new', { force: false })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['x.txt']);
    const forced = await stageFile(join(dir, 'x.txt'), 'new', { force: true });
    forced.commit();
    expect(readFileSync(join(dir, 'x.txt'), 'utf8')).toBe('new');
  });

  it('a dangling symbolic link at the target is something there: refused without --force, left as it is', async () => {
    const link = join(dir, 'r.json');
    symlinkSync(join(dir, 'missing.json'), link);
    await expect(stageFile(link, 'new', { force: false })).rejects.toThrow(/already exists/);
    expect(readlinkSync(link)).toBe(join(dir, 'missing.json'));
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('never opens an existing temporary name, --force or not (a link planted there is not followed)', async () => {
    // The random part of the temporary name made predictable, as an attacker guessing it would need.
    vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation((a) => a);
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(dir, '.r.json.000000000000.tmp'));
    await expect(stageFile(join(dir, 'r.json'), 'attacker-chosen', { force: true })).rejects.toThrow(
      OutputError,
    );
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(existsSync(join(dir, 'r.json'))).toBe(false);
  });
});
