// ORAS-style discovery: the tree of an image's referrers (and their referrers), each with its
// artifact type, digest, files and signers — verified against keys when given, else as claimed.
import type { RegistryClient } from "../image/registry/client.js";
import type { Descriptor, ImageManifest } from "../image/manifest.js";
import { describeError, isBerthError } from "../util/errors.js";
import { checkAttestationLayer, checkSignatureLayer, isAttestationManifest, isSignatureManifest } from "./evidence.js";
import { shortKeyId } from "./keys.js";
import { Annotation, AttestMediaType } from "./media-types.js";
import { cosignSignatureTag, readCosignSignatureManifest } from "./oci/cosign-tag.js";
import { fetchReferrerManifest } from "./oci/read.js";
import { listReferrers, type ReferrersOptions, type ReferrersSource } from "./oci/referrers.js";
import type { Verifier } from "./signer.js";
import type { SubjectImage } from "./subject.js";

export interface SignerInfo {
  readonly keyId: string;
  /** true/false when keys were given to check with; undefined when only claimed. */
  readonly verified?: boolean;
}

export interface ReferrerNode {
  readonly digest: string;
  readonly artifactType: string;
  readonly size: number;
  readonly annotations: Readonly<Record<string, string>>;
  readonly predicateType?: string;
  readonly files: readonly { readonly name?: string; readonly mediaType: string; readonly digest: string; readonly size: number }[];
  readonly signers: readonly SignerInfo[];
  readonly problem?: string;
  readonly children: readonly ReferrerNode[];
}

export interface DiscoverResult {
  readonly subject: { readonly name: string; readonly digest: string; readonly resolvedFromTag?: string };
  readonly source: ReferrersSource;
  readonly referrers: readonly ReferrerNode[];
  readonly cosignTag?: { readonly tag: string; readonly digest: string; readonly signers: readonly SignerInfo[] };
}

export interface DiscoverOptions {
  readonly verifiers: readonly Verifier[];
  readonly depth: number;
  readonly artifactType?: string;
  readonly referrers: ReferrersOptions;
}

function signerOf(ev: { verified: boolean; keyId?: string; claimedKeyId?: string; claimedKeyIds?: readonly string[] }, checked: boolean): SignerInfo[] {
  if (checked && ev.verified && ev.keyId) return [{ keyId: ev.keyId, verified: true }];
  const claimed = ev.claimedKeyIds ?? (ev.claimedKeyId ? [ev.claimedKeyId] : []);
  return (claimed.length ? claimed : ["unknown"]).map((k) => (checked ? { keyId: k, verified: false } : { keyId: k }));
}

async function nodeFor(client: RegistryClient, subject: SubjectImage, d: Descriptor, m: ImageManifest, opts: DiscoverOptions): Promise<Omit<ReferrerNode, "children">> {
  const checked = opts.verifiers.length > 0;
  const signers: SignerInfo[] = [];
  let predicateType: string | undefined;
  const annotations = { ...d.annotations, ...m.annotations };
  if (isSignatureManifest(d, m)) {
    for (const l of m.layers) if (l.mediaType === AttestMediaType.simpleSigning) signers.push(...signerOf(await checkSignatureLayer(client, subject, l, `referrer ${d.digest}`, annotations[Annotation.keyId], opts.verifiers, opts.referrers), checked));
  } else if (isAttestationManifest(d, m)) {
    predicateType = annotations[Annotation.predicateType];
    for (const l of m.layers)
      if (l.mediaType === AttestMediaType.dsseEnvelope) {
        const ev = await checkAttestationLayer(client, subject, l, `referrer ${d.digest}`, {}, opts.verifiers, opts.referrers);
        if (ev.statement) predicateType = ev.statement.predicateType;
        signers.push(...signerOf(ev, checked));
      }
  }
  return {
    digest: d.digest,
    artifactType: m.artifactType ?? d.artifactType ?? m.config.mediaType,
    size: d.size,
    annotations,
    ...(predicateType ? { predicateType } : {}),
    files: m.layers.map((l) => ({ ...(l.annotations?.[Annotation.title] ? { name: l.annotations[Annotation.title] } : {}), mediaType: l.mediaType, digest: l.digest, size: l.size })),
    signers,
  };
}

