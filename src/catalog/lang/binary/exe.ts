// A small, bounds-checked reader for the section and segment tables of compiled executables:
// ELF (32/64-bit, either byte order), Mach-O (32/64-bit, and the first slices of a universal
// "fat" file) and PE/COFF (PE32 and PE32+). It answers the two questions the language catalogers
// ask of a binary: "where is section X in the file?" (Go's .go.buildinfo, cargo-auditable's
// .dep-v0) and "which file bytes are mapped at virtual address A?" (Go's pre-1.18 buildinfo holds
// pointers). Layouts follow the published formats: the System V gABI (ELF), Apple's
// <mach-o/loader.h> and <mach-o/fat.h>, and Microsoft's PE Format specification.
//
// Every offset and count read from the file is untrusted: tables are checked against the buffer
// before reading and counts are capped, so a hostile header throws BerthError("corrupt") rather
// than reading out of bounds or looping for long.
import { BerthError } from "../../../util/errors.js";

export type ExeFormat = "elf" | "macho" | "pe";

export interface ExeSection {
  readonly name: string;
  /** Mach-O segment name ("__DATA"); absent for ELF and PE. */
  readonly segment?: string;
  /** File offset of the section's bytes; size 0 when it occupies no file space (.bss, zerofill). */
  readonly offset: number;
  readonly size: number;
  readonly addr: bigint;
  readonly writable: boolean;
}

/** File bytes mapped at a virtual address (ELF PT_LOAD, Mach-O segment, PE section). */
export interface ExeMapping {
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
  readonly writable: boolean;
  readonly executable: boolean;
  /** Mach-O segment name or PE section name, for picking a data region. */
  readonly name?: string;
}

export interface Executable {
  readonly format: ExeFormat;
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  readonly sections: readonly ExeSection[];
  readonly mappings: readonly ExeMapping[];
}

/** Most sections, segments or load commands read from one table (real binaries have < 100). */
const MAX_TABLE = 65_536;
/** Most slices read from a universal Mach-O file. */
const MAX_FAT_SLICES = 16;

function corrupt(what: string): BerthError {
  return new BerthError("corrupt", `malformed executable: ${what}`);
}

/** Bounds-checked little/big-endian reads over one buffer. */
class View {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}
  private check(off: number, n: number, what: string): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + n > this.buf.length) throw corrupt(`${what} at offset ${off} is outside the file`);
  }
  u16(off: number, what: string): number {
    this.check(off, 2, what);
    return this.le ? this.buf.readUInt16LE(off) : this.buf.readUInt16BE(off);
  }
  u32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }
  u64(off: number, what: string): bigint {
    this.check(off, 8, what);
    return this.le ? this.buf.readBigUInt64LE(off) : this.buf.readBigUInt64BE(off);
  }
  /** An unsigned word of the file's width. */
  word(off: number, bits: 32 | 64, what: string): bigint {
    return bits === 64 ? this.u64(off, what) : BigInt(this.u32(off, what));
  }
  /** A NUL-terminated string inside [off, off+max). */
  cstr(off: number, max: number, what: string): string {
    this.check(off, 0, what);
    const end = Math.min(this.buf.length, off + max);
    let i = off;
    while (i < end && this.buf[i] !== 0) i++;
    return this.buf.toString("latin1", off, i);
  }
}

/** A file offset or size from a header, as a number, checked to lie inside the file. */
function fileRange(buf: Buffer, offset: bigint, size: bigint, what: string): { offset: number; size: number } {
  if (offset < 0n || size < 0n || offset + size > BigInt(buf.length)) throw corrupt(`${what} (offset ${offset}, size ${size}) extends past the end of the file`);
  return { offset: Number(offset), size: Number(size) };
}

function capCount(n: number, what: string): number {
  if (n > MAX_TABLE) throw corrupt(`${what} count ${n} exceeds ${MAX_TABLE}`);
  return n;
}

/** The container format by its magic number, without parsing further. */
export function exeFormat(buf: Buffer): ExeFormat | "fat" | undefined {
  if (buf.length < 64) return undefined;
  if (buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46) return "elf";
  const le = buf.readUInt32LE(0);
  const be = buf.readUInt32BE(0);
  if (le === 0xfeedface || le === 0xfeedfacf || be === 0xfeedface || be === 0xfeedfacf) return "macho";
  // 0xcafebabe is also a Java class file; there the next word holds the class version (>= 45).
  if ((be === 0xcafebabe || be === 0xcafebabf) && buf.readUInt32BE(4) >= 1 && buf.readUInt32BE(4) <= MAX_FAT_SLICES) return "fat";
  if (buf[0] === 0x4d && buf[1] === 0x5a) {
    const pe = buf.readUInt32LE(0x3c);
    if (pe + 4 <= buf.length && buf.readUInt32LE(pe) === 0x00004550) return "pe";
  }
  return undefined;
}

