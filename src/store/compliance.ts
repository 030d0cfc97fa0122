// What the deploy gate needs to know about one image reference, from the stored graph: the digest
// (a tag resolved through the tags table), whether a scan completed, open fixable findings counted
// by severity, the registry host, the owner, and the signatures and provenance found next to the
// image (the attestations table, filled by server/attestations.ts). A signature or provenance of
// an index counts for its platform images (the index pins their digests), not the other way round.
import type { Kysely } from "kysely";
import { attestationRepository } from "./attestations.js";
import type { Database } from "./schema.js";
import { parseOwners } from "./records.js";

export type ComplianceSeverity = "critical" | "high" | "medium" | "low" | "negligible" | "unknown";
const SEVERITIES: readonly ComplianceSeverity[] = ["critical", "high", "medium", "low", "negligible", "unknown"];

/** Structurally the `ImageCompliance` of server/admission.ts (the store does not import the server). */
export interface StoredCompliance {
  readonly digest?: string;
  readonly scanned: boolean;
  readonly fixableBySeverity: Partial<Record<ComplianceSeverity, number>>;
  /** A signature verified with a trusted key, over this digest (or its index). */
  readonly signed: boolean;
  /** Signatures found that did not verify (unknown key, broken, about another digest). */
  readonly unverifiedSignatures: number;
  /** Source repositories named by verified SLSA provenance, host-qualified ("github.com/acme/web"). */
  readonly provenanceRepositories: readonly string[];
  readonly owner?: string;
  readonly registry?: string;
}

