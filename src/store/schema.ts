// The tables of the inventory graph (ARCHITECTURE.md "The inventory graph") as Kysely types.
// Portable choices so one query runs on SQLite and PostgreSQL alike: times are ISO-8601 UTC text
// (`Date#toISOString`, which orders as text), JSON documents are text, booleans are 0/1 integers.
import type { Generated, Insertable, Selectable } from "kysely";

export interface RepositoriesTable {
  id: Generated<number>;
  /** Canonical URL, e.g. "https://github.com/org/app". */
  url: string;
  created_at: string;
  // 0002_ci_records:
  provider: string | null;
  /** CODEOWNERS text as last recorded, with the commit it was read at. */
  codeowners: string | null;
  codeowners_commit: string | null;
  /** Owners of the root rule (JSON string array). */
  owners_json: string | null;
  updated_at: string | null;
}

export interface PipelineRunsTable {
  id: Generated<number>;
  repository_id: number;
  provider: string;
  run_id: string;
  run_url: string | null;
  commit_sha: string | null;
  ref: string | null;
  workflow: string | null;
  actor: string | null;
  created_at: string;
  // 0002_ci_records:
  run_attempt: string | null;
  /** How the record was authenticated: "oidc" or "token". */
  auth: string | null;
  issuer: string | null;
  subject: string | null;
  event: string | null;
  recorded_by: string | null;
  updated_at: string | null;
}

/**
 * How a link from an image to a repository is known: a CI record (OIDC or API token), OCI labels
 * (weak), or a SLSA provenance verified with a trusted key (server/attestations.ts).
 */
export type SourceKind = "oidc" | "token" | "label" | "provenance";

/** 0002_ci_records: an image's link to the repository (and run) that built it. */
export interface ImageSourcesTable {
  image_digest: string;
  /** "run:<pipeline run id>", "label:<repository id>@<commit>" or "provenance:<repository id>@<commit>". */
  link_key: string;
  repository_id: number;
  pipeline_run_id: number | null;
  source: SourceKind;
  commit_sha: string | null;
  reference: string | null;
  created_at: string;
  updated_at: string;
}

export type ScanStatus = "pending" | "scanning" | "scanned" | "failed";

export interface ImagesTable {
  /** Manifest (or index) digest, "sha256:…". */
  digest: string;
  media_type: string | null;
  /** For a platform image reached through an index: the index digest. */
  index_digest: string | null;
  platform: string | null;
  config_digest: string | null;
  /** The pipeline run that pushed it, when a CI record names it. */
  pipeline_run_id: number | null;
  scan_status: ScanStatus;
  scan_error: string | null;
  scanned_at: string | null;
  distro: string | null;
  created_at: string;
  // 0004_rescan:
  /** When the findings were last matched (scan or re-match): open findings were confirmed then. */
  matched_at: string | null;
  /** The vulnerability DB (its built_at) that match used. */
  matched_db: string | null;
  // 0005_rematch_scale:
  /** What findings read of the image (layers, base-image labels) and its distro: {distro?, image?}; null: read its stored inventory. */
  match_image_json: string | null;
}

/** 0006: the inventory JSON (`berth sbom -f json`) of an image's last successful scan, beside the narrow image row. */
export interface ImageInventoriesTable {
  digest: string;
  inventory_json: string;
}

export interface RegistryRepositoriesTable {
  id: Generated<number>;
  /** Registry host as clients reach it, e.g. "registry.example.com" or "127.0.0.1:5000". */
  host: string;
  name: string;
  created_at: string;
}

export interface TagsTable {
  registry_repository_id: number;
  tag: string;
  digest: string;
  pushed_at: string;
  last_pulled_at: string | null;
}

/** Every push and pull of a digest in a registry repository (the tag's history). */
export interface ImageEventsTable {
  id: Generated<number>;
  registry_repository_id: number;
  digest: string;
  tag: string | null;
  action: string;
  at: string;
  actor: string | null;
}

