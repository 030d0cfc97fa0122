// What an SBOM describes, built once and rendered by each format (STYLE.md §5).
import { createHash } from "node:crypto";
import type { ImageMetadata } from "../model/image.js";
import type { Distro, Package, Unknown } from "../model/package.js";

export type SbomSubject = { readonly kind: "image"; readonly image: ImageMetadata } | { readonly kind: "directory"; readonly path: string };

export interface SbomDocument {
  readonly subject: SbomSubject;
  readonly distro?: Distro;
  readonly packages: readonly Package[];
  readonly unknowns: readonly Unknown[];
  readonly timestamp: Date;
  readonly tool: { readonly name: string; readonly version: string };
}

export function subjectName(s: SbomSubject): string {
  if (s.kind === "directory") return s.path;
  return s.image.repository ?? s.image.reference.replace(/^[a-z-]+:/, "");
}

/** A stable identity for the document's content (not its time): same input → same id. */
export function contentHash(doc: SbomDocument): string {
  const h = createHash("sha256");
  h.update(doc.subject.kind === "image" ? (doc.subject.image.manifestDigest ?? doc.subject.image.configDigest ?? doc.subject.image.reference) : doc.subject.path);
  for (const p of doc.packages) h.update(`\n${p.purl}`);
  return h.digest("hex");
}

/** A UUID (RFC 4122 layout, version 5-style) derived from a hex hash. */
export function uuidFromHash(hex: string): string {
  const b = Buffer.from(hex.slice(0, 32), "hex");
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const s = b.toString("hex");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** The OCI purl of an image: pkg:oci/<name>@<digest>?repository_url=<registry/repo>. */
export function imagePurl(image: ImageMetadata): string | undefined {
  const digest = image.manifestDigest ?? image.configDigest;
  if (!digest) return undefined;
  const repo = image.repository;
  const name = (repo ?? subjectName({ kind: "image", image })).split("/").pop()!.split(":")[0]!.toLowerCase();
  const q = repo ? `?repository_url=${encodeURIComponent(repo).replace(/%2F/g, "/")}` : "";
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(digest)}${q}`;
}
