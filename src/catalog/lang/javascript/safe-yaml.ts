// YAML lockfiles (pnpm-lock.yaml, yarn berry's yarn.lock) through the `yaml` package, guarded.
// Measured with yaml 2.9 on Node 20: 100,000 nested "[" crash the process (V8 runs out of memory
// compiling a RegExp — no exception to catch), 1,000 nested block levels overflow the stack, and
// the duplicate-key check is quadratic (100,000 keys: > 20 s). So before parsing, one linear scan
// refuses deep flow nesting, deep indentation and too many mapping lines; then the parse uses the
// failsafe schema (every scalar a string: "1.10" stays "1.10"), a bounded alias count (no
// "billion laughs"), and no duplicate-key check.
import YAML from "yaml";
import { BerthError, describeError } from "../../../util/errors.js";

/** Deepest [ / { nesting accepted. Lockfiles use at most 2–3. */
export const MAX_FLOW_DEPTH = 64;
/** Widest indentation accepted, in columns. Lockfiles indent at most ~10 levels of 2 spaces. */
export const MAX_INDENT = 256;
/** Most alias expansions (count × size) the yaml package may perform. */
export const MAX_ALIAS_COUNT = 100;
/** Most "- " / "? " indicators opening nested collections on one line. */
export const MAX_COMPACT = 16;

export interface YamlBounds {
  /** Most lines that open a mapping entry ("key:"), i.e. a bound on entries before parsing. */
  readonly maxKeyLines: number;
}

/**
 * One linear pass over the text; throws BerthError("limit") on what would make the parser unsafe.
 * Brackets are counted everywhere, quoted or not: a lockfile never has dozens of unbalanced "["
 * in a string, and a scanner that tried to follow YAML's quoting could be fooled into skipping them.
 */
export function checkYamlShape(text: string, what: string, bounds: YamlBounds): void {
  let depth = 0;
  let keyLines = 0;
  let line = 1;
  let i = 0;
  while (i < text.length) {
    // At a line start: indentation, then compact nesting indicators ("- - - x", "? ? x").
    let indent = 0;
    while (text[i] === " ") {
      i++;
      if (++indent > MAX_INDENT) throw new BerthError("limit", `${what}: line ${line}: indentation deeper than ${MAX_INDENT} columns`);
    }
    let compact = 0;
    while ((text[i] === "-" || text[i] === "?") && text[i + 1] === " ") {
      i += 2;
      while (text[i] === " ") i++;
      if (++compact > MAX_COMPACT) throw new BerthError("limit", `${what}: line ${line}: more than ${MAX_COMPACT} nested "- " or "? " on one line`);
    }
    let sawColon = false;
    for (; i < text.length && text[i] !== "\n"; i++) {
      const c = text[i];
      if (c === "[" || c === "{") {
        if (++depth > MAX_FLOW_DEPTH) throw new BerthError("limit", `${what}: line ${line}: flow collections nested deeper than ${MAX_FLOW_DEPTH}`);
      } else if ((c === "]" || c === "}") && depth > 0) depth--;
      else if (c === ":") sawColon = true;
    }
    if (sawColon && ++keyLines > bounds.maxKeyLines) throw new BerthError("limit", `${what}: more than ${bounds.maxKeyLines} mapping entries`);
    i++;
    line++;
  }
}

/** Parses a YAML document after `checkYamlShape`; any parser error becomes BerthError("corrupt"). */
export function parseYamlSafely(text: string, what: string, bounds: YamlBounds): unknown {
  checkYamlShape(text, what, bounds);
  try {
    return YAML.parse(text, { schema: "failsafe", maxAliasCount: MAX_ALIAS_COUNT, prettyErrors: false, uniqueKeys: false, logLevel: "error" });
  } catch (e) {
    throw new BerthError("corrupt", `${what}: invalid YAML (${describeError(e)})`);
  }
}
