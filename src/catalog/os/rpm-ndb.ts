// rpm's own "ndb" package database `Packages.db` (SUSE since 15 SP3, some Fedora/Mageia builds).
// All integers are little-endian.
//
//   file header (32 bytes):  "RpmP" @0, version 0 @4, generation @8, slot pages @12, next pkgidx @16
//   slot table:              `slot pages` pages of 4096 bytes starting at 0; the header takes the
//                            first 32 bytes, then 16-byte slots { "Slot", pkgidx, blkoff, blkcnt };
//                            blkoff 0 marks a free slot
//   blobs, in 16-byte blocks at blkoff×16, blkcnt blocks long:
//     head { "BlbS", pkgidx, timestamp, bloblen }, bloblen bytes of header blob, zero padding,
//     tail { adler32 of head+blob+padding, bloblen, "BlbE" }
// A slot table that is not well formed is structural damage (rpm refuses the whole file too);
// a blob that fails its checks is a per-record problem.
import { BerthError, isBerthError } from "../../util/errors.js";
import type { RpmDbRead, RpmDbRecord } from "./rpm-header.js";

const MAGIC_HEADER = 0x506d7052; // "RpmP"
const MAGIC_SLOT = 0x746f6c53; // "Slot"
const MAGIC_BLOB_HEAD = 0x53626c42; // "BlbS"
const MAGIC_BLOB_TAIL = 0x45626c42; // "BlbE"
const PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLK_SIZE = 16;
const HEADER_SIZE = 32;
const BLOB_HEAD = 16;
const BLOB_TAIL = 12;

function corrupt(message: string): BerthError {
  return new BerthError("corrupt", `rpm ndb: ${message}`);
}

/** Damage confined to one blob: reported, the rest still read. */
function damage(message: string): BerthError {
  return new BerthError("corrupt", message);
}

export function isNdb(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32LE(0) === MAGIC_HEADER;
}

/** Adler-32 (RFC 1950), as rpm's ndb uses for blob checksums. */
export function adler32(data: Buffer, start: number, end: number): number {
  let a = 1;
  let b = 0;
  for (let i = start; i < end; ) {
    const stop = Math.min(end, i + 5552);
    for (; i < stop; i++) {
      a += data[i] ?? 0;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

interface Slot {
  /** Byte offset of the slot in the file, for messages. */
  readonly at: number;
  readonly pkgidx: number;
  readonly blkoff: number;
  readonly blkcnt: number;
}

function where(slot: Slot): string {
  return `package ${slot.pkgidx} (slot at byte ${slot.at})`;
}

/** Checks a blob's head and tail against its slot; returns where its bytes and tail lie. */
function blobExtent(buf: Buffer, slot: Slot): { start: number; tail: number; bloblen: number } {
  const start = slot.blkoff * BLK_SIZE;
  const tail = start + slot.blkcnt * BLK_SIZE - BLOB_TAIL;
  if (buf.readUInt32LE(start) !== MAGIC_BLOB_HEAD) throw damage("bad blob head magic");
  const owner = buf.readUInt32LE(start + 4);
  if (owner !== slot.pkgidx) throw damage(`blob belongs to package ${owner}`);
  const bloblen = buf.readUInt32LE(start + 12);
  if (Math.ceil((BLOB_HEAD + bloblen + BLOB_TAIL) / BLK_SIZE) !== slot.blkcnt) {
    throw damage(`blob length ${bloblen} does not fit its ${slot.blkcnt} blocks`);
  }
  if (buf.readUInt32LE(tail + 8) !== MAGIC_BLOB_TAIL) throw damage("bad blob tail magic");
  if (buf.readUInt32LE(tail + 4) !== bloblen) throw damage("blob head and tail lengths differ");
  return { start, tail, bloblen };
}

/** Reads every package blob of an ndb `Packages.db`. */
export function readNdbPackages(buf: Buffer): RpmDbRead {
  if (buf.length < HEADER_SIZE) throw corrupt(`truncated: ${buf.length} bytes, the file header needs ${HEADER_SIZE}`);
  if (buf.readUInt32LE(0) !== MAGIC_HEADER) throw corrupt("not an ndb package database (bad magic)");
  const version = buf.readUInt32LE(4);
  if (version !== 0) throw new BerthError("unsupported", `rpm ndb: version ${version} (supported: 0)`);
  const slotPages = buf.readUInt32LE(12);
  if (slotPages < 1 || slotPages > Math.floor(buf.length / PAGE_SIZE)) {
    throw corrupt(`truncated or damaged: ${slotPages} slot pages but the file holds ${Math.floor(buf.length / PAGE_SIZE)}`);
  }
  const fileBlocks = Math.floor(buf.length / BLK_SIZE);
  const firstBlob = (slotPages * PAGE_SIZE) / BLK_SIZE;
  const problems: string[] = [];
  const slots: Slot[] = [];
  for (let at = HEADER_SIZE; at < slotPages * PAGE_SIZE; at += SLOT_SIZE) {
    if (buf.readUInt32LE(at) !== MAGIC_SLOT) throw corrupt(`slot at byte ${at} has a bad magic`);
    const slot = { at, pkgidx: buf.readUInt32LE(at + 4), blkoff: buf.readUInt32LE(at + 8), blkcnt: buf.readUInt32LE(at + 12) };
    if (slot.blkoff === 0) continue;
    if (slot.pkgidx === 0 || slot.blkcnt < 2 || slot.blkoff < firstBlob) {
      problems.push(`${where(slot)}: bad slot (blkoff ${slot.blkoff}, blkcnt ${slot.blkcnt})`);
    } else if (slot.blkoff + slot.blkcnt > fileBlocks) {
      problems.push(`${where(slot)}: blob at block ${slot.blkoff}+${slot.blkcnt} lies past the end of the file (truncated?)`);
    } else slots.push(slot);
  }
  // Blobs never overlap in a sound file (rpm checks the same); refusing blobs that overlap a
  // well-framed one also bounds the checksum work to one pass over the file.
  slots.sort((x, y) => x.blkoff - y.blkoff || x.at - y.at);
  const records: RpmDbRecord[] = [];
  const seen = new Set<number>();
  let end = firstBlob;
  for (const slot of slots) {
    if (slot.blkoff < end) {
      problems.push(`${where(slot)}: blob at block ${slot.blkoff} overlaps the previous blob`);
      continue;
    }
    if (seen.has(slot.pkgidx)) {
      problems.push(`${where(slot)}: duplicate package index`);
      continue;
    }
    try {
      const { start, tail, bloblen } = blobExtent(buf, slot);
      end = slot.blkoff + slot.blkcnt; // a well-framed blob owns its blocks, checksum or not
      if (buf.readUInt32LE(tail) !== adler32(buf, start, tail)) throw damage("blob checksum mismatch");
      records.push({ key: slot.pkgidx, blob: buf.subarray(start + BLOB_HEAD, start + BLOB_HEAD + bloblen) });
      seen.add(slot.pkgidx);
    } catch (e) {
      if (!isBerthError(e)) throw e;
      problems.push(`${where(slot)}: ${e.message}`);
    }
  }
  records.sort((a, b) => a.key - b.key);
  return { records, problems };
}
