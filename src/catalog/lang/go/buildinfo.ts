// Locating and decoding the build information the Go linker embeds in every binary it writes since
// Go 1.13: a 32-byte header starting with the magic "\xff Go buildinf:" (16-byte aligned, at the
// start of the .go.buildinfo section in ELF, __DATA,__go_buildinfo in Mach-O, .data in PE), then
// - Go >= 1.18 ("inline", flags bit 1 set): two varint-length-prefixed strings follow the header,
//   the toolchain version and the module information;
// - Go < 1.18 ("pointer"): the header holds the pointer size (byte 14), the byte order (byte 15,
//   bit 0: big-endian) and two virtual addresses of Go string headers {data pointer, length} for
//   runtime.buildVersion and runtime.modinfo, resolved through the executable's segments.
// The module information is framed by two 16-byte sentinels, recognised (as the Go tool does) by
// the newline 17 bytes before its end; it is stripped here.
import { BerthError } from "../../../util/errors.js";
import { parseExecutables, readVirtual, type Executable } from "../binary/exe.js";

const MAGIC = Buffer.from("\xff Go buildinf:", "latin1");
const HEADER = 32;
const ALIGN = 16;
/** How far into a data region the header is looked for (the Go tool reads 64 KiB). */
const SEARCH_WINDOW = 64 * 1024;
/** Bounds on the two strings: a real module list is well below a megabyte. */
export const MAX_VERSION_BYTES = 1024;
export const MAX_MODINFO_BYTES = 4 * 1024 * 1024;

export interface RawBuildInfo {
  /** Toolchain version as embedded: "go1.21.5", "go1.22.0 X:boringcrypto", "devel go1.23-…". */
  readonly goVersion: string;
  /** Module information text without its sentinels; "" for a binary built outside module mode. */
  readonly modinfo: string;
  readonly format: "inline" | "pointer";
  readonly executable: Executable["format"];
}

function corrupt(msg: string): BerthError {
  return new BerthError("corrupt", `Go build information: ${msg}`);
}

/** Aligned offsets of the magic inside [start, end) of buf, alignment counted from `start`. */
function* magicOffsets(buf: Buffer, start: number, end: number): Generator<number> {
  let from = start;
  while (from < end) {
    const i = buf.indexOf(MAGIC, from);
    if (i < 0 || i + HEADER > end) return;
    if ((i - start) % ALIGN === 0) yield i;
    from = i + 1;
  }
}

function uvarint(buf: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const b = buf[at + i];
    if (b === undefined) throw corrupt("truncated string length");
    value += (b & 0x7f) * scale;
    if (value > Number.MAX_SAFE_INTEGER) throw corrupt("string length overflows");
    if ((b & 0x80) === 0) return { value, next: at + i + 1 };
    scale *= 128;
  }
  throw corrupt("string length varint is too long");
}

function inlineString(buf: Buffer, at: number, max: number, what: string): { value: string; next: number } {
  const { value: len, next } = uvarint(buf, at);
  if (len > max) throw corrupt(`${what} of ${len} bytes exceeds ${max}`);
  if (next + len > buf.length) throw corrupt(`${what} extends past the end of the file`);
  return { value: buf.toString("utf8", next, next + len), next: next + len };
}

function pointerBytes(data: Buffer, exe: Executable, headerAddr: bigint, ptrSize: number, bigEndian: boolean, max: number, what: string): Buffer {
  const readPtr = (b: Buffer, at: number): bigint => (ptrSize === 8 ? (bigEndian ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at)) : BigInt(bigEndian ? b.readUInt32BE(at) : b.readUInt32LE(at)));
  const hdr = readVirtual(data, exe, headerAddr, 2 * ptrSize);
  if (!hdr || hdr.length < 2 * ptrSize) throw corrupt(`${what} string header at 0x${headerAddr.toString(16)} is not mapped`);
  const ptr = readPtr(hdr, 0);
  const len = readPtr(hdr, ptrSize);
  if (len > BigInt(max)) throw corrupt(`${what} of ${len} bytes exceeds ${max}`);
  if (len === 0n) return Buffer.alloc(0);
  const bytes = readVirtual(data, exe, ptr, Number(len));
  if (!bytes || bytes.length < Number(len)) throw corrupt(`${what} at 0x${ptr.toString(16)} is not mapped`);
  return bytes;
}

