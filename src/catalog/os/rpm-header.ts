// An RPM header blob, as the rpm databases store it (BDB value, NDB blob, SQLite Packages.blob):
//
//   il  uint32 BE    number of index entries
//   dl  uint32 BE    length of the data store
//   il × { tag int32, type uint32, offset int32, count uint32 }   (big-endian, 16 bytes each)
//   dl bytes of data store
//
// There is no leading 8-byte header magic in the databases. Everything read from the blob is
// untrusted: the index is validated up front (counts, types, offsets, alignment, extents), and
// every string read is bounded by the data store. Region tags (HEADERIMMUTABLE …) are ignored: we
// read the final entries directly, the later of two entries with one tag winning, as rpm does
// when it loads a header with "dribble" entries appended after its immutable region.
import { BerthError } from "../../util/errors.js";

/** rpm's own bounds (lib/header.c: HEADER_TAGS_MAX, HEADER_DATA_MAX). */
export const HEADER_MAX_ENTRIES = 0xffff;
export const HEADER_MAX_DATA = 0x0fffffff;
/**
 * Most elements Berth decodes from one tag. rpm bounds an array only by the data length, so a
 * hostile 256 MB header could ask for 256 M empty strings; real packages own at most some
 * hundred thousand files.
 */
export const HEADER_MAX_ARRAY = 1 << 20;

export const RpmType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

export const RpmTag = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  LONGSIZE: 5009,
  MODULARITYLABEL: 5096,
} as const;

/** Byte size of one element of a fixed-size type (0 for variable-size types). */
const TYPE_SIZE: readonly number[] = [0, 1, 1, 2, 4, 8, 0, 1, 0, 0];

interface IndexEntry {
  readonly tag: number;
  readonly type: number;
  readonly offset: number;
  readonly count: number;
}

/** A validated header: its index by tag and its data store. */
export interface RpmHeader {
  readonly entries: ReadonlyMap<number, IndexEntry>;
  readonly data: Buffer;
}

function corrupt(message: string): BerthError {
  return new BerthError("corrupt", `rpm header: ${message}`);
}

/** Parse and validate the index of a header blob; the data is decoded lazily by the getters. */
export function parseHeaderBlob(blob: Buffer): RpmHeader {
  if (blob.length < 8) throw corrupt(`truncated: ${blob.length} bytes, need at least 8`);
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il < 1 || il > HEADER_MAX_ENTRIES) throw corrupt(`index entry count ${il} outside 1..${HEADER_MAX_ENTRIES}`);
  if (dl > HEADER_MAX_DATA) throw corrupt(`data length ${dl} exceeds ${HEADER_MAX_DATA}`);
  const dataStart = 8 + il * 16;
  const need = dataStart + dl;
  if (blob.length < need) throw corrupt(`truncated: ${blob.length} bytes, index and data need ${need}`);
  if (blob.length > need) throw corrupt(`${blob.length - need} unexpected bytes after the data store`);
  const data = blob.subarray(dataStart, need);
  const entries = new Map<number, IndexEntry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = blob.readInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    const size = TYPE_SIZE[type];
    if (size === undefined) throw corrupt(`entry ${i} (tag ${tag}) has unknown type ${type}`);
    if (offset < 0 || offset > dl) throw corrupt(`entry ${i} (tag ${tag}) offset ${offset} outside data of ${dl} bytes`);
    if (size > 1 && offset % size !== 0) throw corrupt(`entry ${i} (tag ${tag}) offset ${offset} is not ${size}-byte aligned`);
    if (count < 1 || count > dl) throw corrupt(`entry ${i} (tag ${tag}) count ${count} outside 1..${dl}`);
    if (size > 0 && offset + count * size > dl) throw corrupt(`entry ${i} (tag ${tag}) extends past the data store`);
    if (type === RpmType.STRING && count !== 1) throw corrupt(`entry ${i} (tag ${tag}) is a STRING with count ${count}`);
    entries.set(tag, { tag, type, offset, count });
  }
  return { entries, data };
}

function checkArray(e: IndexEntry): void {
  if (e.count > HEADER_MAX_ARRAY) {
    throw new BerthError("limit", `rpm header: tag ${e.tag} holds ${e.count} elements, over the ${HEADER_MAX_ARRAY} Berth decodes`);
  }
}

/** Reads `count` NUL-terminated strings starting at `offset`, never past the data store. */
function readStrings(h: RpmHeader, e: IndexEntry): string[] {
  checkArray(e);
  const out: string[] = [];
  let at = e.offset;
  for (let i = 0; i < e.count; i++) {
    const end = h.data.indexOf(0, at);
    if (end < 0) throw corrupt(`tag ${e.tag}: string ${i} is not NUL-terminated inside the data store`);
    out.push(h.data.toString("utf8", at, end));
    at = end + 1;
  }
  return out;
}

function entryOfTypes(h: RpmHeader, tag: number, types: readonly number[]): IndexEntry | undefined {
  const e = h.entries.get(tag);
  if (e === undefined) return undefined;
  if (!types.includes(e.type)) throw corrupt(`tag ${tag} has unexpected type ${e.type}`);
  return e;
}

/** A STRING (or the first I18NSTRING) tag; undefined when absent. */
export function headerString(h: RpmHeader, tag: number): string | undefined {
  const e = entryOfTypes(h, tag, [RpmType.STRING, RpmType.I18NSTRING]);
  if (e === undefined) return undefined;
  return readStrings(h, { ...e, count: 1 })[0];
}

