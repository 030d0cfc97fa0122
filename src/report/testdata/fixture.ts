// A realistic ReportDocument, built by hand from real OSV records copied into advisories/ (see
// README.md): a Debian 12 image with OS and Python findings, and a directory with npm findings.
// Titles, descriptions, URLs, aliases, fixed versions and dates come from the records, the way
// match/ derives them; severities and CVSS scores as README.md explains.
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Finding, FindingLayer, FindingPackage, Undecided } from "../../model/finding.js";
import type { ImageMetadata } from "../../model/image.js";
import type { Package } from "../../model/package.js";
import { purl } from "../../catalog/purl.js";
import type { ReportDocument, ReportTarget } from "../document.js";

const here = dirname(fileURLToPath(import.meta.url));

interface OsvRecord {
  id: string;
  summary?: string;
  details?: string;
  aliases?: string[];
  published?: string;
  modified?: string;
  references?: { type: string; url: string }[];
}

export function advisory(id: string): OsvRecord {
  return JSON.parse(readFileSync(join(here, "advisories", `${id}.json`), "utf8")) as OsvRecord;
}

/** Title, description, URL and dates as match/advisory.ts derives them from a record. */
function text(id: string): Pick<Finding, "title" | "description" | "url" | "published" | "modified"> {
  const r = advisory(id);
  const details = r.details?.trim();
  const title = r.summary?.trim() || details?.split("\n")[0]?.slice(0, 200);
  const url = r.references?.find((x) => x.type === "ADVISORY")?.url;
  return {
    ...(title ? { title } : {}),
    ...(details ? { description: details.slice(0, 4000) } : {}),
    ...(url ? { url } : {}),
    ...(r.published ? { published: r.published } : {}),
    ...(r.modified ? { modified: r.modified } : {}),
  };
}

const digest = (label: string) => `sha256:${createHash("sha256").update(label).digest("hex")}`;

// ---- target 1: a Debian 12 image --------------------------------------------------------------

const layers = [
  { createdBy: "/bin/sh -c #(nop) ADD file:6a2b0e0aa7f4e7b3b2c1b8e1c2f6ef0a1c4f1a7cb3b2b2d5e2f6f0c2e1a9b8c7 in / " },
  { createdBy: "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl python3 python3-venv # buildkit" },
  { createdBy: "RUN /bin/sh -c python3 -m venv /app/.venv && /app/.venv/bin/pip install -r /app/requirements.txt # buildkit" },
].map((l, i) => ({
  digest: digest(`shop-api layer blob ${i}`),
  diffId: digest(`shop-api layer diff ${i}`),
  mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
  size: [29_150_000, 18_400_221, 9_807_114][i]!,
  createdBy: l.createdBy,
}));

