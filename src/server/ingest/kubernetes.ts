// Kubernetes inventory connector: one kubeconfig → one cluster → a ClusterSnapshot (list), then
// incremental ClusterDiffs (watch). Uses @kubernetes/client-node's typed list calls (CoreV1Api,
// AppsV1Api, BatchV1Api, NetworkingV1Api, paginated with limit/continue) and its `Watch` for
// streams. Watch handling follows the API's rules: resume from the last seen resourceVersion
// (bookmarks included); on 410 Gone (an ERROR event with code 410, or an HTTP 410) re-list that
// resource and diff against what was known, so deletions missed while away are still reported.
// No database here: the caller stores snapshots/diffs (and ages out `removed` workloads).
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, NetworkingV1Api, Watch } from "@kubernetes/client-node";
import type { ClusterDiff, ClusterResourceKind, ClusterSnapshot } from "../../model/cluster.js";
import { BerthError, describeError } from "../../util/errors.js";
import { buildSnapshot, diffSnapshots, isEmptyDiff, type ClusterObjects } from "./kubernetes-snapshot.js";
import { normalize, normalizeMeta, objectKey, type KubeRec, type NormalizeLimits } from "./kubernetes-objects.js";

export interface KubernetesLimits extends NormalizeLimits {
  /** Most objects of one resource kind accepted from a cluster; beyond it the list fails (limit error). */
  readonly maxObjectsPerKind: number;
  /** Items requested per list page (`limit`). */
  readonly pageSize: number;
  /** Most list pages followed for one kind. */
  readonly maxPages: number;
  /** Warnings kept per resource kind (further ones are counted, not kept). */
  readonly maxWarnings: number;
  /** Longest pause between watch reconnects after errors, in milliseconds. */
  readonly maxBackoffMs: number;
}

export const defaultKubernetesLimits: KubernetesLimits = {
  maxObjectsPerKind: 100_000,
  pageSize: 500,
  maxPages: 1_000,
  maxWarnings: 50,
  maxBackoffMs: 30_000,
  maxContainersPerPod: 256,
  maxEntriesPerObject: 1_000,
};

/** A kubeconfig as parsed from YAML (same shape as the file: clusters, users, contexts, current-context). */
export type KubeconfigObject = Readonly<Record<string, unknown>>;

export interface KubernetesConnectorOptions {
  /** Path to a kubeconfig file, or the kubeconfig itself as an object. */
  readonly kubeconfig: string | KubeconfigObject;
  /** Context to use instead of the kubeconfig's current-context. */
  readonly context?: string;
  /** Name recorded for the cluster; default: the context's cluster name. */
  readonly clusterName?: string;
  /** Allow `exec`/`auth-provider` users (they run programs). Default false: such kubeconfigs are refused. */
  readonly allowExecAuth?: boolean;
  /** Count NodePort Services as internet-exposed. Default false. */
  readonly nodePortExposed?: boolean;
  readonly limits?: Partial<KubernetesLimits>;
  readonly clock?: () => Date;
  /** Delay that coalesces a burst of watch events into one diff, in ms. Default 1000. */
  readonly coalesceMs?: number;
  readonly onWarning?: (message: string) => void;
}

export const resourceKinds: readonly ClusterResourceKind[] = [
  "namespaces",
  "pods",
  "services",
  "replicasets",
  "deployments",
  "statefulsets",
  "daemonsets",
  "jobs",
  "cronjobs",
  "ingresses",
];

/** The watch path of each resource kind, across all namespaces. */
export const resourcePaths: Readonly<Record<ClusterResourceKind, string>> = {
  namespaces: "/api/v1/namespaces",
  pods: "/api/v1/pods",
  services: "/api/v1/services",
  replicasets: "/apis/apps/v1/replicasets",
  deployments: "/apis/apps/v1/deployments",
  statefulsets: "/apis/apps/v1/statefulsets",
  daemonsets: "/apis/apps/v1/daemonsets",
  jobs: "/apis/batch/v1/jobs",
  cronjobs: "/apis/batch/v1/cronjobs",
  ingresses: "/apis/networking.k8s.io/v1/ingresses",
};

/** Kinds without which there is no inventory: failing to list them fails the snapshot. */
const requiredKinds: ReadonlySet<ClusterResourceKind> = new Set(["pods"]);

interface ListPage {
  readonly metadata?: { readonly resourceVersion?: string; readonly _continue?: string };
  readonly items: readonly unknown[];
}
type PageRequest = { limit: number; _continue?: string };
type Lister = (req: PageRequest) => Promise<ListPage>;

