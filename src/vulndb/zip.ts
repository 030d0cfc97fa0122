// Reads the JSON entries of an OSV all.zip with yauzl, one at a time, within bounds. A damaged entry
// (bad CRC, bad deflate data, too large, suspicious ratio) is reported and skipped; a damaged zip
// structure (no central directory, truncated) ends the iteration with an error the caller reports
// for the whole file. Entries are read into memory only, never extracted, so no path is written.

import { readFile, stat } from "node:fs/promises";
import { crc32, inflateRawSync } from "node:zlib";
import yauzl from "yauzl";
import type { Entry, ZipFile } from "yauzl";
import { BerthError, describeError } from "../util/errors.js";
import { vulnLimitExceeded, type VulnDbLimits } from "./limits.js";

export type ZipItem =
  | { readonly kind: "file"; readonly name: string; readonly data: Buffer }
  | { readonly kind: "bad"; readonly name: string; readonly reason: string };

export interface ZipInfo {
  readonly entryCount: number;
}

/** Zips up to this size are read into memory in one sequential read and inflated synchronously. */
const IN_MEMORY_MAX = 512 * 1024 * 1024;

/** The zip's bytes when it was read into memory (fast path), keyed by the open ZipFile. */
const buffers = new WeakMap<ZipFile, Buffer>();

type ZipBounds = Pick<VulnDbLimits, "maxZipBytes" | "maxZipEntries" | "maxEntryBytes" | "maxEntryRatio" | "maxZipExpandedBytes">;

/** Opens a zip and checks its size and entry count before anything is read. */
export async function openZip(path: string, limits: ZipBounds): Promise<{ zip: ZipFile; info: ZipInfo }> {
  const st = await stat(path).catch((e: unknown) => {
    throw new BerthError("not-found", `${path}: ${describeError(e)}`);
  });
  if (st.size > limits.maxZipBytes) throw vulnLimitExceeded("maxZipBytes", limits.maxZipBytes, path);
  let zip: ZipFile;
  const options = { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: false, decodeStrings: true };
  try {
    if (st.size <= IN_MEMORY_MAX) {
      const buf = await readFile(path);
      zip = await yauzl.fromBufferPromise(buf, options);
      buffers.set(zip, buf);
    } else {
      zip = await yauzl.openPromise(path, options);
    }
  } catch (e) {
    throw new BerthError("corrupt", `${path}: not a readable zip (${describeError(e)})`);
  }
  if (zip.entryCount > limits.maxZipEntries) {
    zip.close();
    throw vulnLimitExceeded("maxZipEntries", limits.maxZipEntries, `${path}: ${zip.entryCount} entries`);
  }
  return { zip, info: { entryCount: zip.entryCount } };
}

function readAll(stream: NodeJS.ReadableStream, max: number, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    stream.on("data", (c: Buffer) => {
      n += c.length;
      if (n > max) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        reject(new Error(`${name}: expands past ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(Buffer.concat(chunks, n)));
  });
}

/**
 * Yields every file entry of an open zip. Directory entries are skipped. Per-entry problems become
 * `bad` items; a structural error of the zip is thrown (as BerthError "corrupt").
 */
export async function* zipEntries(zip: ZipFile, path: string, limits: ZipBounds): AsyncGenerator<ZipItem> {
  let expanded = 0;
  try {
    for await (const entry of zip.eachEntry() as AsyncIterable<Entry>) {
      const name = entry.fileName;
      if (name.endsWith("/")) continue;
      const problem = entryProblem(entry, limits);
      if (problem) {
        yield { kind: "bad", name, reason: problem };
        continue;
      }
      expanded += entry.uncompressedSize;
      if (expanded > limits.maxZipExpandedBytes) throw vulnLimitExceeded("maxZipExpandedBytes", limits.maxZipExpandedBytes, path);
      let data: Buffer;
      try {
        const buf = buffers.get(zip);
        if (buf !== undefined) data = await inflateFromBuffer(zip, buf, entry, limits.maxEntryBytes);
        else data = await readAll(await zip.openReadStreamPromise(entry), limits.maxEntryBytes, name);
      } catch (e) {
        yield { kind: "bad", name, reason: `unreadable entry: ${describeError(e)}` };
        continue;
      }
      yield { kind: "file", name, data };
    }
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("corrupt", `${path}: damaged zip (${describeError(e)})`);
  } finally {
    zip.close();
  }
}

/** Inflates one entry from the in-memory zip, checking size and CRC-32 as yauzl's streams do. */
async function inflateFromBuffer(zip: ZipFile, buf: Buffer, entry: Entry, max: number): Promise<Buffer> {
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const end = fileDataStart + entry.compressedSize;
  if (end > buf.length) throw new Error("entry data runs past the end of the file");
  const raw = buf.subarray(fileDataStart, end);
  const data = entry.compressionMethod === 0 ? raw : inflateRawSync(raw, { maxOutputLength: Math.max(1, Math.min(max, entry.uncompressedSize)) });
  if (data.length !== entry.uncompressedSize) throw new Error(`expected ${entry.uncompressedSize} bytes, got ${data.length}`);
  if (crc32(data) >>> 0 !== entry.crc32 >>> 0) throw new Error("CRC-32 mismatch");
  return data;
}

function entryProblem(entry: Entry, limits: ZipBounds): string | undefined {
  if (entry.isEncrypted()) return "encrypted entry";
  if (!entry.canDecodeFileData()) return `unsupported compression method ${entry.compressionMethod}`;
  if (entry.uncompressedSize > limits.maxEntryBytes) return `${entry.uncompressedSize} bytes: exceeds limit maxEntryBytes=${limits.maxEntryBytes}`;
  if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize > limits.maxEntryRatio * Math.max(1, entry.compressedSize)) {
    return `compression ratio ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}: exceeds limit maxEntryRatio=${limits.maxEntryRatio}`;
  }
  return undefined;
}
