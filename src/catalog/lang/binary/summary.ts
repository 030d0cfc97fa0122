// The small record a cataloger's summarize() keeps in place of a large file (a binary, an archive),
// and reads back in parse(). A one-line header names the kind and format version, so parse() can
// tell its own summary from the raw bytes of a file some other cataloger kept whole, or from the
// summary another binary cataloger made of the same path: "berth-summary/1 go-buildinfo\n{json}".
const MAGIC = "berth-summary/1 ";

export function encodeSummary(kind: string, body: unknown): Buffer {
  return Buffer.from(`${MAGIC}${kind}\n${JSON.stringify(body)}`, "utf8");
}

/** The summary's JSON body when `data` is a summary of this kind; undefined otherwise. */
export function decodeSummary(kind: string, data: Buffer): unknown {
  const head = `${MAGIC}${kind}\n`;
  if (data.length < head.length || data.toString("latin1", 0, head.length) !== head) return undefined;
  try {
    return JSON.parse(data.toString("utf8", head.length)) as unknown;
  } catch {
    return undefined;
  }
}

/** A summary that records why a claimed file could not be read; parse() turns it into an Unknown. */
export interface FailedSummary {
  readonly error: string;
}

export function isFailedSummary(v: unknown): v is FailedSummary {
  return typeof v === "object" && v !== null && typeof (v as { error?: unknown }).error === "string";
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function stringField(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === "string" ? v : undefined;
}

/** Executable regular files of a size a compiled program can have: what binary catalogers claim. */
export function claimsExecutable(path: string, info: { mode: number; size: number }): boolean {
  if (info.size < MIN_EXECUTABLE_BYTES) return false;
  return (info.mode & 0o111) !== 0 || path.endsWith(".exe");
}

/** Smaller files are scripts or stubs, never a Go or Rust program (a minimal static one is ~100 KiB). */
export const MIN_EXECUTABLE_BYTES = 4096;
