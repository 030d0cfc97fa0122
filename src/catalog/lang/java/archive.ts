// Reading a Java archive (jar, war, ear, hpi/jpi) and the archives nested in it (WEB-INF/lib/*.jar,
// BOOT-INF/lib/*.jar, lib/*.jar of an ear, …) down to what identifies their contents: each
// META-INF/maven/<group>/<artifact>/pom.properties (with the licenses of the pom.xml beside it),
// and the main section of META-INF/MANIFEST.MF. Everything else in the archive is never inflated.
//
// Bounds, per outermost archive, each hit recorded as a warning naming the entry (the rest of the
// archive is still read): nesting depth (MAX_ARCHIVE_DEPTH), total bytes inflated
// (limits.maxFileBytes), expansion ratio of any entry above 1 MiB (limits.maxLayerRatio), total
// entries listed (limits.maxLayerEntries), and a size cap per metadata file.
import type { Limits } from "../../../util/limits.js";
import { describeError } from "../../../util/errors.js";
import { child, children, childText, parseXml } from "./xml.js";
import { listZip, readZipEntry, type ZipEntry } from "./zip.js";

/** Most archives nested inside one another that are opened (the outermost is level 0). */
export const MAX_ARCHIVE_DEPTH = 16;
const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_PROPERTIES_BYTES = 64 * 1024;
const MAX_POM_BYTES = 4 * 1024 * 1024;
const MAX_WARNINGS = 100;

/** Manifest main-section attributes kept in a summary (the ones that identify an artifact). */
const MANIFEST_KEYS = new Set([
  "Implementation-Title",
  "Implementation-Version",
  "Implementation-Vendor",
  "Implementation-Vendor-Id",
  "Specification-Title",
  "Specification-Version",
  "Bundle-Name",
  "Bundle-SymbolicName",
  "Bundle-Version",
  "Bundle-License",
  "Automatic-Module-Name",
  // Jenkins plugins (.hpi/.jpi).
  "Short-Name",
  "Plugin-Version",
  "Group-Id",
  "Long-Name",
]);

export interface PomProperties {
  /** Entry path inside its archive: META-INF/maven/<group>/<artifact>/pom.properties. */
  readonly path: string;
  readonly groupId?: string;
  readonly artifactId?: string;
  readonly version?: string;
  /** <licenses><license><name> of the pom.xml beside it, when present. */
  readonly licenses?: readonly string[];
}

export interface ArchiveInfo {
  /** Entry names from the outermost archive down to this one; [] for the outermost. */
  readonly chain: readonly string[];
  readonly manifest: Readonly<Record<string, string>>;
  readonly poms: readonly PomProperties[];
}

export interface JavaArchiveSummary {
  readonly archives: readonly ArchiveInfo[];
  readonly warnings: readonly string[];
}

const ARCHIVE_EXT = /\.(jar|war|ear|jpi|hpi)$/i;

export function isJavaArchiveName(path: string): boolean {
  return ARCHIVE_EXT.test(path);
}

/**
 * The main section of a JAR manifest: "Name: value" headers, lines folded at 72 bytes with a
 * leading space on each continuation (unfolded before splitting, as java.util.jar.Manifest does).
 */
export function parseManifest(text: string): Record<string, string> {
  const logical: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === "") break; // end of the main section
    if (line.startsWith(" ") && logical.length > 0) logical[logical.length - 1] += line.slice(1);
    else logical.push(line);
  }
  const out: Record<string, string> = {};
  for (const l of logical) {
    const colon = l.indexOf(": ");
    if (colon > 0) out[l.slice(0, colon)] = l.slice(colon + 2);
  }
  return out;
}