/**
 * The executables in a file: one, or each slice of a universal Mach-O. Undefined when the bytes
 * are not an executable format this reader knows; throws BerthError("corrupt") when they claim to
 * be one but their tables do not fit the file.
 */
export function parseExecutables(buf: Buffer): { readonly data: Buffer; readonly exe: Executable }[] | undefined {
  const fmt = exeFormat(buf);
  if (fmt === undefined) return undefined;
  if (fmt !== "fat") return [{ data: buf, exe: parseOne(buf, fmt) }];
  const v = new View(buf, false);
  const wide = buf.readUInt32BE(0) === 0xcafebabf;
  const n = v.u32(4, "fat header");
  const out: { data: Buffer; exe: Executable }[] = [];
  for (let i = 0; i < n; i++) {
    const at = 8 + i * (wide ? 32 : 20);
    const off = wide ? v.u64(at + 8, "fat_arch") : BigInt(v.u32(at + 8, "fat_arch"));
    const size = wide ? v.u64(at + 16, "fat_arch") : BigInt(v.u32(at + 12, "fat_arch"));
    const r = fileRange(buf, off, size, `fat slice ${i}`);
    const slice = buf.subarray(r.offset, r.offset + r.size);
    if (exeFormat(slice) !== "macho") throw corrupt(`fat slice ${i} is not a Mach-O file`);
    out.push({ data: slice, exe: parseOne(slice, "macho") });
  }
  return out;
}

function parseOne(buf: Buffer, fmt: ExeFormat): Executable {
  switch (fmt) {
    case "elf":
      return parseElf(buf);
    case "macho":
      return parseMachO(buf);
    case "pe":
      return parsePe(buf);
  }
}

// ---- ELF ----

const SHT_NOBITS = 8;
const SHF_WRITE = 1n;
const PT_LOAD = 1;
const PF_X = 1;
const PF_W = 2;

function parseElf(buf: Buffer): Executable {
  const cls = buf[4];
  const data = buf[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) throw corrupt(`ELF class ${cls} / data encoding ${data}`);
  const bits = cls === 2 ? 64 : 32;
  const v = new View(buf, data === 1);
  const phoff = bits === 64 ? v.u64(0x20, "ELF header") : BigInt(v.u32(0x1c, "ELF header"));
  const shoff = bits === 64 ? v.u64(0x28, "ELF header") : BigInt(v.u32(0x20, "ELF header"));
  const base = bits === 64 ? 0x36 : 0x2a;
  const phentsize = v.u16(base, "ELF header");
  let phnum = v.u16(base + 2, "ELF header");
  const shentsize = v.u16(base + 4, "ELF header");
  let shnum = v.u16(base + 6, "ELF header");
  let shstrndx = v.u16(base + 8, "ELF header");
  const phMin = bits === 64 ? 56 : 32;
  const shMin = bits === 64 ? 64 : 40;

  const mappings: ExeMapping[] = [];
  if (phoff !== 0n && phnum > 0) {
    if (phentsize < phMin) throw corrupt(`ELF program header size ${phentsize}`);
    if (phnum === 0xffff && shoff !== 0n) phnum = v.u32(Number(fileRange(buf, shoff, BigInt(shMin), "ELF section 0").offset) + (bits === 64 ? 44 : 28), "ELF section 0");
    capCount(phnum, "ELF program header");
    const t = fileRange(buf, phoff, BigInt(phnum) * BigInt(phentsize), "ELF program header table");
    for (let i = 0; i < phnum; i++) {
      const at = t.offset + i * phentsize;
      if (v.u32(at, "program header") !== PT_LOAD) continue;
      const flags = bits === 64 ? v.u32(at + 4, "program header") : v.u32(at + 24, "program header");
      const offset = v.word(at + (bits === 64 ? 8 : 4), bits, "program header");
      const vaddr = v.word(at + (bits === 64 ? 16 : 8), bits, "program header");
      const filesz = v.word(at + (bits === 64 ? 32 : 16), bits, "program header");
      const r = fileRange(buf, offset, filesz, `ELF segment ${i}`);
      mappings.push({ addr: vaddr, offset: r.offset, size: r.size, writable: (flags & PF_W) !== 0, executable: (flags & PF_X) !== 0 });
    }
  }

  const sections: ExeSection[] = [];
  if (shoff !== 0n) {
    if (shentsize < shMin) throw corrupt(`ELF section header size ${shentsize}`);
    // Extended numbering: the real count and string-table index live in section 0.
    if (shnum === 0 || shstrndx === 0xffff) {
      const s0 = fileRange(buf, shoff, BigInt(shentsize), "ELF section 0").offset;
      if (shnum === 0) shnum = Number(v.word(s0 + (bits === 64 ? 32 : 20), bits, "ELF section 0"));
      if (shstrndx === 0xffff) shstrndx = v.u32(s0 + (bits === 64 ? 40 : 24), "ELF section 0");
    }
    capCount(shnum, "ELF section");
    const t = fileRange(buf, shoff, BigInt(shnum) * BigInt(shentsize), "ELF section header table");
    const raw: { name: number; type: number; flags: bigint; addr: bigint; offset: bigint; size: bigint }[] = [];
    for (let i = 0; i < shnum; i++) {
      const at = t.offset + i * shentsize;
      raw.push({
        name: v.u32(at, "section header"),
        type: v.u32(at + 4, "section header"),
        flags: v.word(at + 8, bits, "section header"),
        addr: v.word(at + (bits === 64 ? 16 : 12), bits, "section header"),
        offset: v.word(at + (bits === 64 ? 24 : 16), bits, "section header"),
        size: v.word(at + (bits === 64 ? 32 : 20), bits, "section header"),
      });
    }
    const strtab = raw[shstrndx];
    let names: { offset: number; size: number } | undefined;
    if (strtab && strtab.type !== SHT_NOBITS) names = fileRange(buf, strtab.offset, strtab.size, "ELF section name table");
    for (const [i, s] of raw.entries()) {
      if (i === 0) continue;
      const name = names && s.name < names.size ? v.cstr(names.offset + s.name, names.size - s.name, "section name") : "";
      const r = s.type === SHT_NOBITS ? { offset: 0, size: 0 } : fileRange(buf, s.offset, s.size, `ELF section ${name || i}`);
      sections.push({ name, offset: r.offset, size: r.size, addr: s.addr, writable: (s.flags & SHF_WRITE) !== 0n });
    }
  }
  return { format: "elf", bits, littleEndian: v.le, sections, mappings };
}

