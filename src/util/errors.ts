// Errors as typed values. Three outcomes (STYLE.md §6): a fatal bug (any other Error), a per-input
// "unknown" kept in results (catalog/ records those), and a user/input error (BerthError): one-line
// message, exit code 2, no stack trace.

export type ErrorCode =
  | "usage"
  | "input"
  | "limit"
  | "digest-mismatch"
  | "unsafe-path"
  | "network"
  | "auth"
  | "not-found"
  | "unsupported"
  | "corrupt"
  | "policy";

export class BerthError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    opts?: { cause?: unknown },
  ) {
    super(message, opts);
    this.name = "BerthError";
  }
}

export function isBerthError(e: unknown): e is BerthError {
  return e instanceof BerthError;
}

/** A one-line description of any thrown value, for logs and warnings. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message.split("\n")[0] ?? e.name;
  return String(e);
}
