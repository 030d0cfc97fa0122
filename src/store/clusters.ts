// Kubernetes inventory: clusters → namespaces, services, ingresses, and workloads with the images
// their containers run and their exposure routes (model/cluster.ts). A snapshot replaces what the
// cluster holds; a diff changes only the workloads it names. Workloads are never deleted: one that
// leaves the cluster gets `removed_at` (aged out) and comes back (removed_at = null) when seen
// again, so first_seen and history survive a rollout that recreates it.
import type { Kysely, Transaction } from "kysely";
import type { ClusterDiff, ClusterSnapshot, Exposure, Workload } from "../model/cluster.js";
import { chunks } from "./images.js";
import type { Database } from "./schema.js";

type Db = Kysely<Database> | Transaction<Database>;

export type ClusterSource = "kubeconfig" | "push";

/** An image a stored workload runs by manifest digest, with the repository the runtime pulled it from. */
export interface RunningImage {
  readonly digest: string;
  readonly repository: string;
}

export interface ApplyOutcome {
  readonly clusterId: number;
  /** Workloads inserted or updated (snapshot: all of it; diff: added + modified). */
  readonly upserted: number;
  /** Workloads newly aged out by this apply. */
  readonly removed: number;
  /** Distinct repo-digest images of the upserted workloads (to scan the ones never seen). */
  readonly images: readonly RunningImage[];
}

export interface ClusterSummary {
  readonly id: number;
  readonly name: string;
  readonly source: string;
  readonly lastSeenAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly namespaces: number;
  /** Live workloads (not aged out). */
  readonly workloads: number;
  readonly removedWorkloads: number;
  readonly internetExposedWorkloads: number;
  /** Distinct digests run by live workloads. */
  readonly images: number;
  readonly services: number;
  readonly ingresses: number;
  readonly warnings: readonly string[];
}

export interface StoredWorkloadImage {
  readonly container: string;
  readonly init: boolean;
  readonly imageRef: string;
  readonly digest: string | null;
  readonly digestKind: string | null;
  readonly repository: string | null;
}

export interface StoredExposure {
  readonly via: string;
  readonly service: string;
  readonly ingress: string | null;
  readonly host: string | null;
  readonly path: string | null;
  readonly internet: boolean;
  readonly route: string;
}

export interface StoredWorkload {
  readonly id: number;
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly podCount: number;
  readonly internetExposed: boolean;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly removedAt: string | null;
  readonly images: readonly StoredWorkloadImage[];
  readonly exposures: readonly StoredExposure[];
}

export interface ClusterRepository {
  /**
   * Stores a full snapshot in one transaction (or in `db` when given): the cluster by name, its
   * namespaces/services/ingresses replaced, every workload upserted, and the cluster's live
   * workloads absent from the snapshot aged out.
   */
  applySnapshot(snapshot: ClusterSnapshot, source: ClusterSource, now: Date, db?: Db): Promise<ApplyOutcome>;
  /** Applies a watch diff in one transaction: added/modified upserted, removed aged out. */
  applyDiff(diff: ClusterDiff, now: Date, db?: Db): Promise<ApplyOutcome>;
  list(): Promise<ClusterSummary[]>;
  get(name: string): Promise<ClusterSummary | undefined>;
  /** A cluster's workloads, sorted by namespace, kind, name; aged-out ones only when asked. */
  workloads(cluster: string, opts?: { readonly includeRemoved?: boolean }): Promise<StoredWorkload[]>;
  /**
   * Distinct digests run by live workloads of every cluster (rescan anchors, deploy gate). By
   * default only manifest digests (`repo-digest`); `image-id`s are local config ids a registry
   * does not serve.
   */
  runningDigests(opts?: { readonly includeImageIds?: boolean }): Promise<string[]>;
}

function bool(b: boolean): number {
  return b ? 1 : 0;
}