/** java.util.Properties text: key=value, key: value or "key value"; # and ! comments; escapes. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, "");
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    // A line ending in an odd number of backslashes continues on the next one.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, "");
    const m = /^((?:\\.|[^=:\s\\])*)\s*[=:\s]?\s*(.*)$/.exec(line);
    if (!m) continue;
    const unescape = (s: string) => s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => (e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : e === "t" ? "\t" : e === "n" ? "\n" : e === "r" ? "\r" : e === "f" ? "\f" : e));
    out[unescape(m[1]!)] = unescape(m[2]!);
  }
  return out;
}

function pomLicenses(xml: string): string[] {
  const project = parseXml(xml);
  return children(child(project, "licenses"), "license")
    .map((l) => childText(l, "name") ?? childText(l, "url"))
    .filter((x): x is string => x !== undefined);
}

interface Budget {
  bytesLeft: number;
  entriesLeft: number;
  readonly ratio: number;
}

/**
 * Summarises an archive and the archives inside it. Never throws for damaged input: an unreadable
 * outermost archive gives { archives: [], warnings: [why] }.
 */
export function summarizeJavaArchive(data: Buffer, limits: Limits): JavaArchiveSummary {
  const archives: ArchiveInfo[] = [];
  const warnings: string[] = [];
  const budget: Budget = { bytesLeft: limits.maxFileBytes, entriesLeft: limits.maxLayerEntries, ratio: limits.maxLayerRatio };
  const warn = (chain: readonly string[], msg: string) => {
    if (warnings.length < MAX_WARNINGS) warnings.push(chain.length ? `${chain.join("!/")}: ${msg}` : msg);
  };

  const read = (buf: Buffer, e: ZipEntry, max: number): Buffer => {
    const d = readZipEntry(buf, e, { maxBytes: Math.min(max, budget.bytesLeft), maxRatio: budget.ratio });
    budget.bytesLeft -= d.length;
    return d;
  };

  const walk = (buf: Buffer, chain: readonly string[]): void => {
    let entries: ZipEntry[];
    try {
      entries = listZip(buf, budget.entriesLeft);
    } catch (e) {
      warn(chain, `not read: ${describeError(e)}`);
      return;
    }
    budget.entriesLeft -= entries.length;
    const manifest: Record<string, string> = {};
    const poms: PomProperties[] = [];
    // Recorded before its nested archives, so parents come first.
    archives.push({ chain, manifest, poms });
    const byName = new Map(entries.map((e) => [e.name, e]));
    for (const e of entries) {
      const at = [...chain, e.name];
      try {
        if (e.name === "META-INF/MANIFEST.MF") {
          const all = parseManifest(read(buf, e, MAX_MANIFEST_BYTES).toString("utf8"));
          for (const [k, v] of Object.entries(all)) if (MANIFEST_KEYS.has(k)) manifest[k] = v;
        } else if (/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(e.name)) {
          const p = parseProperties(read(buf, e, MAX_PROPERTIES_BYTES).toString("utf8"));
          let licenses: string[] | undefined;
          const xml = byName.get(e.name.replace(/pom\.properties$/, "pom.xml"));
          if (xml) {
            try {
              licenses = pomLicenses(read(buf, xml, MAX_POM_BYTES).toString("utf8"));
            } catch (err) {
              warn([...chain, xml.name], describeError(err));
            }
          }
          poms.push({
            path: e.name,
            ...(p.groupId ? { groupId: p.groupId.trim() } : {}),
            ...(p.artifactId ? { artifactId: p.artifactId.trim() } : {}),
            ...(p.version ? { version: p.version.trim() } : {}),
            ...(licenses?.length ? { licenses } : {}),
          });
        } else if (isJavaArchiveName(e.name) && !e.name.endsWith("/")) {
          if (chain.length >= MAX_ARCHIVE_DEPTH) {
            warn(at, `not opened: archives nested deeper than ${MAX_ARCHIVE_DEPTH} levels (MAX_ARCHIVE_DEPTH)`);
            continue;
          }
          const nested = read(buf, e, Number.MAX_SAFE_INTEGER);
          walk(nested, at);
        }
      } catch (err) {
        warn(at, `not read: ${describeError(err)}`);
      }
    }
  };

  walk(data, []);
  return { archives, warnings };
}
