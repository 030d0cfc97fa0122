// Reading an installed gem's specification (specifications/<name>-<version>.gemspec) WITHOUT
// evaluating it. These files are Ruby code written by rubygems (Gem::Specification#to_ruby):
//
//   Gem::Specification.new do |s|
//     s.name = "rack".freeze            # older rubygems: s.name = %q{rack}
//     s.version = "2.2.22"
//     s.platform = "x86_64-linux".freeze
//     s.licenses = ["MIT".freeze]       # or s.license = "MIT"
//     if s.respond_to? :add_runtime_dependency then
//       s.add_runtime_dependency(%q<racc>.freeze, ["~> 1.4"])
//       s.add_development_dependency(%q<rake>.freeze, [">= 0"])
//     else
//       s.add_dependency(%q<racc>.freeze, ["~> 1.4"])      # same list again, for old rubygems
//     end
//   end
//
// Only whole lines of the form `<block var>.<attr> = <string literal>[.freeze]` are read; a value
// that is not a plain literal (a constant, a method call, an interpolated "#{…}" string, anything
// after the literal) is not a value at all. Nothing in the file is ever executed.

export interface Gemspec {
  readonly name: string;
  readonly version: string;
  readonly platform?: string;
  readonly licenses: readonly string[];
  /** Names of runtime dependencies (add_runtime_dependency, or add_dependency outside the legacy else branch). */
  readonly runtimeDeps: readonly string[];
}

/** Longest line examined; rubygems writes long `s.files = [...]` lines, which are never needed. */
const MAX_LINE = 64 * 1024;
const MAX_LICENSES = 64;

const PAIRS: Readonly<Record<string, string>> = { "{": "}", "<": ">", "(": ")", "[": "]", "|": "|", "!": "!" };

interface Lit {
  /** The string, or undefined when the literal is not constant (interpolation). */
  readonly value: string | undefined;
  /** Index just after the literal (and any `.freeze`). */
  readonly end: number;
}

function unescapeDouble(raw: string): string {
  return raw.replace(/\\(u\{?[0-9A-Fa-f]{1,6}\}?|.)/g, (_, e: string) => {
    if (e.length > 1 && e.startsWith("u")) {
      const cp = parseInt(e.replace(/[u{}]/g, ""), 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : "";
    }
    return e === "n" ? "\n" : e === "t" ? "\t" : e;
  });
}

/**
 * A Ruby string literal starting at `pos`: "…", '…', %q{…} %Q<…> %(…) (brackets, | or !), with an
 * optional `.freeze`; undefined when there is none.
 */
export function readLiteral(s: string, pos: number): Lit | undefined {
  let i = pos;
  let close: string;
  let double: boolean;
  const c = s[i];
  if (c === '"' || c === "'") {
    close = c;
    double = c === '"';
    i++;
  } else if (c === "%") {
    let k = s[i + 1];
    double = k !== "q";
    if (k === "q" || k === "Q") k = s[i + 2];
    if (k === undefined || !(k in PAIRS)) return undefined;
    close = PAIRS[k]!;
    i += s[i + 1] === k ? 2 : 3;
  } else return undefined;
  let raw = "";
  for (; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "\\") {
      raw += ch + (s[i + 1] ?? "");
      i++;
      continue;
    }
    if (ch === close) break;
    raw += ch;
  }
  if (i >= s.length) return undefined; // unterminated
  let end = i + 1;
  if (s.startsWith(".freeze", end)) end += ".freeze".length;
  if (double && /#[{@$]/.test(raw)) return { value: undefined, end }; // interpolation: not a constant
  const value = c === "'" ? raw.replace(/\\(['\\])/g, "$1") : double && c === '"' ? unescapeDouble(raw) : raw;
  return { value, end };
}

/** A literal that is the whole rest of the line (blanks around it allowed). */
function wholeLiteral(s: string): string | undefined {
  const start = s.length - s.trimStart().length;
  const lit = readLiteral(s, start);
  return lit && s.slice(lit.end).trim() === "" ? lit.value : undefined;
}

/** `[lit, lit, …]` and nothing else; undefined when anything is not a constant literal. */
function literalList(s: string): string[] | undefined {
  const t = s.trim();
  if (!t.startsWith("[") || !t.endsWith("]")) return undefined;
  const out: string[] = [];
  let i = 1;
  const skip = () => {
    while (t[i] === " " || t[i] === "\t") i++;
  };
  skip();
  if (t[i] === "]") return i === t.length - 1 ? [] : undefined;
  while (i < t.length && out.length < MAX_LICENSES) {
    const lit = readLiteral(t, i);
    if (!lit || lit.value === undefined) return undefined;
    out.push(lit.value);
    i = lit.end;
    skip();
    if (t[i] === ",") {
      i++;
      skip();
      continue;
    }
    return t[i] === "]" && i === t.length - 1 ? out : undefined;
  }
  return undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export type GemspecResult = { readonly ok: true; readonly spec: Gemspec } | { readonly ok: false; readonly reason: string };

export function parseGemspec(text: string): GemspecResult {
  const block = /Gem::Specification\.new\s*(?:\([^)]*\)\s*)?(?:do|\{)\s*\|\s*([A-Za-z_][A-Za-z0-9_]*)\s*\|/.exec(text);
  if (!block?.[1]) return { ok: false, reason: "no `Gem::Specification.new do |s|` block" };
  const v = escapeRe(block[1]);
  const assign = new RegExp(String.raw`^\s*${v}\.(name|version|platform|license|licenses)\s*=(.*)$`);
  const depLine = new RegExp(String.raw`^\s*${v}\.(add_runtime_dependency|add_dependency|add_development_dependency)(?:\s*\(\s*|\s+)`);
  const ifRuntime = new RegExp(String.raw`^\s*if\s+${v}\.respond_to\?\s*:add_runtime_dependency`);
  const fields = new Map<string, string>();
  const licenses: string[] = [];
  const runtime: string[] = [];
  let branch: "none" | "then" | "else" = "none";
  for (const raw of text.split("\n")) {
    if (raw.length > MAX_LINE) continue;
    const line = raw.replace(/\r$/, "");
    if (ifRuntime.test(line)) branch = "then";
    else if (branch === "then" && /^\s*else\s*$/.test(line)) branch = "else";
    else if (branch !== "none" && /^\s*end\s*$/.test(line)) branch = "none";
    const a = assign.exec(line);
    if (a?.[1] && a[2] !== undefined) {
      if (a[1] === "licenses") licenses.push(...(literalList(a[2]) ?? []));
      else {
        const value = wholeLiteral(a[2]);
        if (value !== undefined && !fields.has(a[1])) fields.set(a[1], value);
      }
      continue;
    }
    const d = depLine.exec(line);
    if (d?.[1]) {
      const dep = readLiteral(line, d[0].length)?.value;
      if (dep === undefined) continue;
      if (d[1] === "add_runtime_dependency" || (d[1] === "add_dependency" && branch !== "else")) runtime.push(dep);
    }
  }
  const name = fields.get("name");
  const version = fields.get("version");
  if (name === undefined) return { ok: false, reason: "no literal `name` assignment" };
  if (version === undefined) return { ok: false, reason: "no literal `version` assignment" };
  const license = fields.get("license");
  const platform = fields.get("platform");
  return {
    ok: true,
    spec: {
      name,
      version,
      ...(platform !== undefined ? { platform } : {}),
      licenses: [...new Set([...licenses, ...(license !== undefined ? [license] : [])])].filter((l) => l.length > 0 && l.length <= 200),
      runtimeDeps: [...new Set(runtime)],
    },
  };
}
