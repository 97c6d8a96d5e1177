/**
 * The pack's zip container: written deterministically, read defensively, never extracted to disk.
 *
 * fflate rather than a hand-written writer: it is small, dependency-free, synchronous over bytes, lets
 * the writer fix each entry's time, and its `unzipSync` filter sees every central-directory entry
 * (name, declared sizes, method) before anything is inflated, which is where the reader refuses bombs,
 * traversal names and duplicates.
 */
import { unzipSync, zipSync } from 'fflate';
import { InputError } from '../errors.js';

/** Every entry carries this time, so the same files give the same bytes (DOS time starts in 1980). */
const FIXED_TIME = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

/** Limits of a pack a reader accepts (a review pack is a few files of a few MB). */
export const PACK_LIMITS = {
  zipBytes: 512 * 1024 * 1024,
  entries: 2000,
  entryBytes: 256 * 1024 * 1024,
  totalBytes: 1024 * 1024 * 1024,
  /** Largest inflated/compressed ratio of one entry; text compresses ~10-50x, bombs 1000x and more. */
  ratio: 200,
  manifestBytes: 8 * 1024 * 1024,
} as const;

/** One path segment of an entry name: no separators, no `..`, nothing a shell or Windows reads specially. */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/** Why an entry name is refused, or null when it is a plain relative path of safe segments. */
export function entryNameProblem(name: string): string | null {
  if (name.length > 400) return 'name longer than 400 characters';
  if (name.includes('\\')) return 'backslash in the name';
  if (name.startsWith('/')) return 'absolute path';
  const parts = name.split('/');
  for (const part of parts) {
    if (part === '..' || part === '.') return 'path traversal (`..` or `.` segment)';
    if (!SEGMENT.test(part)) return `unsafe path segment ${JSON.stringify(part.slice(0, 60))}`;
  }
  return null;
}

/**
 * A name among `names` that is also the folder of another (`report/campaign` beside
 * `report/campaign/campaign.json`): no file system can extract both. Null when there is none.
 */
export function fileFolderClash(names: Iterable<string>): { folder: string; name: string } | null {
  const all = new Set(names);
  for (const name of all) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join('/');
      if (all.has(folder)) return { folder, name };
    }
  }
  return null;
}

/** The zip of `files` (name -> bytes), entries sorted by name, fixed times, deflate level 9. */
export function writeZip(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const names = [...files.keys()].sort();
  const tree: Record<string, [Uint8Array, { mtime: Date; level: 9 }]> = {};
  for (const name of names) {
    const problem = entryNameProblem(name);
    if (problem) throw new Error(`bug: pack entry ${JSON.stringify(name)}: ${problem}`);
    tree[name] = [files.get(name)!, { mtime: FIXED_TIME, level: 9 }];
  }
  return zipSync(tree);
}

/**
 * The entries of a zip (name -> bytes), in memory. Refused as an InputError (exit 2) naming `shown`:
 * not a zip, too many or too large entries, a compression ratio of a bomb, unsafe or duplicate names, a
 * name that is also another's folder,
 * an entry whose inflated size differs from what the directory declares.
 */
export function readZip(bytes: Uint8Array, shown: string): Map<string, Uint8Array> {
  const refuse = (problem: string): never => {
    throw new InputError(shown, '$', `not a valid evidence pack: ${problem}; nothing was extracted`);
  };
  if (bytes.byteLength > PACK_LIMITS.zipBytes) refuse('the zip is over the size limit');
  const seen = new Set<string>();
  const declared = new Map<string, number>();
  let total = 0;
  let out: Record<string, Uint8Array>;
  try {
    out = unzipSync(bytes, {
      filter: (f) => {
        const problem = entryNameProblem(f.name);
        if (problem) refuse(`entry ${JSON.stringify(f.name.slice(0, 100))}: ${problem}`);
        if (seen.has(f.name)) refuse(`entry ${f.name} appears twice`);
        seen.add(f.name);
        if (seen.size > PACK_LIMITS.entries) refuse(`more than ${PACK_LIMITS.entries} entries`);
        if (f.compression !== 0 && f.compression !== 8)
          refuse(`entry ${f.name} uses compression method ${f.compression} (only stored and deflate)`);
        if (f.originalSize > PACK_LIMITS.entryBytes) refuse(`entry ${f.name} is over the size limit`);
        if (f.originalSize > Math.max(f.size, 1024) * PACK_LIMITS.ratio)
          refuse(`entry ${f.name} inflates ${f.size} bytes to ${f.originalSize} (a zip bomb?)`);
        total += f.originalSize;
        if (total > PACK_LIMITS.totalBytes) refuse('the entries together are over the size limit');
        declared.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof InputError) throw error;
    return refuse(`cannot read it as a zip (${(error as Error).message})`);
  }
  const clash = fileFolderClash(Object.keys(out));
  if (clash) refuse(`entry ${clash.folder} is both a file and the folder of ${clash.name}`);
  const entries = new Map<string, Uint8Array>();
  for (const name of Object.keys(out).sort()) {
    const data = out[name]!;
    if (data.byteLength !== declared.get(name))
      refuse(`entry ${name} inflates to ${data.byteLength} bytes, not the ${declared.get(name)} declared`);
    entries.set(name, data);
  }
  return entries;
}