export interface ParsedImageRef {
  /** Normalised host: "docker.io" for Docker Hub (also index.docker.io, registry-1.docker.io). */
  readonly registry: string;
  /** Repository path; Docker Hub official images get "library/". */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DIGEST_RE = /^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/;
const DOCKER_HUB_HOSTS = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/** Parses `host/repo:tag`, `repo@sha256:…`, `nginx` (→ docker.io/library/nginx:latest when no digest). */
export function parseImageRef(ref: string): ParsedImageRef {
  let name = ref.trim();
  let digest: string | undefined;
  const at = name.indexOf("@");
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
  }
  let tag: string | undefined;
  const lastColon = name.lastIndexOf(":");
  if (lastColon > name.lastIndexOf("/")) {
    tag = name.slice(lastColon + 1);
    name = name.slice(0, lastColon);
  }
  const slash = name.indexOf("/");
  const first = slash >= 0 ? name.slice(0, slash) : "";
  const hasHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  let registry: string;
  let repository: string;
  if (!hasHost) {
    registry = "docker.io";
    repository = (name.includes("/") ? name : `library/${name}`).toLowerCase();
  } else {
    registry = first.toLowerCase();
    repository = name.slice(slash + 1);
    if (DOCKER_HUB_HOSTS.includes(registry)) {
      registry = "docker.io";
      if (!repository.includes("/")) repository = `library/${repository}`;
    }
  }
  if (digest === undefined && tag === undefined) tag = "latest";
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

function normaliseSeverity(s: string): ComplianceSeverity {
  const l = s.toLowerCase();
  return (SEVERITIES as readonly string[]).includes(l) ? (l as ComplianceSeverity) : "unknown";
}

/** Who fixes an image, by digest; undefined when unknown. */
export type OwnerResolver = (digest: string) => Promise<string | undefined>;

export interface ComplianceOptions {
  /**
   * Owner lookup. Default: the actor of the pipeline run linked to the image (or to its index) by
   * `images.pipeline_run_id`. CODEOWNERS (CI records) can be plugged in here.
   */
  readonly ownerOf?: OwnerResolver;
}

export interface ComplianceRepository {
  /** The digest a reference names: its own digest, else its tag through the tags table. */
  resolve(ref: ParsedImageRef): Promise<string | undefined>;
  /** Compliance of a reference; undefined when the image is unknown to the store. */
  forReference(ref: string): Promise<StoredCompliance | undefined>;
  /** Compliance of a digest; undefined when the image is unknown. */
  forDigest(digest: string, registry?: string): Promise<StoredCompliance | undefined>;
}

export function complianceRepository(db: Kysely<Database>, opts: ComplianceOptions = {}): ComplianceRepository {
  // The owner named in a denial: the CODEOWNERS owners of the repository the image is traced to
  // (the strongest link first: a CI record, then provenance, then OCI labels), else who ran the
  // pipeline that pushed it.
  const defaultOwner: OwnerResolver = async (digest) => {
    const image = await db.selectFrom("images").select("index_digest").where("digest", "=", digest).executeTakeFirst();
    const digests = image?.index_digest ? [digest, image.index_digest] : [digest];
    const linked = await db
      .selectFrom("image_sources as s")
      .innerJoin("repositories as r", "r.id", "s.repository_id")
      .select(["r.owners_json", "s.source"])
      .where("s.image_digest", "in", digests)
      .where("r.owners_json", "is not", null)
      .execute();
    const strength = (source: string): number => ["oidc", "token", "provenance", "label"].indexOf(source) >>> 0;
    for (const l of linked.sort((a, b) => strength(a.source) - strength(b.source))) {
      const owners = parseOwners(l.owners_json);
      if (owners.length > 0) return owners.join(" ");
    }
    const row = await db
      .selectFrom("images as i")
      .leftJoin("images as idx", "idx.digest", "i.index_digest")
      .innerJoin("pipeline_runs as p", (j) => j.on((eb) => eb.or([eb("p.id", "=", eb.ref("i.pipeline_run_id")), eb("p.id", "=", eb.ref("idx.pipeline_run_id"))])))
      .select("p.actor")
      .where("i.digest", "=", digest)
      .where("p.actor", "is not", null)
      .orderBy("p.id", "desc")
      .executeTakeFirst();
    return row?.actor ?? undefined;
  };
  const ownerOf = opts.ownerOf ?? defaultOwner;

  async function resolve(ref: ParsedImageRef): Promise<string | undefined> {
    if (ref.digest !== undefined) return ref.digest;
    if (ref.tag === undefined) return undefined;
    const hosts = ref.registry === "docker.io" ? DOCKER_HUB_HOSTS : [ref.registry];
    const row = await db
      .selectFrom("tags")
      .innerJoin("registry_repositories as r", "r.id", "tags.registry_repository_id")
      .select("tags.digest")
      .where("r.host", "in", hosts)
      .where("r.name", "=", ref.repository)
      .where("tags.tag", "=", ref.tag)
      .orderBy("tags.pushed_at", "desc")
      .executeTakeFirst();
    return row?.digest;
  }

  async function forDigest(digest: string, registry?: string): Promise<StoredCompliance | undefined> {
    const image = await db.selectFrom("images").select(["digest", "scan_status", "index_digest"]).where("digest", "=", digest).executeTakeFirst();
    if (!image) return undefined;
    // An index is scanned through its platform image(s): count the index and its children together.
    const children = await db.selectFrom("images").select(["digest", "scan_status"]).where("index_digest", "=", digest).execute();
    const all = [{ digest: image.digest, scan_status: image.scan_status }, ...children];
    const scanned = all.some((i) => i.scan_status === "scanned");
    const rows = await db
      .selectFrom("findings")
      .select(["severity"])
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where(
        "image_digest",
        "in",
        all.map((i) => i.digest),
      )
      .where("state", "=", "open")
      .where((eb) => eb.or([eb("fix_status", "=", "fixed"), eb("fixed_versions_json", "not in", ["[]", ""])]))
      .groupBy("severity")
      .execute();
    const fixableBySeverity: Partial<Record<ComplianceSeverity, number>> = {};
    for (const r of rows) {
      const s = normaliseSeverity(r.severity);
      fixableBySeverity[s] = (fixableBySeverity[s] ?? 0) + Number(r.n);
    }
    let host = registry;
    if (host === undefined) {
      const loc = await db
        .selectFrom("image_events as e")
        .innerJoin("registry_repositories as r", "r.id", "e.registry_repository_id")
        .select("r.host")
        .where("e.digest", "=", digest)
        .orderBy("e.at", "desc")
        .executeTakeFirst();
      host = loc?.host;
    }
    const owner = await ownerOf(digest);
    const evidence = await attestationRepository(db).evidenceOf(image.index_digest ? [digest, image.index_digest] : [digest]);
    return {
      digest,
      scanned,
      fixableBySeverity,
      ...evidence,
      ...(owner !== undefined ? { owner } : {}),
      ...(host !== undefined ? { registry: DOCKER_HUB_HOSTS.includes(host) ? "docker.io" : host } : {}),
    };
  }

  return {
    resolve,
    forDigest,
    async forReference(refText) {
      const ref = parseImageRef(refText);
      const digest = await resolve(ref);
      if (digest === undefined || !isDigest(digest)) return undefined;
      // The registry a pod pulls from is the reference's, whatever registry the digest was recorded in.
      return forDigest(digest, ref.registry);
    },
  };
}
