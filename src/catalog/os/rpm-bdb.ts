// The Berkeley DB hash database `Packages` (rpm ≤ 4.15 default: RHEL/CentOS ≤ 8, Amazon Linux 2,
// older SUSE). Keys are 4-byte package numbers (hnum), values are header blobs; nearly every value
// is larger than a page, so it lives on a chain of overflow pages referenced from a hash page.
//
// Layout read here (Berkeley DB 4.x–6.x, hash format versions 8–10):
//   page 0, metadata:  magic 0x061561 @12 (its byte order is the file's), version @16,
//                      pagesize @20, encrypt_alg @24, type 8 @25, metaflags @26, last_pgno @32
//   every page header: next_pgno @16, entries u16 @20, hf_offset u16 @22, type @25;
//                      26 bytes, 32 when the file is checksummed (metaflags & 1)
//   hash page (type 13, or 2 pre-4.6): `entries` u16 item offsets after the header, in
//                      key/value pairs; an item is a type byte then either inline bytes
//                      (H_KEYDATA 1, length from the previous item's offset) or
//                      H_OFFPAGE 3 { pad 3, pgno u32 @4, total length u32 @8 }
//   overflow page (type 7): hf_offset bytes of the value after the header; next_pgno chains on.
// We scan every page rather than walking buckets: simpler, and it cannot loop. Overflow chains are
// followed with a visited set and must add up to the declared length exactly.
import { BerthError, isBerthError } from "../../util/errors.js";
import type { RpmDbRead, RpmDbRecord } from "./rpm-header.js";

const HASH_MAGIC = 0x061561;
const BTREE_MAGIC = 0x053162;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const DBMETA_CHKSUM = 0x01;
const PAGE_HEADER = 26;
const PAGE_HEADER_CHKSUM = 32;

function corrupt(message: string): BerthError {
  return new BerthError("corrupt", `rpm Berkeley DB: ${message}`);
}

/** Damage confined to one record or page: reported, the rest still read. */
function damage(message: string): BerthError {
  return new BerthError("corrupt", message);
}

/** True when the bytes start like a Berkeley DB hash database (either byte order). */
export function isBdbHash(data: Buffer): boolean {
  if (data.length < 16) return false;
  return data.readUInt32LE(12) === HASH_MAGIC || data.readUInt32BE(12) === HASH_MAGIC;
}

interface Geometry {
  readonly buf: Buffer;
  readonly le: boolean;
  readonly pageSize: number;
  readonly pages: number;
  readonly overhead: number;
}

function u16(g: Geometry, at: number): number {
  return g.le ? g.buf.readUInt16LE(at) : g.buf.readUInt16BE(at);
}
function u32(g: Geometry, at: number): number {
  return g.le ? g.buf.readUInt32LE(at) : g.buf.readUInt32BE(at);
}

function readMeta(buf: Buffer): Geometry {
  if (buf.length < 512) throw corrupt(`truncated: ${buf.length} bytes, the metadata page alone needs 512`);
  let le: boolean;
  if (buf.readUInt32LE(12) === HASH_MAGIC) le = true;
  else if (buf.readUInt32BE(12) === HASH_MAGIC) le = false;
  else if (buf.readUInt32LE(12) === BTREE_MAGIC || buf.readUInt32BE(12) === BTREE_MAGIC) {
    throw new BerthError("unsupported", "rpm Berkeley DB: a btree database, not the hash database rpm uses for Packages");
  } else throw corrupt("not a Berkeley DB hash database (bad magic)");
  const read32 = (at: number): number => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const version = read32(16);
  if (version < 8 || version > 10) throw new BerthError("unsupported", `rpm Berkeley DB: hash version ${version} (supported: 8–10)`);
  const pageSize = read32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw corrupt(`bogus page size ${pageSize} (must be a power of two in 512..65536)`);
  }
  if (buf.readUInt8(24) !== 0) throw new BerthError("unsupported", "rpm Berkeley DB: encrypted database");
  if (buf.readUInt8(25) !== P_HASHMETA) throw corrupt(`page 0 has type ${buf.readUInt8(25)}, not hash metadata`);
  const overhead = (buf.readUInt8(26) & DBMETA_CHKSUM) !== 0 ? PAGE_HEADER_CHKSUM : PAGE_HEADER;
  const lastPgno = read32(32);
  const inFile = Math.floor(buf.length / pageSize);
  if (lastPgno >= inFile) throw corrupt(`truncated: last page ${lastPgno} but the file holds ${inFile} pages of ${pageSize} bytes`);
  return { buf, le, pageSize, pages: lastPgno + 1, overhead };
}

