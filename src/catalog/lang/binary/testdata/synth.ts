// Minimal ELF files written by tests, for layouts no available toolchain produces here (Go's
// pre-1.18 pointer-based build information, 32-bit big-endian files). Each file has one PT_LOAD
// segment that maps the whole file at `base`, so a section's address is base + its file offset;
// the real `go version -m` (debug/elf) reads them, which is how tests check they are well formed.

export interface SynthSection {
  readonly name: string;
  /** Section contents; called with the section's virtual address so it can hold pointers. */
  readonly data: (addr: bigint) => Buffer;
  /** Fixed size of the contents (data() must return exactly this many bytes). */
  readonly size: number;
  readonly writable?: boolean;
}

export interface SynthElf {
  readonly bits: 32 | 64;
  readonly littleEndian: boolean;
  readonly base?: bigint;
  readonly sections: readonly SynthSection[];
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

export function buildElf(spec: SynthElf): Buffer {
  const { bits, littleEndian: le } = spec;
  const base = spec.base ?? 0x400000n;
  const ehsize = bits === 64 ? 64 : 52;
  const phsize = bits === 64 ? 56 : 32;
  const shsize = bits === 64 ? 64 : 40;
  // Layout: header, program header, sections (16-aligned), .shstrtab, section header table.
  let off = align(ehsize + phsize, 16);
  const placed = spec.sections.map((s) => {
    const at = off;
    off = align(at + s.size, 16);
    return { ...s, offset: at };
  });
  const names = ["", ...spec.sections.map((s) => s.name), ".shstrtab"];
  const nameOff: number[] = [];
  let strtab = "";
  for (const n of names) {
    nameOff.push(Buffer.byteLength(strtab, "latin1"));
    strtab += `${n}\0`;
  }
  const strOffset = off;
  const strSize = Buffer.byteLength(strtab, "latin1");
  const shoff = align(strOffset + strSize, 8);
  const shnum = names.length;
  const total = shoff + shnum * shsize;
  const b = Buffer.alloc(total);
  const u16 = (at: number, v: number) => (le ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (at: number, v: number) => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  const word = (at: number, v: bigint) => (bits === 64 ? (le ? b.writeBigUInt64LE(v, at) : b.writeBigUInt64BE(v, at)) : u32(at, Number(v)));

  b.write("\x7fELF", 0, "latin1");
  b[4] = bits === 64 ? 2 : 1;
  b[5] = le ? 1 : 2;
  b[6] = 1; // EV_CURRENT
  u16(16, 2); // ET_EXEC
  u16(18, bits === 64 ? 62 : 20); // x86-64 / PowerPC
  u32(20, 1);
  if (bits === 64) {
    word(24, base); // entry
    word(32, BigInt(ehsize)); // phoff
    word(40, BigInt(shoff));
    u16(52, ehsize);
    u16(54, phsize);
    u16(56, 1);
    u16(58, shsize);
    u16(60, shnum);
    u16(62, shnum - 1);
  } else {
    word(24, base);
    word(28, BigInt(ehsize));
    word(32, BigInt(shoff));
    u16(40, ehsize);
    u16(42, phsize);
    u16(44, 1);
    u16(46, shsize);
    u16(48, shnum);
    u16(50, shnum - 1);
  }
  // PT_LOAD, read+write, the whole file at `base`.
  const ph = ehsize;
  u32(ph, 1);
  if (bits === 64) {
    u32(ph + 4, 6);
    word(ph + 8, 0n);
    word(ph + 16, base);
    word(ph + 24, base);
    word(ph + 32, BigInt(total));
    word(ph + 40, BigInt(total));
    word(ph + 48, 0x1000n);
  } else {
    word(ph + 4, 0n);
    word(ph + 8, base);
    word(ph + 12, base);
    word(ph + 16, BigInt(total));
    word(ph + 20, BigInt(total));
    u32(ph + 24, 6);
    u32(ph + 28, 0x1000);
  }
  for (const s of placed) {
    const d = s.data(base + BigInt(s.offset));
    if (d.length !== s.size) throw new Error(`section ${s.name}: data is ${d.length} bytes, declared ${s.size}`);
    d.copy(b, s.offset);
  }
  b.write(strtab, strOffset, "latin1");
  const sh = (i: number, name: number, type: number, flags: bigint, addr: bigint, offset: number, size: number) => {
    const at = shoff + i * shsize;
    u32(at, name);
    u32(at + 4, type);
    word(at + 8, flags);
    if (bits === 64) {
      word(at + 16, addr);
      word(at + 24, BigInt(offset));
      word(at + 32, BigInt(size));
      word(at + 48, 1n);
    } else {
      word(at + 12, addr);
      word(at + 16, BigInt(offset));
      word(at + 20, BigInt(size));
      u32(at + 32, 1);
    }
  };
  placed.forEach((s, i) => sh(i + 1, nameOff[i + 1]!, 1, s.writable ? 3n : 2n, base + BigInt(s.offset), s.offset, s.size));
  sh(shnum - 1, nameOff[shnum - 1]!, 3, 0n, 0n, strOffset, strSize);
  return b;
}