async function level(client: RegistryClient, subject: SubjectImage, digest: string, depth: number, opts: DiscoverOptions): Promise<{ source: ReferrersSource; nodes: ReferrerNode[] }> {
  const listed = await listReferrers(client, subject.ref.repository, digest, { ...opts.referrers, ...(depth === 0 && opts.artifactType ? { artifactType: opts.artifactType } : {}) });
  const nodes: ReferrerNode[] = [];
  for (const d of listed.descriptors) {
    let m: ImageManifest;
    try {
      m = await fetchReferrerManifest(client, subject.ref.repository, d, digest);
    } catch (e) {
      if (!isBerthError(e) || e.code === "network" || e.code === "auth") throw e;
      nodes.push({ digest: d.digest, artifactType: d.artifactType ?? "", size: d.size, annotations: d.annotations ?? {}, files: [], signers: [], problem: describeError(e), children: [] });
      continue;
    }
    // a signature or attestation found here is about this level's subject (the image, or a referrer)
    const about: SubjectImage = { ...subject, digest };
    const node = await nodeFor(client, about, d, m, opts);
    const children = depth + 1 < opts.depth ? (await level(client, subject, d.digest, depth + 1, opts)).nodes : [];
    nodes.push({ ...node, children });
  }
  return { source: listed.source, nodes };
}

export async function discover(client: RegistryClient, subject: SubjectImage, opts: DiscoverOptions): Promise<DiscoverResult> {
  const top = await level(client, subject, subject.digest, 0, opts);
  const legacy = opts.artifactType && opts.artifactType !== AttestMediaType.cosignSignature ? undefined : await readCosignSignatureManifest(client, subject.ref.repository, subject.digest, opts.referrers.limits);
  let cosignTag: DiscoverResult["cosignTag"];
  if (legacy) {
    const signers: SignerInfo[] = [];
    for (const l of legacy.manifest.layers) if (l.mediaType === AttestMediaType.simpleSigning) signers.push(...signerOf(await checkSignatureLayer(client, subject, l, "cosign tag", undefined, opts.verifiers, opts.referrers), opts.verifiers.length > 0));
    cosignTag = { tag: cosignSignatureTag(subject.digest), digest: legacy.digest, signers };
  }
  return {
    subject: { name: subject.name, digest: subject.digest, ...(subject.resolvedFromTag ? { resolvedFromTag: subject.resolvedFromTag } : {}) },
    source: top.source,
    referrers: top.nodes,
    ...(cosignTag ? { cosignTag } : {}),
  };
}

function signerText(s: readonly SignerInfo[]): string {
  if (s.length === 0) return "";
  return ` signed by ${s.map((x) => `${shortKeyId(x.keyId)}${x.verified === true ? " ✓" : x.verified === false ? " (unverified)" : ""}`).join(", ")}`;
}

/** The tree as text: grouped by artifact type under the image, like `oras discover`. */
export function renderTree(r: DiscoverResult): string {
  const lines = [`${r.subject.name}@${r.subject.digest}${r.subject.resolvedFromTag ? `  (tag ${r.subject.resolvedFromTag})` : ""}`];
  const walk = (nodes: readonly ReferrerNode[], prefix: string): void => {
    const groups = new Map<string, ReferrerNode[]>();
    for (const n of nodes) groups.set(n.artifactType, [...(groups.get(n.artifactType) ?? []), n]);
    const entries = [...groups.entries()];
    entries.forEach(([type, ns], gi) => {
      const lastGroup = gi === entries.length - 1;
      lines.push(`${prefix}${lastGroup ? "└── " : "├── "}${type || "(no artifact type)"}`);
      const p2 = prefix + (lastGroup ? "    " : "│   ");
      ns.forEach((n, i) => {
        const last = i === ns.length - 1;
        const extra = [n.predicateType, n.files.length && n.files.some((f) => f.name) ? n.files.map((f) => f.name).filter(Boolean).join(", ") : undefined].filter(Boolean).join("; ");
        lines.push(`${p2}${last ? "└── " : "├── "}${n.digest}${extra ? `  [${extra}]` : ""}${signerText(n.signers)}${n.problem ? `  ! ${n.problem}` : ""}`);
        if (n.children.length) walk(n.children, p2 + (last ? "    " : "│   "));
      });
    });
  };
  walk(r.referrers, "");
  if (r.cosignTag) lines.push(`cosign tag ${r.cosignTag.tag} (${r.cosignTag.digest}):${signerText(r.cosignTag.signers)}`);
  if (r.referrers.length === 0 && !r.cosignTag) lines.push("(no referrers)");
  return lines.join("\n") + "\n";
}
