// Which distribution a filesystem is: os-release first (/etc, then /usr/lib), then the legacy
// release files, then distroless Debian (no os-release, but dpkg status.d).
import type { Distro } from "../../model/package.js";

export const releaseFiles = [
  "etc/os-release",
  "usr/lib/os-release",
  "etc/debian_version",
  "etc/alpine-release",
  "etc/redhat-release",
  "etc/centos-release",
  "etc/system-release",
] as const;

const releaseSet = new Set<string>(releaseFiles);

export function claimsRelease(path: string): boolean {
  return releaseSet.has(path);
}

/** Parses os-release (shell-style KEY=value, optionally quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    let v = line.slice(eq + 1).trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[line.slice(0, eq)] = v.replace(/\\(["'$`\\])/g, "$1");
  }
  return out;
}

function fromOsRelease(f: Record<string, string>): Distro | undefined {
  const id = f.ID?.toLowerCase();
  if (!id) return undefined;
  const idLike = f.ID_LIKE ? f.ID_LIKE.split(/\s+/).filter(Boolean) : undefined;
  return {
    id,
    ...(f.VERSION_ID ? { versionId: f.VERSION_ID } : {}),
    ...(f.VERSION_CODENAME ? { versionCodename: f.VERSION_CODENAME } : {}),
    ...(f.PRETTY_NAME ? { prettyName: f.PRETTY_NAME } : {}),
    ...(idLike ? { idLike } : {}),
  };
}

const REDHAT_LIKE: [RegExp, string][] = [
  [/^CentOS/i, "centos"],
  [/^Red Hat Enterprise Linux/i, "rhel"],
  [/^Rocky Linux/i, "rocky"],
  [/^AlmaLinux/i, "almalinux"],
  [/^Fedora/i, "fedora"],
  [/^Amazon Linux/i, "amzn"],
  [/^Oracle Linux/i, "ol"],
];

/**
 * Detects the distribution. `read` returns a file's text (symlinks resolved) or undefined;
 * `hasDpkgStatusD` says whether var/lib/dpkg/status.d/ has entries; `baseFilesVersion` is the
 * version of the base-files package when known (distroless images carry no os-release).
 */
export function detectDistro(read: (path: string) => string | undefined, hints: { hasDpkgStatusD: boolean; baseFilesVersion?: string }): Distro | undefined {
  for (const p of ["etc/os-release", "usr/lib/os-release"]) {
    const text = read(p);
    if (text !== undefined) {
      const d = fromOsRelease(parseOsRelease(text));
      if (d) return d;
    }
  }
  const alpine = read("etc/alpine-release")?.trim();
  if (alpine) return { id: "alpine", versionId: alpine };
  for (const p of ["etc/redhat-release", "etc/centos-release", "etc/system-release"]) {
    const text = read(p)?.trim();
    if (!text) continue;
    const m = /release\s+([\d.]+)/i.exec(text);
    const id = REDHAT_LIKE.find(([re]) => re.test(text))?.[1] ?? "rhel";
    return { id, ...(m ? { versionId: m[1]! } : {}), prettyName: text };
  }
  const debianVersion = read("etc/debian_version")?.trim();
  if (debianVersion) {
    const major = /^(\d+)/.exec(debianVersion)?.[1];
    return { id: "debian", ...(major ? { versionId: major } : {}), prettyName: `Debian GNU/Linux ${debianVersion}` };
  }
  if (hints.hasDpkgStatusD) {
    const major = hints.baseFilesVersion ? /^(\d+)/.exec(hints.baseFilesVersion)?.[1] : undefined;
    return { id: "debian", ...(major ? { versionId: major } : {}), prettyName: "Distroless (Debian)" };
  }
  return undefined;
}
