// Turns one page of result key tuples into the explorer response's nodes and paths: node props and
// edge details are read for the page's rows only, in a few batched queries per table (never one
// query per row), so a page costs the same whatever the size of the store.
import type { Kysely } from "kysely";
import type { Database } from "../../store/schema.js";
import { edgeKey, stepEdge } from "./compile.js";
import type { NodeType } from "./schema.js";

export type KeyValue = string | number;

export interface ExploreNode {
  readonly type: NodeType;
  readonly id: string;
  readonly label: string;
  readonly props: Record<string, unknown>;
}

export interface ExploreEdge {
  readonly name: string;
  /** The edge's a-side node (see schema.ts EDGES), whichever way the path went. */
  readonly from: string;
  readonly to: string;
  readonly details: Record<string, unknown>;
}

export interface ExplorePath {
  readonly nodes: string[];
  readonly edges: ExploreEdge[];
}

/** One result row: per step, its key values and extra columns (package: the pinning image). */
export interface PageRow {
  readonly steps: readonly { readonly keys: readonly KeyValue[]; readonly extra: Readonly<Record<string, unknown>> }[];
}

/** The node id of a step's key values (contracts.md: image → digest, tag → `<repoId>:<tag>`, …). */
export function nodeId(type: NodeType, keys: readonly KeyValue[]): string {
  switch (type) {
    case "tag":
      return `${keys[0]}:${keys[1]}`;
    case "namespace":
      return `${keys[0]}/${keys[1]}`;
    case "service":
    case "ingress":
      return `${keys[0]}/${keys[1]}/${keys[2]}`;
    case "finding":
      return `${keys[0]}|${keys[1]}|${keys[2]}`;
    case "internet":
      return "internet";
    default:
      return String(keys[0]);
  }
}

export const nodeKey = (type: NodeType, id: string): string => `${type}:${id}`;

const CHUNK = 500;

async function inChunks<T, R>(values: Iterable<T>, fn: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const all = [...new Set(values)];
  const out: R[] = [];
  for (let i = 0; i < all.length; i += CHUNK) out.push(...(await fn(all.slice(i, i + CHUNK))));
  return out;
}