// ---- Mach-O ----

const LC_SEGMENT = 0x1;
const LC_SEGMENT_64 = 0x19;
const S_ZEROFILL = 0x1;
const VM_PROT_WRITE = 2;
const VM_PROT_EXECUTE = 4;

function parseMachO(buf: Buffer): Executable {
  const le = buf.readUInt32LE(0) === 0xfeedface || buf.readUInt32LE(0) === 0xfeedfacf;
  const v = new View(buf, le);
  const bits = v.u32(0, "Mach-O header") === 0xfeedfacf ? 64 : 32;
  const ncmds = capCount(v.u32(16, "Mach-O header"), "Mach-O load command");
  const sizeofcmds = v.u32(20, "Mach-O header");
  let at = bits === 64 ? 32 : 28;
  const end = at + sizeofcmds;
  if (end > buf.length) throw corrupt("Mach-O load commands extend past the end of the file");
  const sections: ExeSection[] = [];
  const mappings: ExeMapping[] = [];
  for (let i = 0; i < ncmds; i++) {
    const cmd = v.u32(at, "load command");
    const cmdsize = v.u32(at + 4, "load command");
    if (cmdsize < 8 || at + cmdsize > end) throw corrupt(`Mach-O load command ${i} of size ${cmdsize}`);
    if (cmd === LC_SEGMENT_64 || cmd === LC_SEGMENT) {
      const w = cmd === LC_SEGMENT_64 ? 64 : 32;
      const segname = v.cstr(at + 8, 16, "segment name");
      const vmaddr = v.word(at + 24, w, "segment");
      const fileoff = v.word(at + (w === 64 ? 40 : 32), w, "segment");
      const filesize = v.word(at + (w === 64 ? 48 : 36), w, "segment");
      const initprot = v.u32(at + (w === 64 ? 60 : 44), "segment");
      const nsects = v.u32(at + (w === 64 ? 64 : 48), "segment");
      const hdr = w === 64 ? 72 : 56;
      const ssize = w === 64 ? 80 : 68;
      if (hdr + nsects * ssize > cmdsize) throw corrupt(`Mach-O segment ${segname} declares ${nsects} sections that do not fit its command`);
      const r = fileRange(buf, fileoff, filesize, `Mach-O segment ${segname}`);
      mappings.push({ addr: vmaddr, offset: r.offset, size: r.size, writable: (initprot & VM_PROT_WRITE) !== 0, executable: (initprot & VM_PROT_EXECUTE) !== 0, name: segname });
      for (let s = 0; s < nsects; s++) {
        const sa = at + hdr + s * ssize;
        const sectname = v.cstr(sa, 16, "section name");
        const seg = v.cstr(sa + 16, 16, "section segment name");
        const addr = v.word(sa + 32, w, "section");
        const size = v.word(sa + (w === 64 ? 40 : 36), w, "section");
        const offset = v.u32(sa + (w === 64 ? 48 : 40), "section");
        const flags = v.u32(sa + (w === 64 ? 64 : 56), "section");
        const zero = (flags & 0xff) === S_ZEROFILL || offset === 0;
        const fr = zero ? { offset: 0, size: 0 } : fileRange(buf, BigInt(offset), size, `Mach-O section ${seg},${sectname}`);
        sections.push({ name: sectname, segment: seg, offset: fr.offset, size: fr.size, addr, writable: (initprot & VM_PROT_WRITE) !== 0 });
      }
    }
    at += cmdsize;
  }
  return { format: "macho", bits, littleEndian: le, sections, mappings };
}