export function loadKubeConfig(source: string | KubeconfigObject, context?: string, allowExecAuth = false): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (typeof source === "string") kc.loadFromFile(source);
    else kc.loadFromString(JSON.stringify(source));
  } catch (e) {
    throw new BerthError("input", `kubeconfig: cannot load: ${describeError(e)}`, { cause: e });
  }
  if (context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === context)) throw new BerthError("input", `kubeconfig: no context named ${JSON.stringify(context)}`);
    kc.setCurrentContext(context);
  }
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new BerthError("input", "kubeconfig: no current cluster (set current-context or pass a context)");
  const user = kc.getCurrentUser();
  if (!allowExecAuth && user !== null && (user.exec !== undefined || user.authProvider !== undefined)) {
    throw new BerthError("auth", `kubeconfig: user ${JSON.stringify(user.name)} runs an exec/auth-provider plugin; refused unless allowExecAuth is set`);
  }
  return kc;
}

function listers(kc: KubeConfig): Record<ClusterResourceKind, Lister> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  return {
    namespaces: (r) => core.listNamespace(r),
    pods: (r) => core.listPodForAllNamespaces(r),
    services: (r) => core.listServiceForAllNamespaces(r),
    replicasets: (r) => apps.listReplicaSetForAllNamespaces(r),
    deployments: (r) => apps.listDeploymentForAllNamespaces(r),
    statefulsets: (r) => apps.listStatefulSetForAllNamespaces(r),
    daemonsets: (r) => apps.listDaemonSetForAllNamespaces(r),
    jobs: (r) => batch.listJobForAllNamespaces(r),
    cronjobs: (r) => batch.listCronJobForAllNamespaces(r),
    ingresses: (r) => net.listIngressForAllNamespaces(r),
  };
}

function statusCode(e: unknown): number | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const r = e as { code?: unknown; statusCode?: unknown };
  if (typeof r.code === "number") return r.code;
  if (typeof r.statusCode === "number") return r.statusCode;
  return undefined;
}

function apiError(kind: ClusterResourceKind, e: unknown): BerthError {
  if (e instanceof BerthError) return e;
  const code = statusCode(e);
  const what = `kubernetes: list ${kind}`;
  if (code === 401 || code === 403) return new BerthError("auth", `${what}: HTTP ${code} (check the kubeconfig's credentials and RBAC)`, { cause: e });
  if (code !== undefined) return new BerthError("network", `${what}: HTTP ${code}`, { cause: e });
  return new BerthError("network", `${what}: ${describeError(e)}`, { cause: e });
}

function emptyObjects(): Record<ClusterResourceKind, Map<string, KubeRec>> {
  const o = {} as Record<ClusterResourceKind, Map<string, KubeRec>>;
  for (const k of resourceKinds) o[k] = new Map();
  return o;
}

type WatchOutcome = { kind: "closed"; events: number } | { kind: "gone" } | { kind: "error"; error: unknown };

export interface WatchHandlers {
  /** Called with each non-empty change set, in order. */
  readonly onDiff: (diff: ClusterDiff, snapshot: ClusterSnapshot) => void;
  /** Non-fatal watch problems (reconnects, failed re-lists); the watch keeps going. */
  readonly onError?: (error: BerthError) => void;
}

/**
 * The state of one cluster's inventory. `list()` takes a full snapshot; `watch()` keeps it current
 * and reports diffs until `stop()`.
 */