export interface ImagePackagesTable {
  image_digest: string;
  purl: string;
  name: string;
  version: string;
  type: string;
  // 0004_rescan: the key the matcher asks advisories under ("" both: not matched; null: stored before 0004).
  /** As match/ecosystem.ts advisoryQuery spells it: "Debian:12", "Ubuntu:22.04" (family), "PyPI". */
  match_ecosystem: string | null;
  /** normalizePackageName(ecosystem, name): the source package for OS packages. */
  match_name: string | null;
  // 0005_rematch_scale (null: stored before it, or not matched); its verdict key and hash moved to package_verdicts in 0007.
  /** The inventory's package without its file list (what a finding names of it). */
  package_json: string | null;
}

export interface VulnerabilitiesTable {
  id: string;
  severity: string;
  title: string | null;
  url: string | null;
  aliases_json: string;
  kev: number;
  modified: string | null;
}

export type FindingState = "open" | "fixed";

/** Unique by (vulnerability_id, image_digest, package_purl), in that order since 0008 (findings_key). */
export interface FindingsTable {
  image_digest: string;
  vulnerability_id: string;
  package_purl: string;
  package_name: string;
  installed_version: string;
  /** The matcher's verdict: fixed (a fix exists), affected, will_not_fix, not_affected. */
  fix_status: string;
  fixed_versions_json: string;
  severity: string;
  /** Lifecycle: open while the image has it; fixed (with fixed_at) when a scan no longer finds it. */
  state: FindingState;
  first_seen: string;
  last_seen: string;
  fixed_at: string | null;
  /** finding_details.hash of the whole finding as the library reports it (0007: shared by images with the same finding). */
  detail_hash: string;
}

/** 0007: a finding's JSON, once per distinct content (store/content-hash.ts detailHash). */
export interface FindingDetailsTable {
  hash: string;
  data_json: string;
}

/**
 * 0007: per matched package of an image, what a re-match compares (server/rematch.ts), clustered by
 * the name advisories are asked under: after a DB update, the rows of the packages it names are one
 * contiguous range to read and update, whatever the number of images.
 */
export interface PackageVerdictsTable {
  /** normalizePackageName(ecosystem, name): the source package for OS packages. */
  match_name: string;
  image_digest: string;
  purl: string;
  match_ecosystem: string;
  /** match.ts verdictKey: the DB's answer for this package depends only on it (shared by images). */
  verdict_key: string;
  /** Hash of the verdict the stored findings of this package were last written from; null: unknown. */
  verdict_hash: string | null;
  /** store/content-hash.ts findingContextHash: what its findings read besides the verdict. */
  context_hash: string;
}

export type JobStatus = "queued" | "running" | "done" | "failed";

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** At most one queued-or-running job per key (a partial unique index). */
  dedupe_key: string;
  payload_json: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  /** Not taken before this time (backoff). */
  run_after: string;
  /** A running job whose lease has passed is taken again (its worker died). */
  lease_until: string | null;
  worker: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export type TokenRole = "admin" | "ingest" | "read";

export interface ApiTokensTable {
  id: Generated<number>;
  /** sha256 hex of the token; the token itself is never stored. */
  token_hash: string;
  role: TokenRole;
  description: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail_json: string | null;
}

export interface RegistryEventsTable {
  /** The envelope event's id: receiving it again changes nothing. */
  event_id: string;
  action: string;
  digest: string | null;
  repository: string | null;
  received_at: string;
  raw_json: string;
}

// 0003_graph: Kubernetes inventory (clusters → namespaces → workloads → images, services and
// ingresses with the derived exposure), attestations found next to images, and server settings.

export interface ClustersTable {
  id: Generated<number>;
  /** Unique name, from the connection config or the snapshot. */
  name: string;
  /** "kubeconfig" (a connector the server runs) or "push" (snapshots posted to the API). */
  source: string;
  /** collectedAt of the last snapshot or diff applied. */
  last_seen_at: string | null;
  resource_versions_json: string | null;
  warnings_json: string | null;
  created_at: string;
  updated_at: string;
}

export interface NamespacesTable {
  cluster_id: number;
  name: string;
  labels_json: string;
  last_seen_at: string;
}