/** A STRING_ARRAY (or I18NSTRING, or single STRING) tag; undefined when absent. */
export function headerStrings(h: RpmHeader, tag: number): string[] | undefined {
  const e = entryOfTypes(h, tag, [RpmType.STRING_ARRAY, RpmType.I18NSTRING, RpmType.STRING]);
  return e === undefined ? undefined : readStrings(h, e);
}

/** An integer tag of any width (CHAR, INT8…INT64) as numbers; undefined when absent. */
export function headerInts(h: RpmHeader, tag: number): number[] | undefined {
  const e = entryOfTypes(h, tag, [RpmType.CHAR, RpmType.INT8, RpmType.INT16, RpmType.INT32, RpmType.INT64]);
  if (e === undefined) return undefined;
  checkArray(e);
  const out: number[] = [];
  for (let i = 0; i < e.count; i++) {
    switch (e.type) {
      case RpmType.CHAR:
      case RpmType.INT8:
        out.push(h.data.readUInt8(e.offset + i));
        break;
      case RpmType.INT16:
        out.push(h.data.readUInt16BE(e.offset + i * 2));
        break;
      case RpmType.INT32:
        out.push(h.data.readUInt32BE(e.offset + i * 4));
        break;
      default: {
        const v = h.data.readBigUInt64BE(e.offset + i * 8);
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`tag ${tag}: value ${v} is too large`);
        out.push(Number(v));
      }
    }
  }
  return out;
}

function headerInt(h: RpmHeader, tag: number): number | undefined {
  return headerInts(h, tag)?.[0];
}

/** The fields of an installed package that Berth uses. */
export interface RpmPackageHeader {
  readonly name: string;
  readonly version: string;
  readonly release: string;
  /** Present only when the header records an EPOCH tag (rpm's %{EVR} shows it then, even 0). */
  readonly epoch?: number;
  readonly arch?: string;
  /** "name-version-release.src.rpm". */
  readonly sourceRpm?: string;
  readonly license?: string;
  readonly vendor?: string;
  /** Installed size in bytes (LONGSIZE when present, else SIZE). */
  readonly size?: number;
  readonly modularityLabel?: string;
  /** Owned paths, absolute as rpm records them ("/usr/bin/bash"). */
  readonly files: readonly string[];
}

/** The owned file list: BASENAMES + DIRNAMES + DIRINDEXES, or the legacy OLDFILENAMES. */
export function headerFiles(h: RpmHeader): string[] {
  const basenames = headerStrings(h, RpmTag.BASENAMES);
  if (basenames === undefined) return headerStrings(h, RpmTag.OLDFILENAMES) ?? [];
  const dirnames = headerStrings(h, RpmTag.DIRNAMES) ?? [];
  const dirindexes = headerInts(h, RpmTag.DIRINDEXES) ?? [];
  if (dirindexes.length !== basenames.length) {
    throw corrupt(`${basenames.length} BASENAMES but ${dirindexes.length} DIRINDEXES`);
  }
  return basenames.map((base, i) => {
    const dir = dirnames[dirindexes[i] ?? -1];
    if (dir === undefined) throw corrupt(`DIRINDEXES[${i}] = ${dirindexes[i]} outside ${dirnames.length} DIRNAMES`);
    return dir + base;
  });
}

function required(h: RpmHeader, tag: number, name: string): string {
  const v = headerString(h, tag);
  if (v === undefined || v === "") throw corrupt(`no ${name}`);
  return v;
}

function optionalString(h: RpmHeader, tag: number): string | undefined {
  const v = headerString(h, tag);
  return v === undefined || v === "" ? undefined : v;
}

/** Drops keys whose value is undefined, so records compare and serialise cleanly. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Parse a header blob into the package fields Berth uses. Throws BerthError ("corrupt", "limit"). */
export function readPackageHeader(blob: Buffer): RpmPackageHeader {
  const h = parseHeaderBlob(blob);
  return compact<RpmPackageHeader>({
    name: required(h, RpmTag.NAME, "NAME"),
    version: required(h, RpmTag.VERSION, "VERSION"),
    release: required(h, RpmTag.RELEASE, "RELEASE"),
    epoch: headerInt(h, RpmTag.EPOCH),
    arch: optionalString(h, RpmTag.ARCH),
    sourceRpm: optionalString(h, RpmTag.SOURCERPM),
    license: optionalString(h, RpmTag.LICENSE),
    vendor: optionalString(h, RpmTag.VENDOR),
    size: headerInt(h, RpmTag.LONGSIZE) ?? headerInt(h, RpmTag.SIZE),
    modularityLabel: optionalString(h, RpmTag.MODULARITYLABEL),
    files: headerFiles(h),
  });
}

/** One record read from an rpm database: its key (hnum / pkgidx) and its header blob. */
export interface RpmDbRecord {
  readonly key: number;
  readonly blob: Buffer;
}

/**
 * What a database reader returns. Structural damage (bad magic, page size, slot table) throws a
 * BerthError instead; `problems` are per-record faults that left the other records readable.
 */
export interface RpmDbRead {
  readonly records: readonly RpmDbRecord[];
  readonly problems: readonly string[];
}
