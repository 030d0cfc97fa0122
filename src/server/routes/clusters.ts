// Kubernetes inventory over HTTP: `POST /api/v1/clusters/{name}/snapshot` takes a snapshot of a
// cluster the server cannot reach (pushed by `berth cluster snapshot` from a CI job or an agent),
// `GET /api/v1/clusters` lists the clusters with their counts.
import type { FastifyInstance } from "fastify";
import { BerthError } from "../../util/errors.js";
import { principalName, requireAuth } from "../auth/tokens.js";
import { ingestClusterSnapshot, type ClusterIngestDeps } from "../clusters.js";
import { CLUSTER_NAME_RE, CLUSTER_NAME_RULE } from "../clusters-name.js";
import { parseClusterSnapshot } from "../clusters-snapshot.js";

export const CLUSTERS_PATH = "/api/v1/clusters";

/** A snapshot of a large cluster is bigger than the API's usual 1 MiB body limit. */
export const DEFAULT_SNAPSHOT_BODY_LIMIT = 64 * 1024 * 1024;

export interface ClusterRouteDeps extends ClusterIngestDeps {
  /** Clusters the server watches itself (`--kubeconfig`): pushing a snapshot for one is refused. */
  readonly watched: readonly string[];
  readonly snapshotBodyLimit?: number;
}

export function registerClusterRoutes(app: FastifyInstance, deps: ClusterRouteDeps): void {
  const { repos } = deps;

  app.get(CLUSTERS_PATH, { preHandler: requireAuth(repos, { roles: ["admin", "read", "ingest"] }) }, async () => ({ clusters: await repos.clusters.list() }));

  app.post<{ Params: { name: string } }>(
    `${CLUSTERS_PATH}/:name/snapshot`,
    { preHandler: requireAuth(repos, { roles: ["admin", "ingest"] }), bodyLimit: deps.snapshotBodyLimit ?? DEFAULT_SNAPSHOT_BODY_LIMIT },
    async (req, reply) => {
      const { name } = req.params;
      if (!CLUSTER_NAME_RE.test(name)) throw new BerthError("input", `invalid cluster name ${JSON.stringify(name.slice(0, 80))} (${CLUSTER_NAME_RULE})`);
      if (deps.watched.includes(name)) {
        return reply.code(409).send({ error: "conflict", message: `cluster ${name} is watched by this server through its kubeconfig; a pushed snapshot would fight the watch` });
      }
      const snapshot = parseClusterSnapshot(req.body, name);
      const result = await ingestClusterSnapshot(deps, snapshot, "push");
      await repos.audit.record({ actor: principalName(req.principal), action: "cluster.snapshot", subject: `cluster:${name}`, detail: result }, deps.now());
      return result;
    },
  );
}