export interface WorkloadsTable {
  id: Generated<number>;
  cluster_id: number;
  namespace: string;
  kind: string;
  name: string;
  uid: string | null;
  labels_json: string;
  pod_count: number;
  /** 0/1: at least one exposure route counts as internet-exposed. */
  internet_exposed: number;
  first_seen: string;
  last_seen: string;
  /** Set when the workload left the cluster (aged out); null while it runs. */
  removed_at: string | null;
}

/** One row per (workload, container, resolved digest); digest null until a pod started the container. */
export interface WorkloadImagesTable {
  workload_id: number;
  container: string;
  init: number;
  /** The image reference as written in the pod spec. */
  image_ref: string;
  digest: string | null;
  /** "repo-digest" (a manifest digest) or "image-id" (a local config id only). */
  digest_kind: string | null;
  repository: string | null;
}

export interface ServicesTable {
  cluster_id: number;
  namespace: string;
  name: string;
  type: string;
  ports_json: string;
  load_balancer_addresses_json: string;
  internet_exposed: number;
  last_seen_at: string;
}

export interface IngressesTable {
  cluster_id: number;
  namespace: string;
  name: string;
  ingress_class: string | null;
  rules_json: string;
  addresses_json: string;
  internet_exposed: number;
  last_seen_at: string;
}

/** One exposure route of a workload (model/cluster.ts Exposure). */
export interface WorkloadExposuresTable {
  workload_id: number;
  /** "ingress", "loadBalancer" or "nodePort". */
  via: string;
  /** namespace/name of the Service. */
  service: string;
  /** namespace/name of the Ingress (via = ingress). */
  ingress: string | null;
  host: string | null;
  path: string | null;
  internet: number;
  route: string;
  detail_json: string;
}

/** Signatures and attestations found next to an image (OCI referrers or cosign tags). */
export interface AttestationsTable {
  image_digest: string;
  /** Digest of the referrer manifest (or signature) that carried it. */
  digest: string;
  /** "signature", "provenance", "sbom", "vuln" or another predicate kind. */
  kind: string;
  predicate_type: string | null;
  /** Key id, certificate identity or builder id. */
  signer: string | null;
  /** 0/1: verified against the server's trust policy. */
  verified: number;
  /** For provenance: the source repository it names. */
  source_repository: string | null;
  detail_json: string | null;
  created_at: string;
}

/** Small server state: scheduler last runs, the vulnerability DB version seen, and similar. */
export interface SettingsTable {
  key: string;
  value_json: string;
  updated_at: string;
}

/** 0004_rescan: the vulnerability DB's advisories as the server last saw them (rescan-db.ts). */
export interface RescanAdvisoriesTable {
  advisory_id: string;
  /** "<modified>|<withdrawn>": a change re-matches the packages the advisory names. */
  fingerprint: string;
  /** JSON array of "<ecosystem>\n<normalised name>". */
  packages_json: string;
}

export interface Database {
  repositories: RepositoriesTable;
  pipeline_runs: PipelineRunsTable;
  images: ImagesTable;
  image_inventories: ImageInventoriesTable;
  registry_repositories: RegistryRepositoriesTable;
  tags: TagsTable;
  image_events: ImageEventsTable;
  image_packages: ImagePackagesTable;
  vulnerabilities: VulnerabilitiesTable;
  findings: FindingsTable;
  finding_details: FindingDetailsTable;
  package_verdicts: PackageVerdictsTable;
  jobs: JobsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  registry_events: RegistryEventsTable;
  image_sources: ImageSourcesTable;
  clusters: ClustersTable;
  namespaces: NamespacesTable;
  workloads: WorkloadsTable;
  workload_images: WorkloadImagesTable;
  services: ServicesTable;
  ingresses: IngressesTable;
  workload_exposures: WorkloadExposuresTable;
  attestations: AttestationsTable;
  settings: SettingsTable;
  rescan_advisories: RescanAdvisoriesTable;
}

export type ImageRow = Selectable<ImagesTable>;
/** A stored finding as read, its details joined. */
export type FindingRow = Selectable<FindingsTable> & { readonly data_json: string };
export type JobRow = Selectable<JobsTable>;
export type TagRow = Selectable<TagsTable>;
export type ApiTokenRow = Selectable<ApiTokensTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type NewFinding = Insertable<FindingsTable>;
