// pip requirements files (pip.pypa.io "Requirements File Format"): requirements*.txt,
// *-requirements.txt / *_requirements.txt, and any *.txt in a requirements/ directory.
//
// Reported: lines pinned to one exact version, `name[extras]==version` (or `===`), with markers
// (`; python_version < "3.9"`), per-requirement options (`--hash=…`), comments and `\`
// continuations handled. Everything else — ranges, wildcards (`==1.*`), URLs, VCS and local paths,
// `-e` editables — cannot name the installed version and is not reported as a package: the file
// gets ONE Unknown counting and naming those lines, so an incomplete inventory is visible.
//
// `-r other.txt` includes are resolved relative to the including file and must stay inside the
// scanned tree: an include that escapes it, or that is not among the requirements files read,
// is reported as an Unknown. Included requirements files are catalogued as files of their own
// (each package located at the file that pins it), so they are not parsed a second time here.
// `-c` constraint files only restrict versions and add nothing. Pins say nothing about which
// requirements the project asked for (pip freeze lists everything), so direct/dev stay unset.
import { posix } from "node:path";
import type { Package, Unknown } from "../../../model/package.js";
import type { Cataloger, CatalogResult } from "../../cataloger.js";
import { baseName, checkCount, dirPrefix, locationOf, parseRequirement, pypiPackage, textOf, unknownAt, validVersion } from "./common.js";

export const REQUIREMENTS = "python-requirements";

export function isRequirementsFile(path: string): boolean {
  if (!path.endsWith(".txt")) return false;
  const b = baseName(path).toLowerCase();
  if (b.startsWith("requirements") || b.endsWith("-requirements.txt") || b.endsWith("_requirements.txt")) return true;
  const dir = dirPrefix(path);
  return dir.endsWith("requirements/") && (dir === "requirements/" || dir.endsWith("/requirements/"));
}

export interface ParsedRequirements {
  readonly pinned: readonly { name: string; version: string }[];
  readonly unpinned: readonly string[];
  readonly includes: readonly string[];
}

/** Logical lines: `\` continuations joined, comments (# at start or after whitespace) removed. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "");
    if (line.endsWith("\\")) {
      cur += `${line.slice(0, -1)} `;
      continue;
    }
    out.push((cur + line).trim());
    cur = "";
  }
  if (cur.trim()) out.push(cur.trim());
  return out.filter(Boolean);
}

const OPTION_WITH_VALUE = /^(?:-r|--requirement|-c|--constraint|-e|--editable|-i|--index-url|--extra-index-url|-f|--find-links|--trusted-host|--no-binary|--only-binary|--use-feature|--config-settings|-Z|--global-option)(?:=|\s+|$)/;

export function parseRequirementsText(text: string): ParsedRequirements {
  const pinned: { name: string; version: string }[] = [];
  const unpinned: string[] = [];
  const includes: string[] = [];
  for (const line of logicalLines(text)) {
    if (line.startsWith("-")) {
      const m = OPTION_WITH_VALUE.exec(line);
      const value = m ? line.slice(m[0].length).trim().split(/\s+/)[0] ?? "" : "";
      if (m && /^(?:-r|--requirement)\b/.test(line) && value) includes.push(value);
      else if (m && /^(?:-e|--editable)\b/.test(line)) unpinned.push(value || line);
      continue; // other global options (--index-url, --pre, --require-hashes…) add no package
    }
    // Per-requirement options (--hash=…) start after whitespace; the marker after ";".
    const spec = line.split(/\s+--?[a-z]/i)[0]!.split(";")[0]!.trim();
    const req = parseRequirement(spec);
    if (!req) {
      unpinned.push(spec.slice(0, 100));
      continue;
    }
    const m = /^[A-Za-z0-9._-]+\s*(?:\[[^\]]*\])?\s*(===?)\s*([^\s,;]+)\s*$/.exec(spec);
    const version = m?.[2];
    // "==" takes a PEP 440 version; "===" (arbitrary equality) any non-blank string.
    const ok = version !== undefined && validVersion(version) && (m?.[1] === "===" || /^[A-Za-z0-9._+!-]+$/.test(version));
    if (ok) pinned.push({ name: req.name, version });
    else unpinned.push(req.name);
  }
  return { pinned, unpinned, includes };
}

export const requirementsCataloger: Cataloger = {
  id: REQUIREMENTS,
  version: 1,
  claims: isRequirementsFile,
  primary: isRequirementsFile,
  async parse(file, env): Promise<CatalogResult> {
    const parsed = parseRequirementsText(textOf(file, env));
    checkCount(parsed.pinned.length, file);
    const location = locationOf(file);
    const packages: Package[] = parsed.pinned.map(({ name, version }) => pypiPackage({ name, version, foundBy: REQUIREMENTS, location, evidence: "lockfile" }));
    const unknowns: Unknown[] = [];
    if (parsed.unpinned.length) {
      const names = parsed.unpinned.slice(0, 10).join(", ") + (parsed.unpinned.length > 10 ? ", …" : "");
      unknowns.push(unknownAt(file, REQUIREMENTS, `${parsed.unpinned.length} requirements without an exact == pin not reported: ${names}`));
    }
    for (const inc of parsed.includes) {
      const target = posix.normalize(posix.join(dirPrefix(file.path) || ".", inc));
      if (inc.startsWith("/") || target === ".." || target.startsWith("../") || /^[a-z][a-z0-9+.-]*:\/\//i.test(inc)) {
        unknowns.push(unknownAt(file, REQUIREMENTS, `-r ${inc.slice(0, 200)}: outside the scanned tree, not followed`));
      } else if (!env.read(target) || !isRequirementsFile(target)) {
        unknowns.push(unknownAt(file, REQUIREMENTS, `-r ${inc.slice(0, 200)}: /${target} is not among the requirements files read`));
      }
    }
    return { packages, unknowns };
  },
};