/** Removes the 16-byte sentinels around the module information, as the Go tool does. */
function stripFraming(raw: Buffer): string {
  return raw.length >= 33 && raw[raw.length - 17] === 0x0a ? raw.subarray(16, raw.length - 16).toString("utf8") : "";
}

function decodeAt(data: Buffer, exe: Executable, at: number): RawBuildInfo {
  const ptrSize = data[at + 14];
  const flags = data[at + 15] ?? 0;
  let goVersion: string;
  let modRaw: Buffer;
  let format: RawBuildInfo["format"];
  if (flags & 2) {
    format = "inline";
    const v = inlineString(data, at + HEADER, MAX_VERSION_BYTES, "version");
    goVersion = v.value;
    const { value: len, next } = uvarint(data, v.next);
    if (len > MAX_MODINFO_BYTES) throw corrupt(`module information of ${len} bytes exceeds ${MAX_MODINFO_BYTES}`);
    if (next + len > data.length) throw corrupt("module information extends past the end of the file");
    modRaw = data.subarray(next, next + len);
  } else {
    format = "pointer";
    if (ptrSize !== 4 && ptrSize !== 8) throw corrupt(`pointer size ${ptrSize}`);
    const big = (flags & 1) !== 0;
    const p = (off: number): bigint => (ptrSize === 8 ? (big ? data.readBigUInt64BE(off) : data.readBigUInt64LE(off)) : BigInt(big ? data.readUInt32BE(off) : data.readUInt32LE(off)));
    goVersion = pointerBytes(data, exe, p(at + 16), ptrSize, big, MAX_VERSION_BYTES, "version").toString("utf8");
    modRaw = pointerBytes(data, exe, p(at + 16 + ptrSize), ptrSize, big, MAX_MODINFO_BYTES, "module information");
  }
  if (goVersion === "") throw corrupt("empty toolchain version");
  if (!/^(go[0-9]|devel )/.test(goVersion) || [...goVersion].some((c) => c < " ")) throw corrupt(`toolchain version ${JSON.stringify(goVersion.slice(0, 40))} is not a Go version`);
  return { goVersion, modinfo: stripFraming(modRaw), format, executable: exe.format };
}

/** Data regions to search, best first, as the Go tool picks them per format. */
function searchRegions(exe: Executable): { named?: string; regions: { offset: number; size: number }[] } {
  const out: { offset: number; size: number }[] = [];
  const named = exe.sections.find((s) => (exe.format === "elf" && s.name === ".go.buildinfo") || (exe.format === "macho" && s.name === "__go_buildinfo"));
  if (named) return { named: named.name, regions: [named] };
  if (exe.format === "elf") {
    const seg = exe.mappings.find((m) => m.writable && !m.executable);
    if (seg) out.push(seg);
  } else if (exe.format === "macho") {
    const seg = exe.mappings.find((m) => m.name === "__DATA");
    if (seg) out.push(seg);
  } else {
    const data = exe.sections.find((s) => s.name === ".data") ?? exe.sections.find((s) => s.writable && s.size > 0);
    if (data) out.push(data);
  }
  return { regions: out };
}

/**
 * The build information of a Go binary; undefined when the file is not an executable or carries
 * none (not built by Go). Throws BerthError("corrupt") when a header is found but unreadable.
 */
export function readBuildInfo(file: Buffer): RawBuildInfo | undefined {
  let exes: ReturnType<typeof parseExecutables>;
  try {
    exes = parseExecutables(file);
  } catch (e) {
    // A damaged executable is only this reader's business when it carries the Go header.
    if (file.indexOf(MAGIC) < 0) return undefined;
    throw e;
  }
  if (!exes) return undefined;
  for (const { data, exe } of exes) {
    const { named, regions } = searchRegions(exe);
    for (const r of regions) {
      const end = Math.min(r.offset + r.size, r.offset + SEARCH_WINDOW);
      for (const at of magicOffsets(data, r.offset, end)) return decodeAt(data, exe, at);
    }
    // Only the Go linker names a section for build information: without a header it is damaged.
    if (named) throw corrupt(`section ${named} does not start with the build information header`);
    // Section table stripped (sstrip, some packers): the header is still in the file, 16-byte
    // aligned. A hit whose header does not decode is skipped here (it may be the magic as a
    // constant in a tool that reads build information, such as the go command itself).
    if (exe.sections.length > 0) continue;
    for (const at of magicOffsets(data, 0, data.length)) {
      try {
        return decodeAt(data, exe, at);
      } catch {
        continue;
      }
    }
  }
  return undefined;
}