const image: ImageMetadata = {
  reference: "registry.example.com/shop/api:1.4.2",
  repository: "registry.example.com/shop/api",
  tags: ["1.4.2"],
  manifestDigest: digest("shop-api manifest"),
  configDigest: digest("shop-api config"),
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  platform: { os: "linux", architecture: "amd64" },
  layers,
  config: {
    env: ["PATH=/app/.venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "API_TOKEN=do-not-print"],
    entrypoint: ["/app/.venv/bin/python", "-m", "shop_api"],
    cmd: [],
    workingDir: "/app",
    labels: { "org.opencontainers.image.source": "https://git.example.com/shop/api" },
    history: layers.map((l) => ({ createdBy: l.createdBy })),
  },
};

const dpkgStatus = { path: "/var/lib/dpkg/status", layerDigest: layers[1]!.diffId };
const aptLayer: FindingLayer = { diffId: layers[1]!.diffId, digest: layers[1]!.digest, createdBy: layers[1]!.createdBy, index: 1 };
const pipLayer: FindingLayer = { diffId: layers[2]!.diffId, digest: layers[2]!.digest, createdBy: layers[2]!.createdBy, index: 2 };

function deb(name: string, version: string, source: string, license: string): Package {
  return {
    type: "deb",
    name,
    version,
    purl: purl("deb", "debian", name, version, { arch: "amd64", distro: "debian-12", upstream: source !== name ? source : undefined }),
    arch: "amd64",
    sourceName: source,
    sourceVersion: version,
    licenses: [license],
    locations: [dpkgStatus],
    foundBy: "dpkg-status",
  };
}

function pypi(name: string, version: string, license: string): Package {
  return {
    type: "pypi",
    name,
    version,
    purl: purl("pypi", undefined, name, version),
    licenses: [license],
    locations: [{ path: `/app/.venv/lib/python3.11/site-packages/${name}-${version}.dist-info/METADATA`, layerDigest: layers[2]!.diffId }],
    foundBy: "python-installed",
    evidence: "installed",
  };
}

const libc6 = deb("libc6", "2.36-9+deb12u1", "glibc", "LGPL-2.1-only");
const libssl3 = deb("libssl3", "3.0.9-1", "openssl", "Apache-2.0");
const openssl = deb("openssl", "3.0.9-1", "openssl", "Apache-2.0");
const libcurl4 = deb("libcurl4", "7.88.1-10+deb12u1", "curl", "curl");
const curl = deb("curl", "7.88.1-10+deb12u1", "curl", "curl");
const zlib1g = deb("zlib1g", "1:1.2.13.dfsg-1", "zlib", "Zlib");
const caCerts = deb("ca-certificates", "20230311", "ca-certificates", "MPL-2.0");
const urllib3 = pypi("urllib3", "1.26.16", "MIT");
const requests = pypi("requests", "2.28.1", "Apache-2.0");
const certifi = pypi("certifi", "custom-build", "MPL-2.0");

function pkg(p: Package, bySource: boolean): FindingPackage {
  return { name: p.name, version: p.version, type: p.type, purl: p.purl, ...(bySource && p.sourceName ? { sourceName: p.sourceName } : {}), locations: p.locations };
}

/** A Debian finding from a DEBIAN-CVE record (severity: the changelog urgency, see README.md). */
function debianFinding(p: Package, advisoryId: string, fixed: string, severity: Finding["severity"], extra: Partial<Finding> = {}): Finding {
  const cve = advisoryId.replace(/^DEBIAN-/, "");
  return {
    id: cve,
    aliases: [advisoryId],
    advisories: [advisoryId],
    package: pkg(p, true),
    installedVersion: p.version,
    fixedVersions: [fixed],
    status: "fixed",
    severity,
    severitySource: "distro",
    kev: false,
    ...text(advisoryId),
    layer: aptLayer,
    remediation: `upgrade ${p.sourceName} to ${fixed}`,
    matchedBy: { ecosystem: "Debian:12", scheme: "dpkg", by: "source-package" },
    ...extra,
  };
}

function pypiFinding(p: Package, advisoryId: string, fixed: string[], cvss?: Finding["cvss"], severity: Finding["severity"] = "unknown"): Finding {
  const r = advisory(advisoryId);
  const cve = (r.aliases ?? []).filter((a) => a.startsWith("CVE-")).sort()[0] ?? advisoryId;
  return {
    id: cve,
    aliases: [advisoryId, ...(r.aliases ?? [])].filter((a) => a !== cve).sort(),
    advisories: [advisoryId],
    package: pkg(p, false),
    installedVersion: p.version,
    fixedVersions: fixed,
    status: fixed.length ? "fixed" : "affected",
    severity,
    severitySource: cvss ? "cvss" : "none",
    ...(cvss ? { cvss } : {}),
    kev: false,
    ...text(advisoryId),
    layer: pipLayer,
    remediation: fixed.length ? `upgrade ${p.name} to ${fixed[0]}` : `no fix available yet for ${p.name}; track ${cve}`,
    matchedBy: { ecosystem: "PyPI", scheme: "pep440", by: "package" },
  };
}

const imageFindings: Finding[] = [
  debianFinding(curl, "DEBIAN-CVE-2023-38545", "7.88.1-10+deb12u4", "high"),
  debianFinding(curl, "DEBIAN-CVE-2023-38546", "7.88.1-10+deb12u4", "high"),
  debianFinding(libcurl4, "DEBIAN-CVE-2023-38545", "7.88.1-10+deb12u4", "high"),
  debianFinding(libcurl4, "DEBIAN-CVE-2023-38546", "7.88.1-10+deb12u4", "high", {
    suppressed: {
      by: "vex",
      reason: "vulnerable_code_not_in_execute_path: the service never loads cookies from a file",
      source: "vex/shop-api.openvex.json",
    },
  }),
  pypiFinding(urllib3, "PYSEC-2023-192", ["1.26.17"], { version: "3.1", score: 8.1, vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N" }, "high"),
  debianFinding(libc6, "DEBIAN-CVE-2023-4911", "2.36-9+deb12u3", "medium", { kev: true }),
  debianFinding(libssl3, "DEBIAN-CVE-2023-5363", "3.0.11-1~deb12u2", "medium"),
  debianFinding(libssl3, "DEBIAN-CVE-2024-0727", "3.0.13-1~deb12u1", "medium"),
  debianFinding(openssl, "DEBIAN-CVE-2023-5363", "3.0.11-1~deb12u2", "medium"),
  debianFinding(openssl, "DEBIAN-CVE-2024-0727", "3.0.13-1~deb12u1", "medium"),
  pypiFinding(urllib3, "PYSEC-2023-212", ["1.26.18"], { version: "3.1", score: 4.2, vector: "CVSS:3.1/AV:A/AC:H/PR:H/UI:N/S:U/C:H/I:N/A:N" }, "medium"),
  pypiFinding(requests, "PYSEC-2023-74", ["2.31.0"]),
];

const imageUndecided: Undecided[] = [
  { advisory: "PYSEC-2023-135", package: pkg(certifi, false), reasons: ['pep440: cannot parse version "custom-build"'] },
];

export const imageTarget: ReportTarget = {
  name: "registry.example.com/shop/api:1.4.2",
  kind: "image",
  image,
  distro: { id: "debian", versionId: "12", versionCodename: "bookworm", prettyName: "Debian GNU/Linux 12 (bookworm)", idLike: [] },
  packages: [caCerts, curl, libc6, libcurl4, libssl3, openssl, zlib1g, certifi, requests, urllib3],
  findings: imageFindings,
  undecided: imageUndecided,
  artifactPath: "Dockerfile",
};

// ---- target 2: a source directory with an npm lockfile ------------------------------------------

function npm(name: string, version: string, license: string): Package {
  return {
    type: "npm",
    name,
    version,
    purl: purl("npm", undefined, name, version),
    licenses: [license],
    locations: [{ path: "/package-lock.json" }],
    foundBy: "npm-lockfile",
    evidence: "lockfile",
    direct: true,
  };
}

const lodash = npm("lodash", "4.17.4", "MIT");
const gitlabhook = npm("gitlabhook", "0.0.17", "MIT");
const express = npm("express", "4.18.2", "MIT");

function npmFinding(p: Package, advisoryId: string, fixed: string[], severity: Finding["severity"], severitySource: Finding["severitySource"], cvss: NonNullable<Finding["cvss"]>, extra: Partial<Finding> = {}): Finding {
  const r = advisory(advisoryId);
  const cve = (r.aliases ?? []).filter((a) => a.startsWith("CVE-")).sort()[0]!;
  return {
    id: cve,
    aliases: [advisoryId],
    advisories: [advisoryId],
    package: pkg(p, false),
    installedVersion: p.version,
    fixedVersions: fixed,
    status: fixed.length ? "fixed" : "affected",
    severity,
    severitySource,
    cvss,
    kev: false,
    ...text(advisoryId),
    remediation: fixed.length ? `upgrade ${p.name} to ${fixed[0]}` : `no fix available yet for ${p.name}; track ${cve}`,
    matchedBy: { ecosystem: "npm", scheme: "semver", by: "package" },
    ...extra,
  };
}

export const directoryTarget: ReportTarget = {
  name: "dir:/work/web",
  kind: "directory",
  packages: [express, gitlabhook, lodash],
  findings: [
    npmFinding(gitlabhook, "NSWG-ECO-502", [], "critical", "cvss", { version: "3.0", score: 10, vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H" }),
    npmFinding(lodash, "GHSA-p6mc-m468-83gw", ["4.17.20"], "high", "advisory", { version: "3.1", score: 7.4, vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H" }, {
      suppressed: { by: "ignore", reason: "zipObjectDeep is never called with user input; accepted until 2027-01-31", source: ".berth.yaml" },
    }),
    npmFinding(lodash, "NSWG-ECO-493", ["4.17.11"], "medium", "cvss", { version: "3.0", score: 5.7, vector: "CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:C/C:L/I:L/A:N" }),
  ],
  undecided: [],
};

export const fixtureDocument: ReportDocument = {
  schema: "https://berth.dev/schemas/report/v1",
  tool: { name: "berth", version: "0.1.0", informationUri: "https://berth.dev" },
  timestamp: new Date("2026-11-22T12:00:00Z"),
  targets: [imageTarget, directoryTarget],
  db: {
    builtAt: "2026-11-22T04:59:00Z",
    updatedAt: "2026-11-22T05:30:00Z",
    sources: [
      { name: "Debian", snapshot: "bookworm changelogs 2026-11-22" },
      { name: "PyPI", snapshot: "pypa/advisory-database@3ccb6125" },
      { name: "npm", snapshot: "nodejs/security-wg@f1288d0d" },
      { name: "kev", snapshot: "2025.08.25" },
    ],
  },
  category: "berth/image/shop-api",
};

/** The same document with only the image target (single-target formats, e.g. CycloneDX's root). */
export const imageOnlyDocument: ReportDocument = { ...fixtureDocument, targets: [imageTarget] };

/** `n` distinct findings, quickly: for the GitHub-limit tests. */
export function manyFindingsDocument(n: number): ReportDocument {
  const base = imageFindings[6]!;
  const severities: Finding["severity"][] = ["critical", "high", "medium", "low"];
  const findings: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const severity = severities[i % severities.length]!;
    findings.push({ ...base, id: `CVE-2099-${String(100000 + i)}`, aliases: [], advisories: [`DEBIAN-CVE-2099-${String(100000 + i)}`], severity, title: `synthetic ${i}`, description: `synthetic finding ${i}` });
  }
  findings.sort((a, b) => ["critical", "high", "medium", "low"].indexOf(a.severity) - ["critical", "high", "medium", "low"].indexOf(b.severity));
  return { ...fixtureDocument, targets: [{ ...imageTarget, findings, undecided: [] }] };
}
