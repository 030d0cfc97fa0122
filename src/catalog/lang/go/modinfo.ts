// The module information text a Go binary carries (what `go version -m` prints after the first
// line), one tab-separated record per line:
//   path  <main package path>
//   mod   <main module path> <version> [<sum>]
//   dep   <module path> <version> [<sum>]
//   =>    <replacement path> <version> <sum>        (replaces the mod/dep line above it)
//   build <key>=<value>                            (key and value Go-quoted when they need it)
// Unknown record kinds are ignored (as the Go tool ignores them); a known record with the wrong
// number of fields is an error, as it is for `go version -m`.
import { BerthError } from "../../../util/errors.js";

export interface GoModule {
  readonly path: string;
  readonly version: string;
  readonly sum?: string;
  readonly replace?: GoModule;
}

export interface GoModInfo {
  /** The main package's import path ("path" line). */
  readonly path?: string;
  readonly main?: GoModule;
  readonly deps: readonly GoModule[];
  /** Build settings in order: ["-ldflags", "-X main.version=1.2.3"], ["GOOS", "linux"], ["vcs.revision", "…"]. */
  readonly settings: readonly (readonly [string, string])[];
}

/** Most dep and build records read from one binary (real programs have a few hundred). */
export const MAX_MODINFO_RECORDS = 50_000;

function bad(line: number, msg: string): BerthError {
  return new BerthError("corrupt", `Go module information line ${line}: ${msg}`);
}

const SIMPLE_ESCAPES: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" };

/**
 * Reads one Go double-quoted string literal (strconv.Quote's output) starting at s[at] === '"'.
 * Returns the decoded value and the index after the closing quote.
 */
export function unquoteGo(s: string, at: number): { value: string; end: number } {
  if (s[at] !== '"') throw new BerthError("corrupt", "expected a quoted string");
  let out = "";
  let i = at + 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"') return { value: out, end: i + 1 };
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = s[i + 1];
    if (e === undefined) break;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i += 2;
      continue;
    }
    const hex = (n: number): number => {
      const h = s.slice(i + 2, i + 2 + n);
      if (h.length !== n || !/^[0-9a-fA-F]+$/.test(h)) throw new BerthError("corrupt", "bad escape in a quoted string");
      return parseInt(h, 16);
    };
    if (e === "x") {
      out += String.fromCharCode(hex(2));
      i += 4;
    } else if (e === "u" || e === "U") {
      const n = e === "u" ? 4 : 8;
      const cp = hex(n);
      if (cp > 0x10ffff) throw new BerthError("corrupt", "bad escape in a quoted string");
      out += String.fromCodePoint(cp);
      i += 2 + n;
    } else if (/[0-7]/.test(e)) {
      const o = s.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(o)) throw new BerthError("corrupt", "bad escape in a quoted string");
      out += String.fromCharCode(parseInt(o, 8));
      i += 4;
    } else throw new BerthError("corrupt", "bad escape in a quoted string");
  }
  throw new BerthError("corrupt", "unterminated quoted string");
}

/** "key=value" of a build line, either side possibly Go-quoted. */
function parseSetting(text: string, line: number): [string, string] {
  let key: string;
  let rest: string;
  if (text.startsWith('"')) {
    const k = unquoteGo(text, 0);
    key = k.value;
    rest = text.slice(k.end);
  } else {
    const eq = text.indexOf("=");
    if (eq < 0) throw bad(line, "build setting without '='");
    key = text.slice(0, eq);
    rest = text.slice(eq);
  }
  if (!rest.startsWith("=")) throw bad(line, "build setting without '='");
  rest = rest.slice(1);
  if (key === "") throw bad(line, "empty build setting key");
  if (rest.startsWith('"')) {
    const v = unquoteGo(rest, 0);
    if (v.end !== rest.length) throw bad(line, "text after a quoted build setting value");
    return [key, v.value];
  }
  return [key, rest];
}

function moduleFields(fields: string[], line: number, kind: string): GoModule {
  if (fields.length !== 2 && fields.length !== 3) throw bad(line, `expected 2 or 3 fields after "${kind}", got ${fields.length}`);
  const [path = "", version = "", sum] = fields;
  if (path === "") throw bad(line, "empty module path");
  return { path, version, ...(sum ? { sum } : {}) };
}

export function parseModInfo(text: string): GoModInfo {
  let path: string | undefined;
  let main: GoModule | undefined;
  const deps: GoModule[] = [];
  const settings: [string, string][] = [];
  // The record a "=>" line replaces: "main", an index into deps, or none.
  let last: "main" | number | undefined;
  const lines = text.split("\n");
  if (lines.length > MAX_MODINFO_RECORDS) throw new BerthError("limit", `Go module information: more than ${MAX_MODINFO_RECORDS} lines`);
  for (const [i, raw] of lines.entries()) {
    const n = i + 1;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line === "") continue;
    const tab = line.indexOf("\t");
    const kind = tab < 0 ? line : line.slice(0, tab);
    const rest = tab < 0 ? "" : line.slice(tab + 1);
    switch (kind) {
      case "path":
        path = rest;
        last = undefined;
        break;
      case "mod":
        main = moduleFields(rest.split("\t"), n, kind);
        last = "main";
        break;
      case "dep":
        deps.push(moduleFields(rest.split("\t"), n, kind));
        last = deps.length - 1;
        break;
      case "=>": {
        const f = rest.split("\t");
        if (f.length !== 3) throw bad(n, `expected 3 fields after "=>", got ${f.length}`);
        if (last === undefined) throw bad(n, "replacement without a module line before it");
        const [rpath = "", version = "", sum = ""] = f;
        if (rpath === "") throw bad(n, "empty replacement path");
        const replace: GoModule = { path: rpath, version, ...(sum ? { sum } : {}) };
        if (last === "main" && main) main = { ...main, replace };
        else if (typeof last === "number" && deps[last]) deps[last] = { ...deps[last]!, replace };
        last = undefined;
        break;
      }
      case "build":
        settings.push(parseSetting(rest, n));
        last = undefined;
        break;
      default:
        // "go" (written by `go version -m`, not embedded) and future record kinds.
        last = undefined;
    }
  }
  return { ...(path !== undefined ? { path } : {}), ...(main ? { main } : {}), deps, settings };
}

/**
 * A toolchain version as a Go module version, the form Go's own vulnerability tooling uses for the
 * standard library: go1.21.5 → v1.21.5, go1.21 → v1.21.0, go1.21rc2 → v1.21.0-rc.2,
 * go1.19beta1 → v1.19.0-beta.1. Anything after a space ("X:boringcrypto") is not part of it.
 * Undefined for development toolchains ("devel go1.23-abcdef …").
 */
export function toolchainSemver(goVersion: string): string | undefined {
  const word = goVersion.split(" ")[0] ?? "";
  const m = /^go([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:(rc|beta|alpha)([0-9]+))?$/.exec(word);
  if (!m) return undefined;
  const [, major, minor = "0", patch = "0", pre, preN] = m;
  return `v${major}.${minor}.${patch}${pre ? `-${pre}.${preN}` : ""}`;
}
