// go.mod in source trees: the `require` directives (single-line or in a block), with `replace`
// applied and "// indirect" marking transitive requirements (direct: false). Since Go 1.17 a main
// module's go.mod lists every module of its build, at the version the build selects, so these are
// the versions a build uses; they are still declarations, not proof of a build: evidence
// "manifest". go.sum beside it only adds each module's h1: checksum to metadata — it also lists
// versions that lost minimum version selection, so it is never a source of packages by itself.
// The module itself (`module` line) is the project, not a dependency, and is not reported.
// go.mod files inside a module cache (…/pkg/mod/<path>@<version>/go.mod) are dependencies' own
// manifests, not selected versions, and are not claimed.
import type { Location, Package } from "../../../model/package.js";
import { BerthError } from "../../../util/errors.js";
import { locationOf, type CatalogFile, type CatalogEnv, type Cataloger, type CatalogResult } from "../../cataloger.js";
import { unquoteGo } from "./modinfo.js";
import { goPurl, isLocalReplacement } from "./purl.js";

const ID = "go-mod";
/** Largest go.mod or go.sum read (real ones are well under a megabyte). */
export const MAX_GOMOD_BYTES = 16 * 1024 * 1024;

export interface GoRequire {
  readonly path: string;
  readonly version: string;
  readonly indirect: boolean;
  readonly line: number;
}

export interface GoReplace {
  readonly oldPath: string;
  readonly oldVersion?: string;
  readonly newPath: string;
  readonly newVersion?: string;
}

export interface GoModFile {
  readonly module?: string;
  readonly go?: string;
  readonly toolchain?: string;
  readonly requires: readonly GoRequire[];
  readonly replaces: readonly GoReplace[];
}

function bad(line: number, msg: string): BerthError {
  return new BerthError("corrupt", `go.mod line ${line}: ${msg}`);
}

/** Splits a go.mod line into tokens (bare words, "interpreted" and `raw` strings) and its comment. */
function tokenize(text: string, line: number): { tokens: string[]; comment?: string } {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (text.startsWith("//", i)) {
      return { tokens, comment: text.slice(i + 2).trim() };
    } else if (c === '"') {
      try {
        const q = unquoteGo(text, i);
        tokens.push(q.value);
        i = q.end;
      } catch {
        throw bad(line, "malformed quoted string");
      }
    } else if (c === "`") {
      const end = text.indexOf("`", i + 1);
      if (end < 0) throw bad(line, "unterminated raw string");
      tokens.push(text.slice(i + 1, end));
      i = end + 1;
    } else if (c === "(" || c === ")") {
      tokens.push(c);
      i++;
    } else {
      let j = i;
      while (j < text.length && !" \t\r()\"`".includes(text[j]!) && !text.startsWith("//", j)) j++;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return { tokens };
}

/** "indirect" as the whole comment or its first ";"-separated part, as cmd/go writes and reads it. */
function isIndirect(comment: string | undefined): boolean {
  if (!comment) return false;
  return comment === "indirect" || comment.startsWith("indirect;");
}

export function parseGoMod(text: string): GoModFile {
  let module: string | undefined;
  let go: string | undefined;
  let toolchain: string | undefined;
  const requires: GoRequire[] = [];
  const replaces: GoReplace[] = [];
  let block: string | undefined;
  let blockLine = 0;

  const directive = (verb: string, args: string[], comment: string | undefined, n: number): void => {
    switch (verb) {
      case "module":
        if (args.length !== 1) throw bad(n, "usage: module module/path");
        module = args[0];
        break;
      case "go":
        if (args.length !== 1) throw bad(n, "usage: go 1.23");
        go = args[0];
        break;
      case "toolchain":
        if (args.length !== 1) throw bad(n, "usage: toolchain go1.23.1");
        toolchain = args[0];
        break;
      case "require": {
        if (args.length !== 2) throw bad(n, "usage: require module/path v1.2.3");
        const [path = "", version = ""] = args;
        requires.push({ path, version, indirect: isIndirect(comment), line: n });
        break;
      }
      case "replace": {
        const arrow = args.indexOf("=>");
        if (arrow !== 1 && arrow !== 2) throw bad(n, "usage: replace module/path [v1.2.3] => other/module v1.4.5 | ../local/dir");
        const rhs = args.slice(arrow + 1);
        if (rhs.length !== 1 && rhs.length !== 2) throw bad(n, "usage: replace module/path [v1.2.3] => other/module v1.4.5 | ../local/dir");
        replaces.push({
          oldPath: args[0] ?? "",
          ...(arrow === 2 ? { oldVersion: args[1] } : {}),
          newPath: rhs[0] ?? "",
          ...(rhs.length === 2 ? { newVersion: rhs[1] } : {}),
        });
        break;
      }
      default:
      // exclude, retract, godebug, tool, ignore and future directives do not add packages.
    }
  };

  for (const [i, raw] of text.split("\n").entries()) {
    const n = i + 1;
    const { tokens, comment } = tokenize(raw, n);
    if (tokens.length === 0) continue;
    if (block !== undefined) {
      if (tokens.length === 1 && tokens[0] === ")") {
        block = undefined;
        continue;
      }
      if (tokens.includes("(") || tokens.includes(")")) throw bad(n, "unexpected parenthesis inside a block");
      directive(block, tokens, comment, n);
      continue;
    }
    const [verb = "", ...args] = tokens;
    if (args.length === 1 && args[0] === "(") {
      block = verb;
      blockLine = n;
      continue;
    }
    if (args.includes("(") || args.includes(")")) throw bad(n, "unexpected parenthesis");
    directive(verb, args, comment, n);
  }
  if (block !== undefined) throw bad(blockLine, `"${block} (" block is never closed`);
  return { ...(module !== undefined ? { module } : {}), ...(go !== undefined ? { go } : {}), ...(toolchain !== undefined ? { toolchain } : {}), requires, replaces };
}

/** "path version" → "h1:…" from go.sum (module zip hashes only, not the /go.mod ones). */
export function parseGoSum(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length !== 3) continue;
    const [path = "", version = "", hash = ""] = f;
    if (version.endsWith("/go.mod")) continue;
    out.set(`${path} ${version}`, hash);
  }
  return out;
}

