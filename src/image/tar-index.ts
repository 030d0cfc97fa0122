// Random access into an uncompressed tar file (oci-archive, docker-archive) without extracting it:
// one pass over the 512-byte headers records where each regular file's data lies, then blobs are
// streamed straight from the archive. Headers are validated (checksum, sizes within the file).
import { createReadStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { BerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { safeEntryPath } from "./layer.js";

export interface TarMember {
  readonly offset: number;
  readonly size: number;
}

export interface TarIndex {
  readonly file: string;
  /** Normalised relative path → data location; symlinks and hard links resolved to their targets. */
  readonly members: Map<string, TarMember>;
}

const BLOCK = 512;

function cstring(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString("utf8", start, end === -1 || end > start + len ? start + len : end);
}

function parseSize(buf: Buffer, what: string): number {
  const field = buf.subarray(124, 136);
  if ((field[0]! & 0x80) !== 0) {
    // GNU base-256: big-endian, top bit of the first byte set.
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    if (!Number.isSafeInteger(n)) throw new BerthError("corrupt", `${what}: tar entry size out of range`);
    return n;
  }
  const s = cstring(field, 0, 12).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new BerthError("corrupt", `${what}: not a tar archive (bad size field)`);
  return parseInt(s, 8);
}

function checksumOk(buf: Buffer): boolean {
  const stored = cstring(buf, 148, 8).trim();
  if (!/^[0-7]+$/.test(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : buf[i]!;
  return sum === parseInt(stored, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const sp = data.indexOf(0x20, pos);
    if (sp === -1) break;
    const len = parseInt(data.toString("ascii", pos, sp), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > data.length) break;
    const rec = data.toString("utf8", sp + 1, pos + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

export async function indexTar(file: string, limits: Limits, what: string): Promise<TarIndex> {
  const fh = await open(file, "r").catch((e: NodeJS.ErrnoException) => {
    throw new BerthError("not-found", `${what}: cannot open ${file} (${e.code ?? e.message})`);
  });
  try {
    const { size: fileSize } = await fh.stat();
    const members = new Map<string, TarMember>();
    const links = new Map<string, string>();
    let pos = 0;
    let count = 0;
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    for (;;) {
      if (pos + BLOCK > fileSize) throw new BerthError("corrupt", `${what}: truncated tar archive`);
      const header = await readAt(fh, pos, BLOCK);
      if (header.every((b) => b === 0)) break;
      if (!checksumOk(header)) throw new BerthError("corrupt", `${what}: not a tar archive (bad header checksum at offset ${pos})`);
      if (++count > limits.maxLayerEntries) throw new BerthError("limit", `${what}: more than maxLayerEntries=${limits.maxLayerEntries} entries`);
      const size = parseSize(header, what);
      const dataStart = pos + BLOCK;
      if (dataStart + size > fileSize) throw new BerthError("corrupt", `${what}: truncated tar archive (entry runs past the end)`);
      const type = String.fromCharCode(header[156] || 0x30);
      const prefix = header.subarray(257, 262).toString("ascii") === "ustar" ? cstring(header, 345, 155) : "";
      let name = longName ?? pax.path ?? (prefix ? `${prefix}/${cstring(header, 0, 100)}` : cstring(header, 0, 100));
      const linkname = pax.linkpath ?? cstring(header, 157, 100);
      longName = undefined;
      if (type === "x" || type === "L") {
        if (size > 1024 * 1024) throw new BerthError("limit", `${what}: tar extended header too large`);
        const data = await readAt(fh, dataStart, size);
        if (type === "x") pax = parsePax(data);
        else longName = cstring(data, 0, data.length);
      } else {
        if (type !== "g") pax = {};
        const rel = safeEntryPath(name);
        if (rel !== undefined) {
          name = rel;
          if (type === "0" || type === "\0" || type === "7") members.set(name, { offset: dataStart, size });
          else if (type === "1") links.set(name, safeEntryPath(linkname) ?? "");
          else if (type === "2") links.set(name, linkname.startsWith("/") ? safeEntryPath(linkname) ?? "" : safeEntryPath(`${name.split("/").slice(0, -1).join("/")}/${linkname}`) ?? "");
        }
      }
      pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    }
    for (const [name, target] of links) {
      const m = members.get(target);
      if (m) members.set(name, m);
    }
    return { file, members };
  } finally {
    await fh.close();
  }
}

export function openMember(index: TarIndex, path: string, what: string): { stream: Readable; size: number } {
  const m = index.members.get(path);
  if (!m) throw new BerthError("corrupt", `${what}: archive has no file ${path}`);
  const stream = m.size === 0 ? Readable.from([]) : createReadStream(index.file, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 256 * 1024 });
  return { stream, size: m.size };
}

export async function readMember(index: TarIndex, path: string, maxBytes: number, what: string): Promise<Buffer> {
  const m = index.members.get(path);
  if (!m) throw new BerthError("corrupt", `${what}: archive has no file ${path}`);
  if (m.size > maxBytes) throw new BerthError("limit", `${what}: ${path} is ${m.size} bytes, above the limit of ${maxBytes}`);
  const fh = await open(index.file, "r");
  try {
    return await readAt(fh, m.offset, m.size);
  } finally {
    await fh.close();
  }
}
