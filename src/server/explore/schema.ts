// The explorer's view of the inventory graph (ARCHITECTURE.md "The inventory graph"): node types,
// the fields a query may filter on per type, and the edges a path may follow. Pure data; the query
// parser validates against it and the query executor implements exactly these fields and edges.

export const NODE_TYPES = [
  "repository",
  "pipelinerun",
  "image",
  "registry",
  "tag",
  "workload",
  "namespace",
  "cluster",
  "package",
  "vulnerability",
  "finding",
  "service",
  "ingress",
  "internet",
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export function isNodeType(s: string): s is NodeType {
  return (NODE_TYPES as readonly string[]).includes(s);
}

/** Severity scale, lowest first; comparisons use this order. */
export const SEVERITY_ORDER = ["unknown", "negligible", "low", "medium", "high", "critical"] as const;
export type SeverityValue = (typeof SEVERITY_ORDER)[number];

/**
 * How a field's values compare:
 * - string: = != ~ (glob: `*` any run of characters, `?` one character), exists
 * - number, timestamp, severity: = != > >= < <=, exists (timestamps: ISO 8601 date/date-time, or
 *   `now-<n>(m|h|d)`)
 * - boolean: = !=; a bare field (`exists`) means "is true"
 * - enum: = != exists, against a closed list of values
 */
export type FieldKind =
  | { readonly kind: "string" }
  | { readonly kind: "number" }
  | { readonly kind: "timestamp" }
  | { readonly kind: "severity" }
  | { readonly kind: "boolean" }
  | { readonly kind: "enum"; readonly values: readonly string[] };

export interface FieldSpec {
  readonly type: FieldKind;
  readonly doc: string;
}

const S: FieldKind = { kind: "string" };
const N: FieldKind = { kind: "number" };
const T: FieldKind = { kind: "timestamp" };
const V: FieldKind = { kind: "severity" };
const B: FieldKind = { kind: "boolean" };
const E = (...values: string[]): FieldKind => ({ kind: "enum", values });

const PROVIDERS = E("github", "gitlab", "azure", "other");

/** Every filterable field, per node type. */
export const FIELDS: Record<NodeType, Record<string, FieldSpec>> = {
  repository: {
    name: { type: S, doc: 'path without host, e.g. "acme/web"' },
    host: { type: S, doc: 'e.g. "github.com"' },
    url: { type: S, doc: "web URL" },
    owner: { type: S, doc: "owner from CODEOWNERS or the commit author" },
    provider: { type: PROVIDERS, doc: "hosting provider" },
  },
  pipelinerun: {
    provider: { type: PROVIDERS, doc: "CI provider" },
    workflow: { type: S, doc: "workflow or pipeline name" },
    runId: { type: S, doc: "provider run id" },
    runUrl: { type: S, doc: "link to the run" },
    ref: { type: S, doc: 'git ref, e.g. "refs/heads/main"' },
    commit: { type: S, doc: "commit sha" },
    actor: { type: S, doc: "who triggered the run" },
    event: { type: S, doc: "trigger (push, pull_request, …)" },
    verified: { type: B, doc: "recorded with a verified OIDC token" },
    startedAt: { type: T, doc: "run time" },
  },
  image: {
    digest: { type: S, doc: "manifest digest" },
    name: { type: S, doc: 'registry host/repository of a tag pointing at it (or its index), e.g. "ghcr.io/acme/web"' },
    platform: { type: S, doc: 'e.g. "linux/amd64"' },
    os: { type: S, doc: 'distribution, e.g. "debian 12"' },
    pushedAt: { type: T, doc: "last push" },
    pulledAt: { type: T, doc: "last pull" },
    scannedAt: { type: T, doc: "last scan or re-match" },
    scanned: { type: B, doc: "has an inventory" },
    signed: { type: B, doc: "has a verified signature (attestations, on the image or its index)" },
    hasProvenance: { type: B, doc: "has verified provenance (attestations, on the image or its index)" },
    running: { type: B, doc: "runs in a workload of a connected cluster (not aged out)" },
    pushedBy: { type: E("repository", "unknown"), doc: '"repository": traced to the code repository that built it (a CI record or OCI labels, on the image or its index)' },
    "vuln.severity": { type: V, doc: "highest severity among open findings" },
    "vuln.count": { type: N, doc: "number of open findings" },
    "vuln.id": { type: S, doc: "has an open finding for this vulnerability id (or alias)" },
    "vuln.fixable": { type: B, doc: "has an open finding with a fix" },
    "vuln.kev": { type: B, doc: "has an open finding listed in CISA KEV" },
  },
  registry: {
    host: { type: S, doc: 'registry host, e.g. "ghcr.io"' },
    name: { type: S, doc: "repository path in the registry" },
  },
  tag: {
    name: { type: S, doc: 'tag, e.g. "1.4.2"' },
    pushedAt: { type: T, doc: "last push of this tag" },
    pulledAt: { type: T, doc: "last pull of this tag" },
  },
  workload: {
    name: { type: S, doc: "workload name" },
    kind: { type: E("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "ReplicationController"), doc: "controller kind" },
    namespace: { type: S, doc: "namespace name" },
    cluster: { type: S, doc: "cluster name" },
    internetExposed: { type: B, doc: "reachable from the internet through a Service or Ingress" },
    podCount: { type: N, doc: "pods seen" },
    removed: { type: B, doc: "aged out of the cluster; removed workloads appear only when a filter names this field" },
  },
  namespace: {
    name: { type: S, doc: "namespace name" },
    cluster: { type: S, doc: "cluster name" },
  },
  cluster: {
    name: { type: S, doc: "cluster name" },
  },
  package: {
    name: { type: S, doc: "package name" },
    version: { type: S, doc: "installed version" },
    type: { type: S, doc: 'ecosystem, e.g. "deb", "npm"' },
    purl: { type: S, doc: "package URL" },
  },
  vulnerability: {
    id: { type: S, doc: "advisory id or alias (CVE-…, GHSA-…)" },
    severity: { type: V, doc: "severity" },
    kev: { type: B, doc: "listed in CISA KEV" },
    title: { type: S, doc: "advisory title" },
  },
  finding: {
    status: { type: E("new", "open", "fixed"), doc: "lifecycle: open (still found; includes new), new (open, first seen by the image's latest scan or re-match), fixed" },
    severity: { type: V, doc: "severity" },
    fixable: { type: B, doc: "a fixed version exists" },
    fixedVersion: { type: S, doc: "first fixed version" },
    firstSeen: { type: T, doc: "first seen" },
    fixedAt: { type: T, doc: "fixed at" },
  },
  service: {
    name: { type: S, doc: "service name" },
    namespace: { type: S, doc: "namespace name" },
    cluster: { type: S, doc: "cluster name" },
    type: { type: E("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"), doc: "service type" },
    internetExposed: { type: B, doc: "exposed to the internet" },
  },
  ingress: {
    name: { type: S, doc: "ingress name" },
    namespace: { type: S, doc: "namespace name" },
    cluster: { type: S, doc: "cluster name" },
    host: { type: S, doc: "a rule host" },
    internetExposed: { type: B, doc: "exposed to the internet" },
  },
  internet: {},
};

export interface EdgeSpec {
  readonly a: NodeType;
  readonly b: NodeType;
  /** Relationship name, read from a to b. */
  readonly name: string;
  /** What the executor reports about the edge on each result path. */
  readonly details: readonly string[];
}

/**
 * Edges of the graph. A path may follow an edge in either direction (result edges are reported
 * from a to b whichever way the path went), except `image — image`, which goes from an index to its
 * platform images. `image — repository` and `image — vulnerability` are derived shortcuts (through
 * CI records or OCI labels; through open findings) for the classic "pushed by code repository" and
 * "has vulnerabilities" queries. `internet` is a single pseudo node reaching every internet-exposed
 * workload. Edges through an image also hold for its platform images (what runs from an index, or
 * was pushed or tagged as one, is each of its platform images).
 */
export const EDGES: readonly EdgeSpec[] = [
  { a: "repository", b: "pipelinerun", name: "built", details: ["runUrl", "commit", "ref"] },
  { a: "pipelinerun", b: "image", name: "pushed", details: ["pushedAt", "via"] },
  { a: "image", b: "repository", name: "source", details: ["via", "commit", "runUrl"] },
  { a: "image", b: "registry", name: "storedIn", details: ["pushedAt", "pulledAt"] },
  { a: "registry", b: "tag", name: "hasTag", details: [] },
  { a: "tag", b: "image", name: "pointsTo", details: ["pushedAt"] },
  { a: "image", b: "image", name: "hasPlatform", details: ["platform"] },
  { a: "workload", b: "image", name: "runs", details: ["container", "imageRef", "namespace", "cluster"] },
  { a: "workload", b: "namespace", name: "in", details: [] },
  { a: "namespace", b: "cluster", name: "in", details: [] },
  { a: "workload", b: "service", name: "exposedBy", details: ["via", "route", "ports"] },
  { a: "workload", b: "ingress", name: "exposedBy", details: ["host", "path", "route"] },
  { a: "ingress", b: "service", name: "routesTo", details: ["host", "path", "servicePort"] },
  { a: "service", b: "namespace", name: "in", details: [] },
  { a: "ingress", b: "namespace", name: "in", details: [] },
  { a: "image", b: "package", name: "contains", details: [] },
  { a: "package", b: "vulnerability", name: "affectedBy", details: ["fixedVersions", "status"] },
  { a: "image", b: "finding", name: "has", details: ["status", "firstSeen"] },
  { a: "finding", b: "package", name: "in", details: [] },
  { a: "finding", b: "vulnerability", name: "of", details: [] },
  { a: "image", b: "vulnerability", name: "affectedBy", details: ["packages", "fixedVersions", "status"] },
  { a: "internet", b: "workload", name: "reaches", details: ["via", "route", "service", "ingress", "host", "addresses"] },
];

/** The edge joining two consecutive step types, if any (either direction). */
export function edgeBetween(from: NodeType, to: NodeType): EdgeSpec | undefined {
  return EDGES.find((e) => (e.a === from && e.b === to) || (e.a === to && e.b === from));
}

/** Types reachable in one step from a type, sorted. */
export function neighbours(t: NodeType): NodeType[] {
  const out = new Set<NodeType>();
  for (const e of EDGES) {
    if (e.a === t) out.add(e.b);
    if (e.b === t) out.add(e.a);
  }
  return [...out].sort();
}
