/**
 * Reading and writing ZIP packages in tests, to forge workbooks where exceljs cannot produce the
 * attack (external-link parts, XML edits, zip bombs). Reading uses the product's central-directory
 * reader; writing is a plain single-disk archive (APPNOTE.TXT 4.3), deflated unless told otherwise.
 */
import { crc32, createDeflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import { readZipDirectory } from '../../src/review/xlsx-package.js';

/** The entries of a ZIP, in archive order, inflated. */
export function readZip(bytes: Uint8Array): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readZipDirectory(bytes)) {
    const data = Buffer.from(bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize));
    out.set(e.name, e.method === 0 ? data : inflateRawSync(data));
  }
  return out;
}

/** One entry to write; `declaredSize` overrides the uncompressed size the directory states. */
export interface ZipInput {
  name: string;
  data: Buffer | string;
  /** Already deflated bytes (for bombs built in chunks), with the real uncompressed size and CRC. */
  deflated?: { bytes: Buffer; size: number; crc: number };
  declaredSize?: number;
}

/** Writes a ZIP archive of `entries`. */
export function writeZip(entries: readonly ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const raw = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
    const compressed = e.deflated?.bytes ?? deflateRawSync(raw);
    const size = e.declaredSize ?? e.deflated?.size ?? raw.length;
    const crc = e.deflated?.crc ?? crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, compressed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + compressed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** Rewrites a ZIP with `edit` applied to its entries (a Map of name -> bytes, in order). */
export function editZip(bytes: Uint8Array, edit: (entries: Map<string, Buffer>) => void): Buffer {
  const entries = readZip(bytes);
  edit(entries);
  return writeZip([...entries].map(([name, data]) => ({ name, data })));
}

/**
 * `size` bytes of `unit` repeated, deflated as one stream fed 1 MiB at a time (a test never holds the
 * inflated data): a zip bomb's payload, with its real size and CRC.
 */
export async function deflatedRepeat(
  unit: string,
  size: number,
): Promise<{ bytes: Buffer; size: number; crc: number }> {
  const step = Buffer.from(unit.repeat(Math.ceil(1048576 / unit.length))).subarray(0, 1048576);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const finished = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = 0;
  for (let left = size; left > 0; ) {
    const part = step.subarray(0, Math.min(left, step.length));
    crc = crc32(part, crc);
    left -= part.length;
    if (!deflate.write(part)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await finished;
  return { bytes: Buffer.concat(out), size, crc };
}
