// Kubernetes inventory into the store. Two ways in, one path through:
//   - `berth server --kubeconfig NAME=PATH`: one KubernetesConnector per cluster lists, then
//     watches; its snapshot and then each diff are applied in order (startClusterSync);
//   - `POST /api/v1/clusters/{name}/snapshot` for clusters the server cannot reach (routes/clusters.ts).
// Each apply is one transaction that also queues a scan of every running image the store has never
// seen, when its registry is one the server may pull from (scanPolicy below): the same scan job a
// registry push enqueues (ingest/registry-events.ts).
import type { Transaction } from "kysely";
import { DOCKER_HUB_REGISTRY, isDockerHub, parseReference, type ImageReference } from "../image/registry/reference.js";
import type { ClusterDiff, ClusterSnapshot } from "../model/cluster.js";
import type { ApplyOutcome, ClusterSource, RunningImage } from "../store/clusters.js";
import type { Database, Repositories } from "../store/index.js";
import { describeError } from "../util/errors.js";
import { SCAN_JOB, scanDedupeKey, type ScanJobPayload } from "./ingest/registry-events.js";
import { KubernetesConnector, type KubernetesLimits } from "./ingest/kubernetes.js";

/** A cluster the server connects to itself (`--kubeconfig NAME=PATH`, `--kube-context NAME=CONTEXT`). */
export interface KubeconfigCluster {
  readonly name: string;
  readonly kubeconfig: string;
  readonly context?: string;
}

export interface ClusterIngestDeps {
  readonly repos: Repositories;
  readonly now: () => Date;
  /**
   * Registry hosts running images may be pulled from for a scan, besides the registries that
   * send this server events (`--scan-registry`, plus `--insecure-registry` hosts). "*": any.
   */
  readonly scanRegistries: readonly string[];
  /** Called when scan jobs were enqueued (to wake the worker). */
  readonly onEnqueued?: () => void;
}

export interface ClusterIngestResult {
  readonly cluster: string;
  readonly upserted: number;
  readonly removed: number;
  /** Running images never seen before, queued for a scan. */
  readonly enqueued: number;
  /** Running images never seen before whose registry the server may not pull from (not queued). */
  readonly skipped: number;
}

function normHost(host: string): string {
  return isDockerHub(host) ? DOCKER_HUB_REGISTRY : host.toLowerCase();
}

function referenceOf(image: RunningImage): ImageReference | undefined {
  try {
    return parseReference(`${image.repository}@${image.digest}`);
  } catch {
    return undefined; // a runtime-reported repository the reference grammar refuses: not scannable
  }
}

type Tx = Transaction<Database>;

/**
 * Queues a scan for each running image unknown to the store. The choice of registries: the server
 * pulls only from registries it was told about — ones that notify it (their repositories are in the
 * store), `--insecure-registry` hosts, and `--scan-registry` hosts (`*` for any). A cluster runs
 * images from anywhere (Docker Hub, vendors' registries); pulling each of them unasked would send
 * the server to the internet on a cluster's say-so, so that is opt-in.
 */
async function enqueueUnseen(deps: ClusterIngestDeps, images: readonly RunningImage[], now: Date, tx: Tx): Promise<{ enqueued: number; skipped: number }> {
  const refs = images.flatMap((image) => {
    const ref = referenceOf(image);
    return ref === undefined ? [] : [{ digest: image.digest, ref }];
  });
  const allowed = new Set(deps.scanRegistries.map(normHost));
  const known = allowed.has("*") ? new Set<string>() : await deps.repos.registry.knownHosts(refs.map((r) => r.ref.registry), tx);
  let enqueued = 0;
  let skipped = 0;
  for (const { digest, ref } of refs) {
    if ((await deps.repos.images.get(digest, tx)) !== undefined) continue;
    if (!allowed.has("*") && !allowed.has(ref.registry) && !known.has(ref.registry)) {
      skipped++;
      continue;
    }
    await deps.repos.images.ensure({ digest }, now, tx);
    const payload: ScanJobPayload = { digest, host: ref.registry, repository: ref.repository };
    if (await deps.repos.jobs.enqueue({ kind: SCAN_JOB, dedupeKey: scanDedupeKey(digest), payload }, now, tx)) enqueued++;
  }
  return { enqueued, skipped };
}

async function ingest(deps: ClusterIngestDeps, cluster: string, apply: (tx: Tx, now: Date) => Promise<ApplyOutcome>): Promise<ClusterIngestResult> {
  const now = deps.now();
  const r = await deps.repos.store.db.transaction().execute(async (tx) => {
    const outcome = await apply(tx, now);
    return { outcome, ...(await enqueueUnseen(deps, outcome.images, now, tx)) };
  });
  if (r.enqueued > 0) deps.onEnqueued?.();
  return { cluster, upserted: r.outcome.upserted, removed: r.outcome.removed, enqueued: r.enqueued, skipped: r.skipped };
}