/**
 * Reassembles the overflow chain starting at page `first`, `total` bytes long. `used` collects
 * overflow pages across the whole file: a page belongs to one chain only, which both stops loops
 * and keeps a hostile file from making many records re-read one long chain.
 */
function readOverflow(g: Geometry, first: number, total: number, used: Set<number>): Buffer {
  if (total > g.pages * g.pageSize) throw damage(`declared length ${total} exceeds the file`);
  const parts: Buffer[] = [];
  const seen = new Set<number>();
  let got = 0;
  for (let pgno = first; pgno !== 0; ) {
    if (pgno >= g.pages) throw damage(`overflow page ${pgno} outside ${g.pages} pages`);
    if (seen.has(pgno)) throw damage(`overflow chain loops at page ${pgno}`);
    if (used.has(pgno)) throw damage(`overflow page ${pgno} already belongs to another record`);
    seen.add(pgno);
    used.add(pgno);
    const base = pgno * g.pageSize;
    if (g.buf.readUInt8(base + 25) !== P_OVERFLOW) throw damage(`page ${pgno} is not an overflow page`);
    const len = u16(g, base + 22);
    if (len > g.pageSize - g.overhead) throw damage(`overflow page ${pgno} claims ${len} bytes`);
    if (got + len > total) throw damage(`overflow chain longer than its declared ${total} bytes`);
    parts.push(g.buf.subarray(base + g.overhead, base + g.overhead + len));
    got += len;
    pgno = u32(g, base + 16);
  }
  if (got !== total) throw damage(`overflow chain holds ${got} of its declared ${total} bytes`);
  return Buffer.concat(parts, total);
}

interface Item {
  readonly type: number;
  readonly start: number;
  readonly length: number;
}

/** The items of one hash page, bounds-checked against the page. */
function pageItems(g: Geometry, pgno: number): Item[] {
  const base = pgno * g.pageSize;
  const entries = u16(g, base + 20);
  const indexEnd = g.overhead + entries * 2;
  if (indexEnd > g.pageSize) throw damage(`hash page ${pgno} claims ${entries} entries`);
  const items: Item[] = [];
  let previous = g.pageSize;
  for (let i = 0; i < entries; i++) {
    const offset = u16(g, base + g.overhead + i * 2);
    if (offset < indexEnd || offset >= previous) throw damage(`hash page ${pgno} item ${i} at bad offset ${offset}`);
    items.push({ type: g.buf.readUInt8(base + offset), start: base + offset, length: previous - offset });
    previous = offset;
  }
  return items;
}

function itemValue(g: Geometry, item: Item, used: Set<number>): Buffer | undefined {
  if (item.type === H_KEYDATA) return g.buf.subarray(item.start + 1, item.start + item.length);
  if (item.type === H_OFFPAGE) {
    if (item.length < 12) throw damage("short off-page item");
    return readOverflow(g, u32(g, item.start + 4), u32(g, item.start + 8), used);
  }
  return undefined;
}

/** Reads every key/value pair of a Berkeley DB hash `Packages` database. */
export function readBdbPackages(buf: Buffer): RpmDbRead {
  const g = readMeta(buf);
  const records: RpmDbRecord[] = [];
  const problems: string[] = [];
  const keys = new Set<number>();
  const used = new Set<number>();
  for (let pgno = 1; pgno < g.pages; pgno++) {
    const type = buf.readUInt8(pgno * g.pageSize + 25);
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    let items: Item[];
    try {
      items = pageItems(g, pgno);
    } catch (e) {
      if (!isBerthError(e)) throw e;
      problems.push(e.message);
      continue;
    }
    for (let i = 0; i + 1 < items.length; i += 2) {
      const keyItem = items[i];
      const valueItem = items[i + 1];
      if (keyItem === undefined || valueItem === undefined) break;
      try {
        const key = itemValue(g, keyItem, used);
        if (key === undefined) throw damage(`unsupported key item type ${keyItem.type}`);
        if (key.length !== 4) throw damage(`a ${key.length}-byte key is not an rpm package number`);
        const hnum = g.le ? key.readUInt32LE(0) : key.readUInt32BE(0);
        // Record 0 holds rpm's next-instance counter, not a header.
        if (hnum === 0 || keys.has(hnum)) continue;
        const blob = itemValue(g, valueItem, used);
        if (blob === undefined) throw damage(`unsupported value item type ${valueItem.type}`);
        keys.add(hnum);
        records.push({ key: hnum, blob });
      } catch (e) {
        if (!isBerthError(e)) throw e;
        problems.push(`hash page ${pgno} pair ${i / 2}: ${e.message}`);
      }
    }
  }
  records.sort((a, b) => a.key - b.key);
  return { records, problems };
}
