// CycloneDX 1.6 JSON, built with the official @cyclonedx/cyclonedx-library (sorted lists, so the
// output is deterministic; SOURCE_DATE_EPOCH fixes the only time in it).
import * as CDX from "@cyclonedx/cyclonedx-library";
import type { Package } from "../model/package.js";
import { isSpdxLicenseId } from "./licenses.js";
import { contentHash, imagePurl, subjectName, uuidFromHash, type SbomDocument } from "./document.js";

const { Models, Enums } = CDX;

function license(l: string): CDX.Models.License {
  return isSpdxLicenseId(l) ? new Models.SpdxLicense(l) : new Models.NamedLicense(l);
}

function packageProperties(p: Package): CDX.Models.Property[] {
  const props: [string, string | undefined][] = [
    ["berth:package:type", p.type],
    ["berth:package:foundBy", p.foundBy],
    ["berth:package:arch", p.arch],
    ["berth:package:sourceName", p.sourceName],
    ["berth:package:sourceVersion", p.sourceVersion],
    ["berth:package:epoch", p.epoch === undefined ? undefined : String(p.epoch)],
    ["berth:package:evidence", p.evidence],
    ["berth:package:direct", p.direct === undefined ? undefined : String(p.direct)],
    ["berth:package:dev", p.dev ? "true" : undefined],
  ];
  p.locations.forEach((l, i) => {
    props.push([`berth:location:${i}:path`, l.path]);
    props.push([`berth:location:${i}:layerDiffID`, l.layerDigest]);
  });
  return props.filter((x): x is [string, string] => x[1] !== undefined).map(([k, v]) => new Models.Property(k, v));
}

export function buildCycloneDx(doc: SbomDocument): CDX.Models.Bom {
  const bom = new Models.Bom();
  bom.serialNumber = `urn:uuid:${uuidFromHash(contentHash(doc))}`;
  bom.metadata.timestamp = doc.timestamp;
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, doc.tool.name, { version: doc.tool.version }));

  const s = doc.subject;
  const root =
    s.kind === "image"
      ? new Models.Component(Enums.ComponentType.Container, subjectName(s), {
          bomRef: imagePurl(s.image) ?? "image",
          ...(s.image.manifestDigest ?? s.image.configDigest ? { version: (s.image.manifestDigest ?? s.image.configDigest)! } : {}),
          ...(imagePurl(s.image) ? { purl: imagePurl(s.image)! } : {}),
        })
      : new Models.Component(Enums.ComponentType.File, s.path, { bomRef: "directory" });
  if (s.kind === "image") {
    const im = s.image;
    const add = (k: string, v: string | undefined) => v !== undefined && root.properties.add(new Models.Property(k, v));
    add("berth:image:reference", im.reference);
    add("berth:image:manifestDigest", im.manifestDigest);
    add("berth:image:configDigest", im.configDigest);
    add("berth:image:mediaType", im.mediaType);
    if (im.platform) add("berth:image:platform", [im.platform.os, im.platform.architecture, im.platform.variant].filter(Boolean).join("/"));
    im.tags.forEach((t) => add("berth:image:tag", t));
    im.layers.forEach((l, i) => add(`berth:image:layer:${i}:diffID`, l.diffId));
    for (const [k, v] of Object.entries(im.config?.labels ?? {})) add(`berth:image:label:${k}`, v);
  }
  bom.metadata.component = root;

  if (doc.distro) {
    const d = doc.distro;
    const os = new Models.Component(Enums.ComponentType.OperatingSystem, d.id, { bomRef: `os:${d.id}@${d.versionId ?? ""}`, ...(d.versionId ? { version: d.versionId } : {}), ...(d.prettyName ? { description: d.prettyName } : {}) });
    bom.components.add(os);
    root.dependencies.add(os.bomRef);
  }
  const seen = new Set<string>();
  const byPurl = new Map<string, CDX.Models.Component>();
  const made: [Package, CDX.Models.Component][] = [];
  for (const p of doc.packages) {
    let ref = p.purl;
    for (let i = 2; seen.has(ref); i++) ref = `${p.purl}#${i}`;
    seen.add(ref);
    const c = new Models.Component(Enums.ComponentType.Library, p.name, { bomRef: ref, version: p.version, purl: p.purl });
    p.licenses.forEach((l) => c.licenses.add(license(l)));
    packageProperties(p).forEach((x) => c.properties.add(x));
    bom.components.add(c);
    root.dependencies.add(c.bomRef);
    if (!byPurl.has(p.purl)) byPurl.set(p.purl, c);
    made.push([p, c]);
  }
  // The dependency graph, where catalogers recorded it (lockfiles, node_modules, binaries).
  for (const [p, c] of made) for (const d of p.dependsOn ?? []) {
    const target = byPurl.get(d);
    if (target && target !== c) c.dependencies.add(target.bomRef);
  }
  return bom;
}

export function renderCycloneDx(doc: SbomDocument): string {
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return serializer.serialize(buildCycloneDx(doc), { sortLists: true, space: 2 }) + "\n";
}