function parseJson<T>(s: string | null, fallback: T): T {
  if (s === null) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

function identity(w: { namespace: string; kind: string; name: string }): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

/** Last one wins when a (hostile) snapshot names a workload twice. */
function distinctWorkloads(ws: readonly Workload[]): Workload[] {
  return [...new Map(ws.map((w) => [identity(w), w])).values()];
}

function imagesOf(ws: readonly Workload[]): RunningImage[] {
  const out = new Map<string, RunningImage>();
  for (const w of ws) {
    for (const c of w.containers) {
      for (const r of c.resolved) {
        if (r.kind === "repo-digest" && r.repository !== undefined && !out.has(r.digest)) out.set(r.digest, { digest: r.digest, repository: r.repository });
      }
    }
  }
  return [...out.values()];
}

function exposureRow(workloadId: number, e: Exposure): Database["workload_exposures"] {
  return {
    workload_id: workloadId,
    via: e.via,
    service: e.service,
    ingress: e.via === "ingress" ? e.ingress : null,
    host: e.via === "ingress" ? e.host : null,
    path: e.via === "ingress" ? e.path : null,
    internet: bool(e.internet),
    route: e.route,
    detail_json: JSON.stringify(e),
  };
}

export function clusterRepository(db: Kysely<Database>): ClusterRepository {
  function inTransaction<T>(tx: Db | undefined, fn: (tx: Db) => Promise<T>): Promise<T> {
    return tx !== undefined ? fn(tx) : db.transaction().execute(fn);
  }

  /** The cluster's id, created when new; updates source (when given), last_seen_at and the snapshot's extras. */
  async function upsertCluster(
    tx: Db,
    name: string,
    source: ClusterSource | undefined,
    collectedAt: string,
    now: Date,
    extra: { resource_versions_json?: string; warnings_json?: string } = {},
  ): Promise<number> {
    const at = now.toISOString();
    const row = await tx
      .insertInto("clusters")
      .values({
        name,
        source: source ?? "kubeconfig",
        last_seen_at: collectedAt,
        resource_versions_json: extra.resource_versions_json ?? null,
        warnings_json: extra.warnings_json ?? null,
        created_at: at,
        updated_at: at,
      })
      .onConflict((oc) => oc.column("name").doUpdateSet({ ...(source ? { source } : {}), last_seen_at: collectedAt, updated_at: at, ...extra }))
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Upserts workloads (identity: cluster, namespace, kind, name) and replaces their images and exposures. */
  async function upsertWorkloads(tx: Db, clusterId: number, ws: readonly Workload[], now: Date): Promise<void> {
    const at = now.toISOString();
    for (const part of chunks(distinctWorkloads(ws))) {
      const rows = await tx
        .insertInto("workloads")
        .values(
          part.map((w) => ({
            cluster_id: clusterId,
            namespace: w.namespace,
            kind: w.kind,
            name: w.name,
            uid: w.uid ?? null,
            labels_json: JSON.stringify(w.labels),
            pod_count: w.podCount,
            internet_exposed: bool(w.internetExposed),
            first_seen: at,
            last_seen: at,
            removed_at: null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["cluster_id", "namespace", "kind", "name"]).doUpdateSet((eb) => ({
            uid: eb.ref("excluded.uid"),
            labels_json: eb.ref("excluded.labels_json"),
            pod_count: eb.ref("excluded.pod_count"),
            internet_exposed: eb.ref("excluded.internet_exposed"),
            last_seen: eb.ref("excluded.last_seen"),
            removed_at: null,
          })),
        )
        .returning(["id", "namespace", "kind", "name"])
        .execute();
      const ids = new Map(rows.map((r) => [identity(r), r.id]));
      const workloadIds = rows.map((r) => r.id);
      await tx.deleteFrom("workload_images").where("workload_id", "in", workloadIds).execute();
      await tx.deleteFrom("workload_exposures").where("workload_id", "in", workloadIds).execute();
      const images: Database["workload_images"][] = [];
      const exposures: Database["workload_exposures"][] = [];
      for (const w of part) {
        const id = ids.get(identity(w));
        if (id === undefined) continue;
        for (const c of w.containers) {
          const base = { workload_id: id, container: c.name, init: bool(c.init), image_ref: c.image };
          if (c.resolved.length === 0) images.push({ ...base, digest: null, digest_kind: null, repository: null });
          for (const r of c.resolved) images.push({ ...base, digest: r.digest, digest_kind: r.kind, repository: r.repository ?? null });
        }
        for (const e of w.exposures) exposures.push(exposureRow(id, e));
      }
      for (const rowsPart of chunks(images)) await tx.insertInto("workload_images").values(rowsPart).execute();
      for (const rowsPart of chunks(exposures)) await tx.insertInto("workload_exposures").values(rowsPart).execute();
    }
  }

  /** Ages out the cluster's live workloads whose identity (`namespace/kind/name`) `leaves` picks; returns how many. */
  async function ageOut(tx: Db, clusterId: number, leaves: (identity: string) => boolean, now: Date): Promise<number> {
    const live = await tx.selectFrom("workloads").select(["id", "namespace", "kind", "name"]).where("cluster_id", "=", clusterId).where("removed_at", "is", null).execute();
    const ids = live.filter((w) => leaves(identity(w))).map((w) => w.id);
    for (const part of chunks(ids)) await tx.updateTable("workloads").set({ removed_at: now.toISOString() }).where("id", "in", part).execute();
    return ids.length;
  }

  async function replaceInventory(tx: Db, clusterId: number, s: ClusterSnapshot, at: string): Promise<void> {
    for (const table of ["namespaces", "services", "ingresses"] as const) await tx.deleteFrom(table).where("cluster_id", "=", clusterId).execute();
    const namespaces = [...new Map(s.namespaces.map((n) => [n.name, n])).values()];
    for (const part of chunks(namespaces)) {
      await tx
        .insertInto("namespaces")
        .values(part.map((n) => ({ cluster_id: clusterId, name: n.name, labels_json: JSON.stringify(n.labels), last_seen_at: at })))
        .execute();
    }
    // A Service or Ingress is internet-exposed when a workload's internet route goes through it.
    const exposedServices = new Set<string>();
    const exposedIngresses = new Set<string>();
    for (const w of s.workloads) {
      for (const e of w.exposures) {
        if (!e.internet) continue;
        exposedServices.add(e.service);
        if (e.via === "ingress") exposedIngresses.add(e.ingress);
      }
    }
    const services = [...new Map(s.services.map((x) => [`${x.namespace}/${x.name}`, x])).values()];
    for (const part of chunks(services)) {
      await tx
        .insertInto("services")
        .values(
          part.map((x) => ({
            cluster_id: clusterId,
            namespace: x.namespace,
            name: x.name,
            type: x.type,
            ports_json: JSON.stringify(x.ports),
            load_balancer_addresses_json: JSON.stringify(x.loadBalancerAddresses),
            internet_exposed: bool(exposedServices.has(`${x.namespace}/${x.name}`)),
            last_seen_at: at,
          })),
        )
        .execute();
    }
    const ingresses = [...new Map(s.ingresses.map((x) => [`${x.namespace}/${x.name}`, x])).values()];
    for (const part of chunks(ingresses)) {
      await tx
        .insertInto("ingresses")
        .values(
          part.map((x) => ({
            cluster_id: clusterId,
            namespace: x.namespace,
            name: x.name,
            ingress_class: x.ingressClassName ?? null,
            rules_json: JSON.stringify(x.rules),
            addresses_json: JSON.stringify(x.addresses),
            internet_exposed: bool(exposedIngresses.has(`${x.namespace}/${x.name}`)),
            last_seen_at: at,
          })),
        )
        .execute();
    }
  }

  async function summaries(name?: string): Promise<ClusterSummary[]> {
    let q = db.selectFrom("clusters").selectAll().orderBy("name");
    if (name !== undefined) q = q.where("name", "=", name);
    const clusters = await q.execute();
    const out: ClusterSummary[] = [];
    for (const c of clusters) {
      const count = async (table: "namespaces" | "services" | "ingresses"): Promise<number> => {
        const r = await db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as("n")).where("cluster_id", "=", c.id).executeTakeFirstOrThrow();
        return Number(r.n);
      };
      const w = await db
        .selectFrom("workloads")
        .select((eb) => [
          eb.fn.countAll<string | number>().as("total"),
          eb.fn.count<string | number>("removed_at").as("removed"),
          eb.fn.sum<string | number | null>(eb.case().when("removed_at", "is", null).then(eb.ref("internet_exposed")).else(0).end()).as("exposed"),
        ])
        .where("cluster_id", "=", c.id)
        .executeTakeFirstOrThrow();
      const images = await db
        .selectFrom("workload_images as i")
        .innerJoin("workloads as w", "w.id", "i.workload_id")
        .select((eb) => eb.fn.count<string | number>("i.digest").distinct().as("n"))
        .where("w.cluster_id", "=", c.id)
        .where("w.removed_at", "is", null)
        .executeTakeFirstOrThrow();
      const total = Number(w.total);
      const removed = Number(w.removed);
      out.push({
        id: c.id,
        name: c.name,
        source: c.source,
        lastSeenAt: c.last_seen_at,
        createdAt: c.created_at,
        updatedAt: c.updated_at,
        namespaces: await count("namespaces"),
        workloads: total - removed,
        removedWorkloads: removed,
        internetExposedWorkloads: Number(w.exposed ?? 0),
        images: Number(images.n),
        services: await count("services"),
        ingresses: await count("ingresses"),
        warnings: parseJson<string[]>(c.warnings_json, []),
      });
    }
    return out;
  }

  return {
    applySnapshot(snapshot, source, now, tx) {
      return inTransaction(tx, async (t) => {
        const clusterId = await upsertCluster(t, snapshot.cluster, source, snapshot.collectedAt, now, {
          resource_versions_json: JSON.stringify(snapshot.resourceVersions),
          warnings_json: JSON.stringify(snapshot.warnings),
        });
        await replaceInventory(t, clusterId, snapshot, now.toISOString());
        await upsertWorkloads(t, clusterId, snapshot.workloads, now);
        const present = new Set(snapshot.workloads.map(identity));
        const removed = await ageOut(t, clusterId, (id) => !present.has(id), now);
        return { clusterId, upserted: distinctWorkloads(snapshot.workloads).length, removed, images: imagesOf(snapshot.workloads) };
      });
    },

    applyDiff(diff, now, tx) {
      return inTransaction(tx, async (t) => {
        const clusterId = await upsertCluster(t, diff.cluster, undefined, diff.collectedAt, now);
        const changed = [...diff.added, ...diff.modified];
        await upsertWorkloads(t, clusterId, changed, now);
        // A workload both removed and (re-)added in one diff stays live.
        const kept = new Set(changed.map(identity));
        const gone = new Set(diff.removed.map(identity));
        const removed = gone.size === 0 ? 0 : await ageOut(t, clusterId, (id) => gone.has(id) && !kept.has(id), now);
        return { clusterId, upserted: distinctWorkloads(changed).length, removed, images: imagesOf(changed) };
      });
    },

    list: () => summaries(),

    async get(name) {
      return (await summaries(name))[0];
    },

    async workloads(cluster, opts = {}) {
      let q = db
        .selectFrom("workloads as w")
        .innerJoin("clusters as c", "c.id", "w.cluster_id")
        .selectAll("w")
        .select("c.name as cluster")
        .where("c.name", "=", cluster)
        .orderBy("w.namespace")
        .orderBy("w.kind")
        .orderBy("w.name");
      if (opts.includeRemoved !== true) q = q.where("w.removed_at", "is", null);
      const rows = await q.execute();
      const images = new Map<number, StoredWorkloadImage[]>();
      const exposures = new Map<number, StoredExposure[]>();
      for (const part of chunks(rows.map((r) => r.id))) {
        const imgs = await db.selectFrom("workload_images").selectAll().where("workload_id", "in", part).orderBy("workload_id").orderBy("container").orderBy("digest").execute();
        for (const i of imgs) {
          const list = images.get(i.workload_id) ?? [];
          list.push({ container: i.container, init: i.init === 1, imageRef: i.image_ref, digest: i.digest, digestKind: i.digest_kind, repository: i.repository });
          images.set(i.workload_id, list);
        }
        const exps = await db.selectFrom("workload_exposures").selectAll().where("workload_id", "in", part).orderBy("workload_id").orderBy("route").execute();
        for (const e of exps) {
          const list = exposures.get(e.workload_id) ?? [];
          list.push({ via: e.via, service: e.service, ingress: e.ingress, host: e.host, path: e.path, internet: e.internet === 1, route: e.route });
          exposures.set(e.workload_id, list);
        }
      }
      return rows.map((r) => ({
        id: r.id,
        cluster: r.cluster,
        namespace: r.namespace,
        kind: r.kind,
        name: r.name,
        uid: r.uid,
        labels: parseJson<Record<string, string>>(r.labels_json, {}),
        podCount: r.pod_count,
        internetExposed: r.internet_exposed === 1,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        removedAt: r.removed_at,
        images: images.get(r.id) ?? [],
        exposures: exposures.get(r.id) ?? [],
      }));
    },

    async runningDigests(opts = {}) {
      let q = db
        .selectFrom("workload_images as i")
        .innerJoin("workloads as w", "w.id", "i.workload_id")
        .select("i.digest")
        .distinct()
        .where("w.removed_at", "is", null)
        .where("i.digest", "is not", null)
        .orderBy("i.digest");
      if (opts.includeImageIds !== true) q = q.where("i.digest_kind", "=", "repo-digest");
      const rows = await q.execute();
      return rows.flatMap((r) => (r.digest === null ? [] : [r.digest]));
    },
  };
}
