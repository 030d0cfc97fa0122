// A small synchronous ZIP reader for archives held in memory (jar, war, ear, hpi/jpi), following
// PKWARE's APPNOTE: the end-of-central-directory record (and its ZIP64 form), the central
// directory, local headers, "stored" and "deflated" entries. It is synchronous because the
// cataloger contract's summarize() is (yauzl, the project's zip library, only has an asynchronous
// API); it reads only what it is asked for, and every size, offset and count is checked against
// the buffer and the caller's bounds before use.
//
// Archives with bytes before the zip (Spring Boot "fully executable" jars start with a shell
// script) are handled by measuring how far the central directory really is from where the end
// record says it is, as unzip does.
import { crc32, inflateRawSync } from "node:zlib";
import { BerthError } from "../../../util/errors.js";

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Absolute offset of the local header in the buffer. */
  readonly localOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;
const MAX_COMMENT = 0xffff;

function corrupt(msg: string): BerthError {
  return new BerthError("corrupt", `malformed zip: ${msg}`);
}

function u64(buf: Buffer, at: number, what: string): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} ${v} is out of range`);
  return Number(v);
}

/** True when the bytes look like a zip (a local header first, or an end record near the end). */
export function looksLikeZip(buf: Buffer): boolean {
  return buf.length >= 22 && (buf.readUInt32LE(0) === LOC || findEocd(buf) >= 0);
}

function findEocd(buf: Buffer): number {
  const stop = Math.max(0, buf.length - 22 - MAX_COMMENT);
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD && i + 22 + buf.readUInt16LE(i + 20) <= buf.length) return i;
  }
  return -1;
}

/**
 * The central directory. Throws BerthError("corrupt") for a damaged archive and
 * BerthError("limit") when it declares more than `maxEntries` entries.
 */
export function listZip(buf: Buffer, maxEntries: number): ZipEntry[] {
  if (buf.length < 22) throw corrupt("too short to be a zip");
  const eocd = findEocd(buf);
  if (eocd < 0) throw corrupt("no end of central directory record");
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  let recordAt = eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc >= 0 && buf.readUInt32LE(loc) === EOCD64_LOCATOR) {
      // The locator gives the record's offset from the zip start; with nothing prepended that is
      // its position, otherwise the record (without extensible data) sits just before the locator.
      const stated = u64(buf, loc + 8, "ZIP64 end record offset");
      const rec = stated + 56 <= loc && buf.readUInt32LE(stated) === EOCD64 ? stated : loc - 56;
      if (rec < 0 || buf.readUInt32LE(rec) !== EOCD64) throw corrupt("ZIP64 end record not found");
      count = u64(buf, rec + 32, "ZIP64 entry count");
      cdSize = u64(buf, rec + 40, "ZIP64 directory size");
      cdOffset = u64(buf, rec + 48, "ZIP64 directory offset");
      recordAt = rec;
    }
  }
  if (count > maxEntries) throw new BerthError("limit", `zip declares ${count} entries, more than the bound of ${maxEntries}`);
  const cdStart = recordAt - cdSize;
  if (cdStart < 0) throw corrupt("central directory larger than the file");
  // Bytes prepended to the archive shift every offset by the same amount.
  const shift = cdStart - cdOffset;
  if (shift < 0) throw corrupt("central directory offset points past its record");
  const out: ZipEntry[] = [];
  let at = cdStart;
  for (let i = 0; i < count; i++) {
    if (at + 46 > recordAt || buf.readUInt32LE(at) !== CEN) throw corrupt(`central directory entry ${i} is damaged`);
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    let csize = buf.readUInt32LE(at + 20);
    let usize = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    let local = buf.readUInt32LE(at + 42);
    const end = at + 46 + nameLen + extraLen + commentLen;
    if (end > recordAt) throw corrupt(`central directory entry ${i} runs past the directory`);
    const name = buf.toString(flags & 0x800 ? "utf8" : "latin1", at + 46, at + 46 + nameLen);
    // ZIP64 extended information: only the fields whose 32-bit value is saturated, in order.
    if (usize === 0xffffffff || csize === 0xffffffff || local === 0xffffffff) {
      let x = at + 46 + nameLen;
      const xend = x + extraLen;
      while (x + 4 <= xend) {
        const id = buf.readUInt16LE(x);
        const size = buf.readUInt16LE(x + 2);
        if (x + 4 + size > xend) break;
        if (id === 0x0001) {
          let f = x + 4;
          const take = (): number => {
            if (f + 8 > x + 4 + size) throw corrupt(`ZIP64 field of ${name} is truncated`);
            const v = u64(buf, f, "ZIP64 size");
            f += 8;
            return v;
          };
          if (usize === 0xffffffff) usize = take();
          if (csize === 0xffffffff) csize = take();
          if (local === 0xffffffff) local = take();
          break;
        }
        x += 4 + size;
      }
    }
    out.push({ name, method, flags, crc32: crc, compressedSize: csize, uncompressedSize: usize, localOffset: local + shift });
    at = end;
  }
  return out;
}

export interface ReadBounds {
  /** Largest uncompressed size accepted for this entry. */
  readonly maxBytes: number;
  /** Largest uncompressed/compressed ratio accepted for entries above 1 MiB. */
  readonly maxRatio: number;
}

/** One entry's bytes, inflated within the bounds and checked against its declared size and CRC. */
export function readZipEntry(buf: Buffer, e: ZipEntry, bounds: ReadBounds): Buffer {
  if (e.flags & 1) throw new BerthError("unsupported", `zip entry ${e.name} is encrypted`);
  if (e.uncompressedSize > 1024 * 1024 && e.uncompressedSize > Math.max(1, e.compressedSize) * bounds.maxRatio) {
    throw new BerthError("limit", `zip entry ${e.name} expands ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}:1, above the ratio bound of ${bounds.maxRatio}:1 (possible zip bomb)`);
  }
  if (e.uncompressedSize > bounds.maxBytes) throw new BerthError("limit", `zip entry ${e.name} expands to ${e.uncompressedSize} bytes, more than the ${bounds.maxBytes} left in the bound`);
  const h = e.localOffset;
  if (h < 0 || h + 30 > buf.length || buf.readUInt32LE(h) !== LOC) throw corrupt(`local header of ${e.name} not found`);
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  if (start + e.compressedSize > buf.length) throw corrupt(`data of ${e.name} runs past the end of the archive`);
  const raw = buf.subarray(start, start + e.compressedSize);
  let data: Buffer;
  if (e.method === 0) {
    if (e.compressedSize !== e.uncompressedSize) throw corrupt(`stored entry ${e.name} has different sizes`);
    data = raw;
  } else if (e.method === 8) {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.uncompressedSize) });
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw new BerthError("limit", `zip entry ${e.name} expands past its declared ${e.uncompressedSize} bytes`);
      throw corrupt(`entry ${e.name} does not inflate (${(err as Error).message})`);
    }
  } else throw new BerthError("unsupported", `zip entry ${e.name} uses compression method ${e.method}`);
  if (data.length !== e.uncompressedSize) throw corrupt(`entry ${e.name} is ${data.length} bytes, declared ${e.uncompressedSize}`);
  if (crc32(data) !== e.crc32) throw corrupt(`entry ${e.name} fails its CRC-32 check`);
  return data;
}