function parseJson(s: string | null | undefined): unknown {
  if (s === null || s === undefined) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

const max = (xs: readonly (string | null)[]): string | null => xs.reduce<string | null>((m, x) => (x !== null && (m === null || x > m) ? x : m), null);

/** "https://github.com/acme/web" → host and path. */
function splitUrl(url: string): { host: string; name: string } {
  const m = /^https?:\/\/([^/]+)\/(.*)$/.exec(url);
  return m ? { host: m[1]!, name: m[2]! } : { host: "", name: url };
}

const isFixable = (fixStatus: string, fixed: readonly string[]): boolean => fixStatus === "fixed" || fixed.length > 0;

export async function buildResult(db: Kysely<Database>, types: readonly NodeType[], rows: readonly PageRow[]): Promise<{ nodes: Record<string, ExploreNode>; paths: ExplorePath[] }> {
  // Keys per type on this page.
  const ids = new Map<NodeType, Map<string, { keys: readonly KeyValue[]; extra: Readonly<Record<string, unknown>> }>>();
  for (const r of rows) {
    r.steps.forEach((s, i) => {
      const t = types[i]!;
      let m = ids.get(t);
      if (!m) ids.set(t, (m = new Map()));
      const id = nodeId(t, s.keys);
      if (!m.has(id)) m.set(id, s);
    });
  }
  const keysOf = (t: NodeType) => [...(ids.get(t)?.values() ?? [])].map((x) => x.keys);
  const nodes: Record<string, ExploreNode> = {};
  const put = (type: NodeType, id: string, label: string, props: Record<string, unknown>) => {
    nodes[nodeKey(type, id)] = { type, id, label, props };
  };

  // --- images (and what hangs off them: tags, push/pull events, findings, attestations, links)
  const imageDigests = keysOf("image").map((k) => String(k[0]));
  const imageRows = await inChunks(imageDigests, (c) =>
    db.selectFrom("images").select(["digest", "media_type", "index_digest", "platform", "scan_status", "scanned_at", "distro"]).where("digest", "in", c).execute(),
  );
  const imageByDigest = new Map(imageRows.map((r) => [r.digest, r]));
  const related = (d: string): string[] => {
    const idx = imageByDigest.get(d)?.index_digest;
    return idx ? [d, idx] : [d];
  };
  const relatedDigests = imageDigests.flatMap(related);
  const tagRows = await inChunks(relatedDigests, (c) =>
    db
      .selectFrom("tags as t")
      .innerJoin("registry_repositories as g", "g.id", "t.registry_repository_id")
      .select(["t.digest", "t.tag", "t.pushed_at", "t.last_pulled_at", "t.registry_repository_id", "g.host", "g.name"])
      .where("t.digest", "in", c)
      .execute(),
  );
  const tagsByDigest = groupBy(tagRows, (r) => r.digest);
  const eventRows = await inChunks(relatedDigests, (c) =>
    db
      .selectFrom("image_events")
      .select(["digest", "action"])
      .select((eb) => eb.fn.max("at").as("at"))
      .where("digest", "in", c)
      .where("action", "in", ["push", "pull"])
      .groupBy(["digest", "action"])
      .execute(),
  );
  const lastEvent = (d: string, action: string) => max(eventRows.filter((e) => e.action === action && related(d).includes(e.digest)).map((e) => e.at));
  const countRows = await inChunks(imageDigests, (c) =>
    db
      .selectFrom("findings")
      .select(["image_digest", "severity"])
      .select((eb) => eb.fn.countAll<string | number>().as("n"))
      .where("image_digest", "in", c)
      .where("state", "=", "open")
      .groupBy(["image_digest", "severity"])
      .execute(),
  );
  const countsByDigest = groupBy(countRows, (r) => r.image_digest);
  const attRows = await inChunks(relatedDigests, (c) =>
    db.selectFrom("attestations").select(["image_digest", "kind"]).where("image_digest", "in", c).where("verified", "=", 1).where("kind", "in", ["signature", "provenance"]).execute(),
  );
  const runningRows = await inChunks(relatedDigests, (c) =>
    db
      .selectFrom("workload_images as wi")
      .innerJoin("workloads as w", "w.id", "wi.workload_id")
      .select("wi.digest")
      .where("wi.digest", "in", c)
      .where("w.removed_at", "is", null)
      .execute(),
  );
  const runningSet = new Set(runningRows.map((r) => r.digest));
  const sourceRows = await inChunks(relatedDigests, (c) =>
    db
      .selectFrom("image_sources as s")
      .leftJoin("pipeline_runs as p", "p.id", "s.pipeline_run_id")
      .select(["s.image_digest", "s.link_key", "s.repository_id", "s.pipeline_run_id", "s.source", "s.commit_sha", "p.run_url"])
      .where("s.image_digest", "in", c)
      .orderBy("s.link_key")
      .execute(),
  );
  const sourcesOf = (d: string) => sourceRows.filter((s) => related(d).includes(s.image_digest));
  const tagsOf = (d: string) =>
    related(d)
      .flatMap((x) => tagsByDigest.get(x) ?? [])
      .sort((a, b) => `${a.host}/${a.name}:${a.tag}`.localeCompare(`${b.host}/${b.name}:${b.tag}`));
  for (const d of imageDigests) {
    const img = imageByDigest.get(d);
    const tags = tagsOf(d);
    const names = [...new Set(tags.map((t) => `${t.host}/${t.name}`))];
    const vulns: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0, total: 0 };
    for (const c of countsByDigest.get(d) ?? []) {
      const sev = c.severity === "none" ? "negligible" : c.severity in vulns ? c.severity : "unknown";
      vulns[sev] = (vulns[sev] ?? 0) + Number(c.n);
      vulns.total = (vulns.total ?? 0) + Number(c.n);
    }
    const att = attRows.filter((a) => related(d).includes(a.image_digest));
    const name = names[0] ?? null;
    const firstTag = tags[0]?.tag;
    put("image", d, name ? (firstTag ? `${name}:${firstTag}` : `${name}@${d.slice(0, 19)}`) : d.slice(0, 19), {
      digest: d,
      name,
      names,
      tags: [...new Set(tags.map((t) => t.tag))],
      mediaType: img?.media_type ?? null,
      indexDigest: img?.index_digest ?? null,
      platform: img?.platform ?? null,
      os: img?.distro ?? null,
      pushedAt: lastEvent(d, "push"),
      pulledAt: lastEvent(d, "pull"),
      scannedAt: img?.scanned_at ?? null,
      scanStatus: img?.scan_status ?? null,
      signed: att.some((a) => a.kind === "signature"),
      hasProvenance: att.some((a) => a.kind === "provenance"),
      running: related(d).some((x) => runningSet.has(x)),
      pushedBy: sourcesOf(d).length > 0 ? "repository" : "unknown",
      vulns,
    });
  }

  // --- repositories and pipeline runs
  const repoRows = await inChunks(
    keysOf("repository").map((k) => Number(k[0])),
    (c) => db.selectFrom("repositories").select(["id", "url", "provider", "owners_json"]).where("id", "in", c).execute(),
  );
  for (const r of repoRows) {
    const { host, name } = splitUrl(r.url);
    put("repository", String(r.id), name, { id: r.id, url: r.url, host, name, provider: r.provider, owners: strings(parseJson(r.owners_json)) });
  }
  const runRows = await inChunks(
    keysOf("pipelinerun").map((k) => Number(k[0])),
    (c) =>
      db
        .selectFrom("pipeline_runs as p")
        .innerJoin("repositories as r", "r.id", "p.repository_id")
        .select(["p.id", "p.provider", "p.run_id", "p.run_attempt", "p.run_url", "p.commit_sha", "p.ref", "p.workflow", "p.actor", "p.event", "p.auth", "p.created_at", "r.url"])
        .where("p.id", "in", c)
        .execute(),
  );
  for (const p of runRows) {
    put("pipelinerun", String(p.id), `${p.workflow ?? p.provider} #${p.run_id}`, {
      id: p.id,
      provider: p.provider,
      runId: p.run_id,
      runAttempt: p.run_attempt,
      runUrl: p.run_url,
      commit: p.commit_sha,
      ref: p.ref,
      workflow: p.workflow,
      actor: p.actor,
      event: p.event,
      verified: p.auth === "oidc",
      startedAt: p.created_at,
      repository: p.url,
    });
  }

  // --- registries and tags
  const regIds = [...keysOf("registry").map((k) => Number(k[0])), ...keysOf("tag").map((k) => Number(k[0]))];
  const regRows = await inChunks(regIds, (c) => db.selectFrom("registry_repositories").select(["id", "host", "name"]).where("id", "in", c).execute());
  const regById = new Map(regRows.map((r) => [r.id, r]));
  for (const k of keysOf("registry")) {
    const g = regById.get(Number(k[0]));
    if (g) put("registry", String(g.id), `${g.host}/${g.name}`, { id: g.id, host: g.host, name: g.name });
  }
  const tagKeys = keysOf("tag");
  const tagNodeRows = await inChunks(
    tagKeys.map((k) => Number(k[0])),
    (c) => db.selectFrom("tags").selectAll().where("registry_repository_id", "in", c).where("tag", "in", [...new Set(tagKeys.map((k) => String(k[1])))]).execute(),
  );
  const tagByKey = new Map(tagNodeRows.map((t) => [`${t.registry_repository_id}:${t.tag}`, t]));
  for (const t of tagNodeRows) {
    const id = `${t.registry_repository_id}:${t.tag}`;
    if (!ids.get("tag")?.has(id)) continue;
    const g = regById.get(t.registry_repository_id);
    const repo = g ? `${g.host}/${g.name}` : "";
    put("tag", id, `${repo}:${t.tag}`, { name: t.tag, registry: repo, digest: t.digest, pushedAt: t.pushed_at, pulledAt: t.last_pulled_at });
  }

  // --- clusters, namespaces, workloads, services, ingresses
  const workloadIds = keysOf("workload").map((k) => Number(k[0]));
  const workloadRows = await inChunks(workloadIds, (c) => db.selectFrom("workloads").selectAll().where("id", "in", c).execute());
  const exposureRows = await inChunks(workloadIds, (c) => db.selectFrom("workload_exposures").selectAll().where("workload_id", "in", c).orderBy("via").orderBy("route").execute());
  const exposuresOf = groupBy(exposureRows, (e) => e.workload_id);
  const workloadImageRows = await inChunks(workloadIds, (c) => db.selectFrom("workload_images").selectAll().where("workload_id", "in", c).orderBy("container").execute());
  const clusterIds = [
    ...workloadRows.map((w) => w.cluster_id),
    ...keysOf("cluster").map((k) => Number(k[0])),
    ...keysOf("namespace").map((k) => Number(k[0])),
    ...keysOf("service").map((k) => Number(k[0])),
    ...keysOf("ingress").map((k) => Number(k[0])),
  ];
  const clusterRows = await inChunks(clusterIds, (c) => db.selectFrom("clusters").select(["id", "name", "source", "last_seen_at"]).where("id", "in", c).execute());
  const clusterName = new Map(clusterRows.map((c) => [c.id, c.name]));
  for (const c of clusterRows) if (ids.get("cluster")?.has(String(c.id))) put("cluster", String(c.id), c.name, { id: c.id, name: c.name, source: c.source, lastSeenAt: c.last_seen_at });
  for (const k of keysOf("namespace")) {
    const cluster = clusterName.get(Number(k[0])) ?? null;
    put("namespace", nodeId("namespace", k), `${cluster ?? k[0]}/${k[1]}`, { cluster, name: String(k[1]) });
  }
  for (const w of workloadRows) {
    put("workload", String(w.id), `${w.kind} ${w.namespace}/${w.name}`, {
      id: w.id,
      cluster: clusterName.get(w.cluster_id) ?? null,
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      internetExposed: w.internet_exposed === 1,
      podCount: w.pod_count,
      removed: w.removed_at !== null,
      removedAt: w.removed_at,
      lastSeen: w.last_seen,
      exposures: (exposuresOf.get(w.id) ?? []).map((e) => ({ via: e.via, route: e.route, internet: e.internet === 1 })),
    });
  }
  const serviceKeys = keysOf("service");
  const serviceRows = await inChunks(
    serviceKeys.map((k) => Number(k[0])),
    (c) => db.selectFrom("services").selectAll().where("cluster_id", "in", c).where("name", "in", [...new Set(serviceKeys.map((k) => String(k[2])))]).execute(),
  );
  for (const s of serviceRows) {
    const id = `${s.cluster_id}/${s.namespace}/${s.name}`;
    if (!ids.get("service")?.has(id)) continue;
    put("service", id, `${s.namespace}/${s.name}`, {
      cluster: clusterName.get(s.cluster_id) ?? null,
      namespace: s.namespace,
      name: s.name,
      type: s.type,
      internetExposed: s.internet_exposed === 1,
      ports: parseJson(s.ports_json) ?? [],
      addresses: strings(parseJson(s.load_balancer_addresses_json)),
    });
  }
  const ingressKeys = keysOf("ingress");
  const ingressRows = await inChunks(
    ingressKeys.map((k) => Number(k[0])),
    (c) => db.selectFrom("ingresses").selectAll().where("cluster_id", "in", c).where("name", "in", [...new Set(ingressKeys.map((k) => String(k[2])))]).execute(),
  );
  const ingressById = new Map(ingressRows.map((g) => [`${g.cluster_id}/${g.namespace}/${g.name}`, g]));
  const rulesOf = (id: string) => (Array.isArray(parseJson(ingressById.get(id)?.rules_json)) ? (parseJson(ingressById.get(id)?.rules_json) as unknown[]).map(record) : []);
  for (const [id, g] of ingressById) {
    if (!ids.get("ingress")?.has(id)) continue;
    put("ingress", id, `${g.namespace}/${g.name}`, {
      cluster: clusterName.get(g.cluster_id) ?? null,
      namespace: g.namespace,
      name: g.name,
      class: g.ingress_class,
      hosts: [...new Set(rulesOf(id).map((r) => r.host).filter((h): h is string => typeof h === "string"))],
      internetExposed: g.internet_exposed === 1,
      addresses: strings(parseJson(g.addresses_json)),
    });
  }

  // --- packages, vulnerabilities, findings
  const pkgRefs = [...(ids.get("package")?.values() ?? [])].map((x) => ({ purl: String(x.keys[0]), image: String(x.extra["image_digest"] ?? "") }));
  const pkgRows = await inChunks(
    pkgRefs.map((p) => p.image),
    (c) => db.selectFrom("image_packages").select(["image_digest", "purl", "name", "version", "type"]).where("image_digest", "in", c).where("purl", "in", [...new Set(pkgRefs.map((p) => p.purl))]).execute(),
  );
  for (const p of pkgRefs) {
    const row = pkgRows.find((r) => r.purl === p.purl && r.image_digest === p.image);
    put("package", p.purl, row ? `${row.name} ${row.version}` : p.purl, { purl: p.purl, name: row?.name ?? null, version: row?.version ?? null, type: row?.type ?? null });
  }
  const findingKeys = keysOf("finding");
  const vulnIds = [...keysOf("vulnerability").map((k) => String(k[0])), ...findingKeys.map((k) => String(k[1]))];
  const vulnRows = await inChunks(vulnIds, (c) => db.selectFrom("vulnerabilities").selectAll().where("id", "in", c).execute());
  for (const v of vulnRows) {
    if (!ids.get("vulnerability")?.has(v.id)) continue;
    put("vulnerability", v.id, v.id, { id: v.id, severity: v.severity, kev: v.kev === 1, title: v.title, url: v.url, aliases: strings(parseJson(v.aliases_json)) });
  }
  const findingRows = await inChunks(
    findingKeys.map((k) => String(k[0])),
    (c) => db.selectFrom("findings").selectAll().where("image_digest", "in", c).where("vulnerability_id", "in", [...new Set(findingKeys.map((k) => String(k[1])))]).execute(),
  );
  const scannedAt = new Map(
    (await inChunks(findingKeys.map((k) => String(k[0])), (c) => db.selectFrom("images").select(["digest", "scanned_at"]).where("digest", "in", c).execute())).map((i) => [i.digest, i.scanned_at]),
  );
  for (const f of findingRows) {
    const id = `${f.image_digest}|${f.vulnerability_id}|${f.package_purl}`;
    if (!ids.get("finding")?.has(id)) continue;
    const fixed = strings(parseJson(f.fixed_versions_json));
    const scanned = scannedAt.get(f.image_digest);
    const status = f.state === "open" ? (scanned !== null && scanned !== undefined && f.first_seen >= scanned ? "new" : "open") : "fixed";
    put("finding", id, `${f.vulnerability_id} in ${f.package_name}`, {
      image: f.image_digest,
      vulnerability: f.vulnerability_id,
      status,
      severity: f.severity,
      fixStatus: f.fix_status,
      fixable: isFixable(f.fix_status, fixed),
      fixedVersions: fixed,
      package: { name: f.package_name, version: f.installed_version, purl: f.package_purl },
      firstSeen: f.first_seen,
      lastSeen: f.last_seen,
      fixedAt: f.fixed_at,
    });
  }
  if (types.includes("internet")) put("internet", "internet", "internet", {});

  // Findings behind image—vulnerability and package—vulnerability edges (open ones).
  const edgeFindingImages = new Set<string>();
  const edgeFindingVulns = new Set<string>();
  for (const r of rows) {
    for (let i = 1; i < types.length; i++) {
      const pair = [types[i - 1], types[i]];
      if (!pair.includes("vulnerability") || !(pair.includes("image") || pair.includes("package"))) continue;
      const vi = types[i] === "vulnerability" ? i : i - 1;
      const other = vi === i ? i - 1 : i;
      edgeFindingVulns.add(String(r.steps[vi]!.keys[0]));
      edgeFindingImages.add(types[other] === "image" ? String(r.steps[other]!.keys[0]) : String(r.steps[other]!.extra["image_digest"] ?? ""));
    }
  }
  const edgeFindings =
    edgeFindingImages.size > 0
      ? await inChunks(edgeFindingImages, (c) =>
          db
            .selectFrom("findings")
            .select(["image_digest", "vulnerability_id", "package_purl", "package_name", "installed_version", "fix_status", "fixed_versions_json"])
            .where("image_digest", "in", c)
            .where("vulnerability_id", "in", [...edgeFindingVulns])
            .where("state", "=", "open")
            .orderBy("package_purl")
            .execute(),
        )
      : [];

  // --- paths with edge details
  const node = (t: NodeType, keys: readonly KeyValue[]) => nodes[nodeKey(t, nodeId(t, keys))]?.props ?? {};
  const paths: ExplorePath[] = rows.map((r) => {
    const keys = r.steps.map((s, i) => nodeKey(types[i]!, nodeId(types[i]!, s.keys)));
    const edges: ExploreEdge[] = [];
    for (let i = 1; i < types.length; i++) {
      const { spec, forward } = stepEdge(types[i - 1]!, types[i]!);
      const [ai, bi] = forward ? [i - 1, i] : [i, i - 1];
      const a = r.steps[ai]!;
      const b = r.steps[bi]!;
      const details = edgeDetails(edgeKey(spec), a, b);
      edges.push({ name: spec.name, from: keys[ai]!, to: keys[bi]!, details });
    }
    return { nodes: keys, edges };
  });

  function edgeDetails(key: string, a: PageRow["steps"][number], b: PageRow["steps"][number]): Record<string, unknown> {
    const A = (i: number) => a.keys[i]!;
    const B = (i: number) => b.keys[i]!;
    switch (key) {
      case "repository|pipelinerun|built": {
        const p = node("pipelinerun", b.keys);
        return { runUrl: p.runUrl ?? null, commit: p.commit ?? null, ref: p.ref ?? null };
      }
      case "pipelinerun|image|pushed": {
        const s = sourcesOf(String(B(0))).find((x) => x.pipeline_run_id === Number(A(0)));
        return { pushedAt: node("image", b.keys).pushedAt ?? null, via: s?.source ?? null };
      }
      case "image|repository|source": {
        const s = sourcesOf(String(A(0))).find((x) => x.repository_id === Number(B(0)));
        return { via: s?.source ?? null, commit: s?.commit_sha ?? null, runUrl: s?.run_url ?? null };
      }
      case "image|registry|storedIn": {
        const ts = tagsOf(String(A(0))).filter((t) => t.registry_repository_id === Number(B(0)));
        return { pushedAt: max(ts.map((t) => t.pushed_at)), pulledAt: max(ts.map((t) => t.last_pulled_at)) };
      }
      case "tag|image|pointsTo":
        return { pushedAt: tagByKey.get(`${A(0)}:${A(1)}`)?.pushed_at ?? null };
      case "image|image|hasPlatform":
        return { platform: node("image", b.keys).platform ?? null };
      case "workload|image|runs": {
        const d = String(B(0));
        const wi = workloadImageRows.find((x) => x.workload_id === Number(A(0)) && x.digest !== null && related(d).includes(x.digest));
        const w = node("workload", a.keys);
        return { container: wi?.container ?? null, imageRef: wi?.image_ref ?? null, namespace: w.namespace ?? null, cluster: w.cluster ?? null };
      }
      case "workload|service|exposedBy": {
        const e = (exposuresOf.get(Number(A(0))) ?? []).find((x) => x.service === `${B(1)}/${B(2)}`);
        const d = record(parseJson(e?.detail_json));
        return { via: e?.via ?? null, route: e?.route ?? null, ports: d.ports ?? (d.servicePort !== undefined ? [d.servicePort] : []) };
      }
      case "workload|ingress|exposedBy": {
        const e = (exposuresOf.get(Number(A(0))) ?? []).find((x) => x.ingress === `${B(1)}/${B(2)}`);
        return { host: e?.host ?? null, path: e?.path ?? null, route: e?.route ?? null };
      }
      case "ingress|service|routesTo": {
        const rule = rulesOf(nodeId("ingress", a.keys)).find((x) => x.service === String(B(2)));
        return { host: rule?.host ?? null, path: rule?.path ?? null, servicePort: rule?.servicePort ?? null };
      }
      case "package|vulnerability|affectedBy": {
        const f = edgeFindings.find((x) => x.image_digest === String(a.extra["image_digest"] ?? "") && x.package_purl === String(A(0)) && x.vulnerability_id === String(B(0)));
        return { fixedVersions: strings(parseJson(f?.fixed_versions_json)), status: f?.fix_status ?? null };
      }
      case "image|finding|has": {
        const f = node("finding", b.keys);
        return { status: f.status ?? null, firstSeen: f.firstSeen ?? null };
      }
      case "image|vulnerability|affectedBy": {
        const fs = edgeFindings.filter((x) => x.image_digest === String(A(0)) && x.vulnerability_id === String(B(0)));
        return {
          packages: fs.map((f) => ({ name: f.package_name, version: f.installed_version, purl: f.package_purl })),
          fixedVersions: [...new Set(fs.flatMap((f) => strings(parseJson(f.fixed_versions_json))))],
          status: fs[0]?.fix_status ?? null,
        };
      }
      case "internet|workload|reaches": {
        const e = (exposuresOf.get(Number(B(0))) ?? []).find((x) => x.internet === 1);
        const d = record(parseJson(e?.detail_json));
        return {
          via: e?.via ?? null,
          route: e?.route ?? null,
          service: e?.service ?? null,
          ingress: e?.ingress ?? null,
          host: e?.host ?? null,
          addresses: strings(d.addresses),
        };
      }
      default:
        // hasTag, in, of, contains: the edge itself is the whole story.
        return {};
    }
  }
  return { nodes, paths };
}
