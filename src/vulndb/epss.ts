// FIRST EPSS scores, as published: an optional "#model_version:…,score_date:…" comment line, a
// "cve,epss,percentile" header, then one row per CVE. Plain or gzip-compressed; streamed line by line.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { Transform, type Readable } from "node:stream";
import { BerthError } from "../util/errors.js";
import { vulnLimitExceeded } from "./limits.js";

export interface EpssRow {
  readonly cve: string;
  readonly score: number;
  readonly percentile?: number;
}

export interface EpssFile {
  readonly modelVersion?: string;
  readonly scoreDate?: string;
  readonly rows: readonly EpssRow[];
  readonly rejects: readonly { readonly file: string; readonly reason: string }[];
}

const CVE_RE = /^CVE-\d{4}-\d{4,}$/;

async function isGzip(path: string): Promise<boolean> {
  const s = createReadStream(path, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  const b = Buffer.concat(chunks);
  return b.length === 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function byteLimit(max: number, label: string): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (n > max) cb(vulnLimitExceeded("maxEpssBytes", max, label));
      else cb(null, chunk);
    },
  });
}

export async function readEpss(path: string, label: string, maxBytes: number): Promise<EpssFile> {
  let input: Readable = createReadStream(path);
  if (await isGzip(path)) input = input.pipe(createGunzip());
  const limited = input.pipe(byteLimit(maxBytes, label));
  input.on("error", (e) => limited.destroy(e));
  const lines = createInterface({ input: limited, crlfDelay: Infinity });
  let modelVersion: string | undefined;
  let scoreDate: string | undefined;
  let columns: string[] | undefined;
  const rows: EpssRow[] = [];
  const rejects: { file: string; reason: string }[] = [];
  let lineNo = 0;
  try {
    for await (const raw of lines) {
      lineNo += 1;
      const line = raw.trim();
      if (line === "") continue;
      if (line.startsWith("#")) {
        for (const part of line.slice(1).split(",")) {
          const i = part.indexOf(":");
          const k = part.slice(0, i).trim();
          const v = part.slice(i + 1).trim();
          if (k === "model_version") modelVersion = v;
          if (k === "score_date") scoreDate = v;
        }
        continue;
      }
      const cells = line.split(",").map((c) => c.trim());
      if (columns === undefined) {
        columns = cells.map((c) => c.toLowerCase());
        if (!columns.includes("cve") || !columns.includes("epss")) throw new BerthError("input", `${label}: not an EPSS CSV (header "${line.slice(0, 60)}")`);
        continue;
      }
      const cve = cells[columns.indexOf("cve")] ?? "";
      const score = Number(cells[columns.indexOf("epss")]);
      const pi = columns.indexOf("percentile");
      const percentile = pi >= 0 ? Number(cells[pi]) : undefined;
      if (!CVE_RE.test(cve) || !Number.isFinite(score) || score < 0 || score > 1 || (percentile !== undefined && !(percentile >= 0 && percentile <= 1))) {
        if (rejects.length < 1000) rejects.push({ file: `${label}:${lineNo}`, reason: `malformed EPSS row "${line.slice(0, 60)}"` });
        continue;
      }
      rows.push(percentile === undefined ? { cve, score } : { cve, score, percentile });
    }
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("corrupt", `${label}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (columns === undefined) throw new BerthError("input", `${label}: empty EPSS file`);
  return { ...(modelVersion ? { modelVersion } : {}), ...(scoreDate ? { scoreDate } : {}), rows, rejects };
}