export function ingestClusterSnapshot(deps: ClusterIngestDeps, snapshot: ClusterSnapshot, source: ClusterSource): Promise<ClusterIngestResult> {
  return ingest(deps, snapshot.cluster, (tx, now) => deps.repos.clusters.applySnapshot(snapshot, source, now, tx));
}

export function ingestClusterDiff(deps: ClusterIngestDeps, diff: ClusterDiff): Promise<ClusterIngestResult> {
  return ingest(deps, diff.cluster, (tx, now) => deps.repos.clusters.applyDiff(diff, now, tx));
}

export interface ClusterSyncOptions extends ClusterIngestDeps {
  readonly clusters: readonly KubeconfigCluster[];
  /** Count NodePort Services as internet-exposed. */
  readonly nodePortExposed: boolean;
  readonly log: (msg: string) => void;
  /** Watch events coalesced into one diff over this many ms (connector default 1000). */
  readonly coalesceMs?: number;
  /** Longest pause between attempts at the first list of an unreachable cluster (default 5 min). */
  readonly retryMaxMs?: number;
  readonly limits?: Partial<KubernetesLimits>;
}

export interface ClusterSync {
  readonly names: readonly string[];
  /** Resolves once every cluster's first snapshot was applied (or the sync stopped). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/** Warnings logged per cluster before further ones are only counted (the snapshot keeps its own). */
const MAX_LOGGED_WARNINGS = 50;

function summary(r: ClusterIngestResult): string {
  return `${r.upserted} workloads stored, ${r.removed} aged out, ${r.enqueued} new running images queued for scanning${r.skipped > 0 ? `, ${r.skipped} not (registry not allowed; see --scan-registry)` : ""}`;
}

/**
 * Starts one connector per cluster: list (retried with backoff while the cluster is unreachable),
 * store the snapshot, then apply each watch diff in order. A bad kubeconfig throws here, at start.
 */
export function startClusterSync(opts: ClusterSyncOptions): ClusterSync {
  let stopped = false;
  const sleeps = new Set<() => void>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(t);
        sleeps.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      sleeps.add(wake);
    });

  const runs = opts.clusters.map((c) => {
    let logged = 0;
    const warn = (msg: string): void => {
      if (++logged <= MAX_LOGGED_WARNINGS) opts.log(`cluster ${c.name}: ${msg}`);
      else if (logged === MAX_LOGGED_WARNINGS + 1) opts.log(`cluster ${c.name}: further warnings not logged (see GET /api/v1/clusters)`);
    };
    const connector = new KubernetesConnector({
      kubeconfig: c.kubeconfig,
      ...(c.context !== undefined ? { context: c.context } : {}),
      clusterName: c.name,
      nodePortExposed: opts.nodePortExposed,
      ...(opts.coalesceMs !== undefined ? { coalesceMs: opts.coalesceMs } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
      onWarning: warn,
    });
    // Applies run one at a time per cluster, in the order the connector produced them.
    let chain: Promise<void> = Promise.resolve();
    const apply = (what: string, fn: () => Promise<ClusterIngestResult>): Promise<void> =>
      (chain = chain.then(async () => {
        if (stopped) return;
        try {
          opts.log(`cluster ${c.name}: ${what}: ${summary(await fn())}`);
        } catch (e) {
          opts.log(`cluster ${c.name}: ${what} not stored: ${describeError(e)}`);
        }
      }));
    const listed = (async () => {
      let delay = 1000;
      while (!stopped) {
        try {
          const base = await connector.watch({
            onDiff: (diff) => void apply("change", () => ingestClusterDiff(opts, diff)),
            onError: (e) => opts.log(`cluster ${c.name}: ${e.message}`),
          });
          await apply("snapshot", () => ingestClusterSnapshot(opts, base, "kubeconfig"));
          return;
        } catch (e) {
          opts.log(`cluster ${c.name}: cannot list: ${describeError(e)}; retrying in ${Math.round(delay / 1000)} s`);
          await sleep(delay);
          delay = Math.min(delay * 2, opts.retryMaxMs ?? 5 * 60_000);
        }
      }
    })();
    return { connector, listed, drained: () => chain };
  });

  return {
    names: opts.clusters.map((c) => c.name),
    ready: Promise.all(runs.map((r) => r.listed)).then(() => undefined),
    async stop() {
      stopped = true;
      for (const wake of [...sleeps]) wake();
      await Promise.all(runs.map((r) => r.connector.stop()));
      await Promise.all(runs.map((r) => r.listed));
      await Promise.all(runs.map((r) => r.drained()));
    },
  };
}