/** The replacement that applies to path@version: a version-specific one wins over a path-wide one. */
function replacementFor(replaces: readonly GoReplace[], path: string, version: string): GoReplace | undefined {
  return replaces.find((r) => r.oldPath === path && r.oldVersion === version) ?? replaces.find((r) => r.oldPath === path && r.oldVersion === undefined);
}

export function goModPackages(mod: GoModFile, sums: Map<string, string>, loc: Location): Package[] {
  const out = new Map<string, Package>();
  for (const r of mod.requires) {
    const rep = replacementFor(mod.replaces, r.path, r.version);
    let path = r.path;
    let version = r.version;
    const metadata: Record<string, string> = {};
    if (rep && !isLocalReplacement(rep.newPath) && rep.newVersion) {
      path = rep.newPath;
      version = rep.newVersion;
      metadata.replaces = `${r.path}@${r.version}`;
    } else if (rep) {
      metadata.replacedBy = rep.newVersion ? `${rep.newPath}@${rep.newVersion}` : rep.newPath;
    }
    const h1 = sums.get(`${path} ${version}`);
    if (h1) metadata.h1 = h1;
    const p: Package = {
      type: "golang",
      name: path,
      version,
      purl: goPurl(path, version),
      licenses: [],
      locations: [loc],
      foundBy: ID,
      evidence: "manifest",
      direct: !r.indirect,
      ...(Object.keys(metadata).length ? { metadata } : {}),
    };
    // A module required twice (a mistake cmd/go rejects) is reported once; direct wins.
    const prev = out.get(p.purl);
    if (!prev || (p.direct && !prev.direct)) out.set(p.purl, p);
  }
  return [...out.values()];
}

function isModuleCache(path: string): boolean {
  return /(^|\/)pkg\/mod\/.*@v[0-9]/.test(path);
}

function claims(path: string): boolean {
  return (path === "go.mod" || path === "go.sum" || path.endsWith("/go.mod") || path.endsWith("/go.sum")) && !isModuleCache(path);
}

async function parse(file: CatalogFile, env: CatalogEnv): Promise<CatalogResult> {
  if (file.data.length > MAX_GOMOD_BYTES) throw new BerthError("limit", `${file.path}: ${file.data.length} bytes exceeds the go.mod bound of ${MAX_GOMOD_BYTES}`);
  const mod = parseGoMod(file.data.toString("utf8"));
  const sumPath = file.path === "go.mod" ? "go.sum" : `${file.path.slice(0, -"go.mod".length)}go.sum`;
  const sum = env.read(sumPath);
  const sums = sum && sum.data.length <= MAX_GOMOD_BYTES ? parseGoSum(sum.data.toString("utf8")) : new Map<string, string>();
  const loc: Location = locationOf(file);
  return { packages: goModPackages(mod, sums, loc), unknowns: [] };
}

export const goModCataloger: Cataloger = {
  id: ID,
  version: 1,
  claims,
  primary: (path) => claims(path) && (path === "go.mod" || path.endsWith("/go.mod")),
  parse,
};