export class KubernetesConnector {
  readonly cluster: string;
  private readonly kc: KubeConfig;
  private readonly limits: KubernetesLimits;
  private readonly listFns: Record<ClusterResourceKind, Lister>;
  private readonly objects = emptyObjects();
  private readonly resourceVersions: Partial<Record<ClusterResourceKind, string>> = {};
  private readonly warnings = new Map<ClusterResourceKind, { kept: string[]; dropped: number }>();
  private readonly unavailable = new Set<ClusterResourceKind>();
  private readonly controllers = new Set<AbortController>();
  private readonly sleeps = new Set<() => void>();
  /** Ends a pending watch connection (also one whose request has not been answered yet). */
  private readonly pending = new Set<() => void>();
  private last: ClusterSnapshot | undefined;
  private handlers: WatchHandlers | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly opts: KubernetesConnectorOptions) {
    this.kc = loadKubeConfig(opts.kubeconfig, opts.context, opts.allowExecAuth ?? false);
    this.cluster = opts.clusterName ?? this.kc.getCurrentCluster()?.name ?? "cluster";
    this.limits = { ...defaultKubernetesLimits, ...opts.limits };
    this.listFns = listers(this.kc);
  }

  /** List every resource kind and return the full snapshot (also the baseline for `watch`). */
  async list(): Promise<ClusterSnapshot> {
    for (const kind of resourceKinds) {
      try {
        await this.relist(kind);
        this.unavailable.delete(kind);
      } catch (e) {
        const err = apiError(kind, e);
        if (requiredKinds.has(kind) || err.code === "limit") throw err;
        this.unavailable.add(kind);
        this.warn(kind, `${err.message}; continuing without ${kind}`);
      }
    }
    this.last = this.snapshot();
    return this.last;
  }

  /** The snapshot of the current state (after `list`, kept current by `watch`). */
  snapshot(): ClusterSnapshot {
    const warnings: string[] = [];
    for (const kind of resourceKinds) {
      const w = this.warnings.get(kind);
      if (w === undefined) continue;
      warnings.push(...w.kept);
      if (w.dropped > 0) warnings.push(`${kind}: ${w.dropped} more warnings not kept (limit maxWarnings=${this.limits.maxWarnings})`);
    }
    return buildSnapshot({
      cluster: this.cluster,
      collectedAt: (this.opts.clock ?? (() => new Date()))().toISOString(),
      objects: this.objects as ClusterObjects,
      resourceVersions: this.resourceVersions,
      warnings,
      exposure: { nodePortExposed: this.opts.nodePortExposed ?? false },
    });
  }

  /**
   * List (unless already listed), then watch every resource kind; resolves with the baseline
   * snapshot once listed. Each later change is reported through `handlers.onDiff`.
   */
  async watch(handlers: WatchHandlers): Promise<ClusterSnapshot> {
    if (this.handlers !== undefined) throw new BerthError("usage", "kubernetes: watch already started");
    this.handlers = handlers;
    let base: ClusterSnapshot;
    try {
      base = this.last ?? (await this.list());
    } catch (e) {
      this.handlers = undefined;
      throw e;
    }
    for (const kind of resourceKinds) {
      if (!this.unavailable.has(kind)) this.loops.push(this.watchLoop(kind));
    }
    return base;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    for (const c of this.controllers) c.abort();
    for (const wake of this.sleeps) wake();
    for (const end of this.pending) end();
    await Promise.allSettled(this.loops);
  }

  private warn(kind: ClusterResourceKind, message: string): void {
    let w = this.warnings.get(kind);
    if (w === undefined) this.warnings.set(kind, (w = { kept: [], dropped: 0 }));
    if (w.kept.length < this.limits.maxWarnings) w.kept.push(message);
    else w.dropped++;
    this.opts.onWarning?.(message);
  }

  /** List one kind completely (following `continue`) and replace its state. */
  private async relist(kind: ClusterResourceKind): Promise<void> {
    const fresh = new Map<string, KubeRec>();
    const problems: string[] = [];
    let cont: string | undefined;
    let resourceVersion: string | undefined;
    let pages = 0;
    let seen = 0;
    do {
      if (++pages > this.limits.maxPages) throw new BerthError("limit", `kubernetes: list ${kind}: exceeds limit maxPages=${this.limits.maxPages}`);
      const page = await this.listFns[kind]({ limit: this.limits.pageSize, ...(cont === undefined ? {} : { _continue: cont }) });
      const items: readonly unknown[] = Array.isArray(page.items) ? page.items : [];
      seen += items.length;
      if (seen > this.limits.maxObjectsPerKind) {
        throw new BerthError("limit", `kubernetes: list ${kind}: exceeds limit maxObjectsPerKind=${this.limits.maxObjectsPerKind}`);
      }
      for (const item of items) {
        const n = normalize(kind, item, this.limits);
        if (n.ok) fresh.set(objectKey(n.value.meta), n.value);
        else problems.push(n.problem);
      }
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      const next = page.metadata?._continue;
      cont = typeof next === "string" && next !== "" ? next : undefined;
    } while (cont !== undefined);
    this.objects[kind] = fresh;
    this.warnings.delete(kind);
    for (const p of problems) this.warn(kind, p);
    if (resourceVersion !== undefined) this.resourceVersions[kind] = resourceVersion;
    else delete this.resourceVersions[kind];
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(t);
        this.sleeps.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }

  private async watchLoop(kind: ClusterResourceKind): Promise<void> {
    let backoff = 250;
    while (!this.stopped) {
      const outcome = await this.watchOnce(kind);
      if (this.stopped) return;
      if (outcome.kind === "closed") {
        // A normal end (the server's watch timeout): resume at once from the last resourceVersion.
        // One that brought no event at all is treated like an error, so a closing proxy cannot spin us.
        if (outcome.events > 0) {
          backoff = 250;
          continue;
        }
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, this.limits.maxBackoffMs);
        continue;
      }
      if (outcome.kind === "gone") {
        try {
          await this.relist(kind);
          this.scheduleFlush();
          backoff = 250;
          continue;
        } catch (e) {
          this.handlers?.onError?.(apiError(kind, e));
          delete this.resourceVersions[kind]; // next round re-lists again
        }
      } else {
        this.handlers?.onError?.(new BerthError("network", `kubernetes: watch ${kind}: ${describeError(outcome.error)}; reconnecting`, { cause: outcome.error }));
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, this.limits.maxBackoffMs);
      if (this.resourceVersions[kind] === undefined && !this.stopped) {
        try {
          await this.relist(kind);
          this.scheduleFlush();
        } catch (e) {
          this.handlers?.onError?.(apiError(kind, e));
        }
      }
    }
  }

  /** One watch connection; resolves when it ends. */
  private watchOnce(kind: ClusterResourceKind): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      let settled = false;
      let events = 0;
      let controller: AbortController | undefined;
      let gone = false;
      const finish = (o: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        this.pending.delete(end);
        if (controller !== undefined) {
          controller.abort();
          this.controllers.delete(controller);
        }
        resolve(o);
      };
      const end = (): void => finish({ kind: "closed", events });
      this.pending.add(end);
      const onEvent = (type: string, obj: unknown): void => {
        if (settled || this.stopped) return;
        if (type === "ERROR") {
          const code = statusCode(obj);
          if (code === 410) {
            gone = true;
            finish({ kind: "gone" });
          } else {
            finish({ kind: "error", error: new Error(`ERROR event${code === undefined ? "" : ` (code ${code})`}`) });
          }
          return;
        }
        events++;
        this.applyEvent(kind, type, obj);
      };
      const onDone = (err: unknown): void => {
        if (gone) return finish({ kind: "gone" });
        if (this.stopped || err === null || err === undefined) return finish({ kind: "closed", events });
        if (statusCode(err) === 410) return finish({ kind: "gone" });
        if (err instanceof Error && err.name === "AbortError") return finish({ kind: "closed", events });
        finish({ kind: "error", error: err });
      };
      const rv = this.resourceVersions[kind];
      new Watch(this.kc)
        .watch(resourcePaths[kind], { allowWatchBookmarks: true, ...(rv === undefined ? {} : { resourceVersion: rv }) }, onEvent, onDone)
        .then((c) => {
          if (settled || this.stopped) c.abort();
          else {
            controller = c;
            this.controllers.add(c);
          }
        })
        .catch((e: unknown) => finish({ kind: "error", error: e }));
    });
  }

  private applyEvent(kind: ClusterResourceKind, type: string, obj: unknown): void {
    if (type === "BOOKMARK") {
      // A bookmark carries only metadata.resourceVersion (no name).
      const m: unknown = typeof obj === "object" && obj !== null ? (obj as { metadata?: unknown }).metadata : undefined;
      const brv: unknown = typeof m === "object" && m !== null ? (m as { resourceVersion?: unknown }).resourceVersion : undefined;
      if (typeof brv === "string" && brv.length > 0 && brv.length <= 253) this.resourceVersions[kind] = brv;
      return;
    }
    const meta = normalizeMeta(obj, kind !== "namespaces", this.limits);
    const rv = meta?.resourceVersion;
    if (meta === undefined) {
      this.warn(kind, `skipped malformed ${type} event for ${kind}: metadata.name/namespace missing`);
      return;
    }
    if (type === "DELETED") {
      this.objects[kind].delete(objectKey(meta));
    } else if (type === "ADDED" || type === "MODIFIED") {
      const n = normalize(kind, obj, this.limits);
      if (!n.ok) {
        this.warn(kind, n.problem);
        return;
      }
      const key = objectKey(n.value.meta);
      if (!this.objects[kind].has(key) && this.objects[kind].size >= this.limits.maxObjectsPerKind) {
        this.warn(kind, `ignored ${type} ${key}: exceeds limit maxObjectsPerKind=${this.limits.maxObjectsPerKind}`);
        return;
      }
      this.objects[kind].set(key, n.value);
    } else {
      this.warn(kind, `ignored watch event of unknown type ${JSON.stringify(type.slice(0, 32))}`);
      return;
    }
    if (rv !== undefined) this.resourceVersions[kind] = rv;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.stopped) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.opts.coalesceMs ?? 1000);
  }

  private flush(): void {
    if (this.stopped) return;
    const next = this.snapshot();
    const diff = diffSnapshots(this.last, next);
    this.last = next;
    if (!isEmptyDiff(diff)) this.handlers?.onDiff(diff, next);
  }
}

/** One-shot: list a cluster and return its snapshot. */
export async function listCluster(opts: KubernetesConnectorOptions): Promise<ClusterSnapshot> {
  return new KubernetesConnector(opts).list();
}
