// CODEOWNERS (GitHub / GitLab / Azure Repos form): rules of "pattern owner…", the last matching rule
// wins. Patterns follow gitignore: "*" anything, "/dir/" anchored directory, "*.js" a name anywhere,
// "docs/**" everything below docs. GitLab "[Section]" headers are skipped; "#" starts a comment.
import { BerthError } from "../util/errors.js";

export interface CodeownersRule {
  readonly pattern: string;
  readonly owners: readonly string[];
  readonly line: number;
}

/** Bounds: CODEOWNERS files are small; anything larger is refused. */
export const MAX_CODEOWNERS_BYTES = 64 * 1024;
const MAX_RULES = 2000;
const MAX_OWNERS_PER_RULE = 50;

export function parseCodeowners(text: string): CodeownersRule[] {
  if (Buffer.byteLength(text, "utf8") > MAX_CODEOWNERS_BYTES) throw new BerthError("limit", `CODEOWNERS is larger than ${MAX_CODEOWNERS_BYTES} bytes`);
  const rules: CodeownersRule[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    // An unescaped "#" starts a comment.
    const line = raw.replace(/(^|[^\\])#.*$/, "$1").trim();
    if (line === "" || /^\^?\[[^\]]*\]/.test(line)) continue;
    const fields = line.split(/\s+/);
    const pattern = (fields[0] ?? "").replace(/\\#/g, "#");
    const owners = fields.slice(1).filter((o) => /^@?[\w.@/-]+$/.test(o)).slice(0, MAX_OWNERS_PER_RULE);
    rules.push({ pattern, owners, line: i + 1 });
    if (rules.length > MAX_RULES) throw new BerthError("limit", `CODEOWNERS has more than ${MAX_RULES} rules`);
  }
  return rules;
}

function escapeRe(s: string): string {
  return s.replace(/[.+^${}()|[\]\\]/g, "\\$&");
}

/** A gitignore-style pattern as a regular expression over a repository-relative path ("src/a.js"). */
export function patternRegExp(pattern: string): RegExp {
  let p = pattern;
  const dirOnly = p.endsWith("/");
  if (dirOnly) p = p.replace(/\/+$/, "");
  // Anchored when it starts with "/" or has a "/" in the middle.
  const anchored = p.startsWith("/") || p.includes("/");
  p = p.replace(/^\/+/, "");
  let re = "";
  for (let i = 0; i < p.length; i++) {
    const c = p[i] ?? "";
    if (c === "*") {
      if (p[i + 1] === "*") {
        i++;
        if (p[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else re += escapeRe(c);
  }
  const prefix = anchored ? "^" : "^(?:.*/)?";
  // A pattern names the path itself or a directory with everything below it.
  return new RegExp(`${prefix}${re}${dirOnly ? "/.*" : "(?:/.*)?"}$`);
}

/** Owners of a path: the owners of the last matching rule ([] when none matches or it has none). */
export function ownersOf(rules: readonly CodeownersRule[], path: string): readonly string[] {
  const p = path.replace(/^\/+/, "");
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i];
    if (r && patternRegExp(r.pattern).test(p)) return r.owners;
  }
  return [];
}

/** The repository's default owners: the last rule whose pattern is the whole tree ("*", "/*", "**", "/"). */
export function rootOwners(rules: readonly CodeownersRule[]): readonly string[] {
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i];
    if (r && ["*", "/*", "**", "/**", "/"].includes(r.pattern)) return r.owners;
  }
  return [];
}