// ---- PE/COFF ----

const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
const IMAGE_SCN_MEM_WRITE = 0x80000000;

function parsePe(buf: Buffer): Executable {
  const v = new View(buf, true);
  const pe = v.u32(0x3c, "DOS header");
  const coff = pe + 4;
  const nsections = v.u16(coff + 2, "COFF header");
  const symtab = v.u32(coff + 8, "COFF header");
  const nsyms = v.u32(coff + 12, "COFF header");
  const optsize = v.u16(coff + 16, "COFF header");
  const opt = coff + 20;
  const magic = optsize >= 2 ? v.u16(opt, "optional header") : 0;
  let bits: 32 | 64;
  let imageBase: bigint;
  if (magic === 0x20b) {
    bits = 64;
    imageBase = v.u64(opt + 24, "optional header");
  } else if (magic === 0x10b) {
    bits = 32;
    imageBase = BigInt(v.u32(opt + 28, "optional header"));
  } else throw corrupt(`PE optional header magic 0x${magic.toString(16)}`);
  const table = opt + optsize;
  const sections: ExeSection[] = [];
  const mappings: ExeMapping[] = [];
  for (let i = 0; i < nsections; i++) {
    const at = table + i * 40;
    let name = v.cstr(at, 8, "section name");
    // "/123": a long name in the COFF string table, which follows the symbol table.
    if (/^\/[0-9]+$/.test(name) && symtab !== 0) {
      const strtab = symtab + nsyms * 18;
      const off = strtab + Number(name.slice(1));
      if (off < buf.length) name = v.cstr(off, 256, "long section name");
    }
    const vsize = v.u32(at + 8, "section header");
    const vaddr = v.u32(at + 12, "section header");
    const rawSize = v.u32(at + 16, "section header");
    const rawPtr = v.u32(at + 20, "section header");
    const chars = v.u32(at + 36, "section header");
    // Raw data is padded to the file alignment; the virtual size is the meaningful length.
    const size = rawPtr === 0 ? 0 : vsize > 0 && vsize < rawSize ? vsize : rawSize;
    const r = size === 0 ? { offset: 0, size: 0 } : fileRange(buf, BigInt(rawPtr), BigInt(size), `PE section ${name}`);
    const writable = (chars & IMAGE_SCN_MEM_WRITE) !== 0;
    sections.push({ name, offset: r.offset, size: r.size, addr: imageBase + BigInt(vaddr), writable });
    if (r.size > 0) mappings.push({ addr: imageBase + BigInt(vaddr), offset: r.offset, size: r.size, writable, executable: (chars & IMAGE_SCN_MEM_EXECUTE) !== 0, name });
  }
  return { format: "pe", bits, littleEndian: true, sections, mappings };
}

// ---- queries ----

/** The file bytes of the first section with this name (and Mach-O segment, when given). */
export function sectionData(data: Buffer, exe: Executable, name: string, segment?: string): Buffer | undefined {
  const s = exe.sections.find((x) => x.name === name && (segment === undefined || x.segment === segment));
  return s ? data.subarray(s.offset, s.offset + s.size) : undefined;
}

/**
 * Up to `length` file bytes mapped at virtual address `addr` (fewer when the mapping ends first);
 * undefined when no mapping holds the address.
 */
export function readVirtual(data: Buffer, exe: Executable, addr: bigint, length: number): Buffer | undefined {
  for (const m of exe.mappings) {
    if (addr < m.addr || addr >= m.addr + BigInt(m.size)) continue;
    const start = m.offset + Number(addr - m.addr);
    return data.subarray(start, Math.min(start + length, m.offset + m.size));
  }
  return undefined;
}
