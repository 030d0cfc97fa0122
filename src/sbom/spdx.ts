// SPDX 2.3 JSON. No maintained JS library writes it, so the document is typed here and validated
// in tests against the official SPDX 2.3 JSON schema. Deterministic: ids and the namespace derive
// from content; only `created` carries a time (SOURCE_DATE_EPOCH fixes it).
import { createHash } from "node:crypto";
import { isSpdxLicenseId } from "./licenses.js";
import type { Package } from "../model/package.js";
import { contentHash, imagePurl, subjectName, uuidFromHash, type SbomDocument } from "./document.js";

interface SpdxExternalRef {
  referenceCategory: "PACKAGE-MANAGER" | "SECURITY" | "OTHER";
  referenceType: string;
  referenceLocator: string;
}

interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: "NOASSERTION";
  filesAnalyzed: false;
  licenseConcluded: "NOASSERTION";
  licenseDeclared: string;
  copyrightText: "NOASSERTION";
  supplier?: string;
  sourceInfo?: string;
  primaryPackagePurpose?: "CONTAINER" | "OPERATING_SYSTEM" | "LIBRARY" | "APPLICATION" | "FILE";
  externalRefs?: SpdxExternalRef[];
  annotations?: { annotationDate: string; annotationType: "OTHER"; annotator: string; comment: string }[];
}

interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: "DESCRIBES" | "CONTAINS" | "DEPENDS_ON";
  relatedSpdxElement: string;
}

export interface SpdxDocument {
  spdxVersion: "SPDX-2.3";
  dataLicense: "CC0-1.0";
  SPDXID: "SPDXRef-DOCUMENT";
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; licenseListVersion?: string };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
  hasExtractedLicensingInfos?: { licenseId: string; extractedText: string; name: string }[];
}

function spdxId(prefix: string, key: string, name: string): string {
  const clean = name.replace(/[^A-Za-z0-9.-]+/g, "-").slice(0, 60);
  return `SPDXRef-${prefix}-${clean}-${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;
}

/** SPDX licence expression for a package: SPDX ids as is, anything else as a LicenseRef. */
function licenseExpression(p: Package, refs: Map<string, string>): string {
  if (p.licenses.length === 0) return "NOASSERTION";
  const parts = p.licenses.map((l) => {
    if (isSpdxLicenseId(l)) return l;
    let ref = refs.get(l);
    if (!ref) {
      ref = `LicenseRef-${l.replace(/[^A-Za-z0-9.-]+/g, "-")}-${createHash("sha256").update(l).digest("hex").slice(0, 8)}`;
      refs.set(l, ref);
    }
    return ref;
  });
  return [...new Set(parts)].join(" AND ");
}

const SOURCE_INFO: Record<string, string> = {
  "dpkg-status": "acquired package info from the dpkg status database",
  "apk-installed": "acquired package info from the apk installed database",
  "rpm-db": "acquired package info from the rpm database",
};

export function buildSpdx(doc: SbomDocument): SpdxDocument {
  const created = doc.timestamp.toISOString().replace(/\.\d{3}Z$/, "Z");
  const name = subjectName(doc.subject);
  const s = doc.subject;
  const rootId = s.kind === "image" ? spdxId("Image", name, name) : spdxId("Directory", s.path, s.path);
  const purl = s.kind === "image" ? imagePurl(s.image) : undefined;
  const root: SpdxPackage = {
    SPDXID: rootId,
    name,
    ...(s.kind === "image" && (s.image.manifestDigest ?? s.image.configDigest) ? { versionInfo: (s.image.manifestDigest ?? s.image.configDigest)! } : {}),
    downloadLocation: "NOASSERTION",
    filesAnalyzed: false,
    licenseConcluded: "NOASSERTION",
    licenseDeclared: "NOASSERTION",
    copyrightText: "NOASSERTION",
    primaryPackagePurpose: s.kind === "image" ? "CONTAINER" : "FILE",
    ...(purl ? { externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: purl }] } : {}),
  };
  const packages: SpdxPackage[] = [root];
  const relationships: SpdxRelationship[] = [{ spdxElementId: "SPDXRef-DOCUMENT", relationshipType: "DESCRIBES", relatedSpdxElement: rootId }];
  if (doc.distro) {
    const d = doc.distro;
    const id = spdxId("OperatingSystem", `${d.id}@${d.versionId ?? ""}`, d.id);
    packages.push({ SPDXID: id, name: d.id, ...(d.versionId ? { versionInfo: d.versionId } : {}), downloadLocation: "NOASSERTION", filesAnalyzed: false, licenseConcluded: "NOASSERTION", licenseDeclared: "NOASSERTION", copyrightText: "NOASSERTION", primaryPackagePurpose: "OPERATING_SYSTEM" });
    relationships.push({ spdxElementId: rootId, relationshipType: "CONTAINS", relatedSpdxElement: id });
  }
  const refs = new Map<string, string>();
  const used = new Set<string>();
  const idByPurl = new Map<string, string>();
  for (const p of doc.packages) {
    let id = spdxId("Package", p.purl, `${p.type}-${p.name}`);
    for (let i = 2; used.has(id); i++) id = `${spdxId("Package", p.purl, `${p.type}-${p.name}`)}-${i}`;
    used.add(id);
    const where = p.locations.map((l) => (l.layerDigest ? `${l.path} (layer ${l.layerDigest})` : l.path)).join(", ");
    packages.push({
      SPDXID: id,
      name: p.name,
      versionInfo: p.version,
      downloadLocation: "NOASSERTION",
      filesAnalyzed: false,
      licenseConcluded: "NOASSERTION",
      licenseDeclared: licenseExpression(p, refs),
      copyrightText: "NOASSERTION",
      sourceInfo: `${SOURCE_INFO[p.foundBy] ?? `found by ${p.foundBy}`}: ${where}`,
      primaryPackagePurpose: "LIBRARY",
      externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: p.purl }],
    });
    relationships.push({ spdxElementId: rootId, relationshipType: "CONTAINS", relatedSpdxElement: id });
    if (!idByPurl.has(p.purl)) idByPurl.set(p.purl, id);
  }
  for (const p of doc.packages) {
    const from = idByPurl.get(p.purl)!;
    for (const d of p.dependsOn ?? []) {
      const to = idByPurl.get(d);
      if (to && to !== from) relationships.push({ spdxElementId: from, relationshipType: "DEPENDS_ON", relatedSpdxElement: to });
    }
  }
  const extracted = [...refs].map(([text, licenseId]) => ({ licenseId, extractedText: text, name: text })).sort((a, b) => (a.licenseId < b.licenseId ? -1 : 1));
  return {
    spdxVersion: "SPDX-2.3",
    dataLicense: "CC0-1.0",
    SPDXID: "SPDXRef-DOCUMENT",
    name,
    documentNamespace: `https://berth.dev/spdxdocs/${encodeURIComponent(name.replace(/[/:@]/g, "-"))}-${uuidFromHash(contentHash(doc))}`,
    creationInfo: { created, creators: [`Tool: ${doc.tool.name}-${doc.tool.version}`] },
    packages,
    relationships,
    ...(extracted.length ? { hasExtractedLicensingInfos: extracted } : {}),
  };
}

export function renderSpdx(doc: SbomDocument): string {
  return JSON.stringify(buildSpdx(doc), null, 2) + "\n";
}
