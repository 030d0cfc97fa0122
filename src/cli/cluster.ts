// `berth cluster snapshot`: list a Kubernetes cluster with the same connector `berth server` runs
// (src/server/ingest/kubernetes.ts) and print the snapshot JSON, or post it to a Berth server that
// cannot reach the cluster itself (a CI job or an agent with in-cluster access feeds Berth).
// Also the parsing of `berth server --kubeconfig NAME=PATH --kube-context NAME=CONTEXT`.
import { Command } from "commander";
import type { KubeconfigCluster } from "../server/clusters.js";
import { CLUSTER_NAME_RE, CLUSTER_NAME_RULE } from "../server/clusters-name.js";
import { BerthError } from "../util/errors.js";
import { writeOutput, type Io } from "./common.js";
import { fetchBounded, parseAnswer } from "./record.js";

function splitPair(flag: string, value: string, what: string): [string, string] {
  const eq = value.indexOf("=");
  const name = eq < 0 ? "" : value.slice(0, eq);
  const rest = eq < 0 ? "" : value.slice(eq + 1);
  if (!CLUSTER_NAME_RE.test(name) || rest === "") throw new BerthError("usage", `${flag}: expected NAME=${what} (NAME: ${CLUSTER_NAME_RULE}), got ${JSON.stringify(value.slice(0, 200))}`);
  return [name, rest];
}

/** `--kubeconfig prod=/etc/berth/prod.yaml` (repeatable) with optional `--kube-context prod=admin@prod`. */
export function parseKubeconfigFlags(kubeconfigs: readonly string[], contexts: readonly string[]): KubeconfigCluster[] {
  const byName = new Map<string, { name: string; kubeconfig: string; context?: string }>();
  for (const v of kubeconfigs) {
    const [name, path] = splitPair("--kubeconfig", v, "PATH");
    if (byName.has(name)) throw new BerthError("usage", `--kubeconfig: cluster ${name} given twice`);
    byName.set(name, { name, kubeconfig: path });
  }
  for (const v of contexts) {
    const [name, context] = splitPair("--kube-context", v, "CONTEXT");
    const c = byName.get(name);
    if (c === undefined) throw new BerthError("usage", `--kube-context: no --kubeconfig ${name}=PATH given`);
    c.context = context;
  }
  return [...byName.values()];
}

interface SnapshotFlags {
  kubeconfig?: string;
  context?: string;
  name?: string;
  nodeportExposed?: boolean;
  allowExecAuth?: boolean;
  server?: string;
  token?: string;
  output?: string;
}

export function clusterCommand(io: Io): Command {
  const snapshot = new Command("snapshot")
    .description(
      "list a Kubernetes cluster (pods and their controllers, image digests, Services and Ingresses with internet exposure) and print the snapshot as JSON, or send it to a Berth server with --server",
    )
    .option("--kubeconfig <path>", "kubeconfig of the cluster (default: $KUBECONFIG, else ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use (default: its current-context)")
    .option("--name <name>", "name Berth records the cluster under (default: the context's cluster name)")
    .option("--nodeport-exposed", "count NodePort Services as internet-exposed (default: only public LoadBalancers and Ingresses)")
    .option("--allow-exec-auth", "allow a kubeconfig user that runs an exec/auth-provider plugin (EKS, GKE, AKS logins run a program)")
    .option("--server <url>", "post the snapshot to this Berth server (POST /api/v1/clusters/{name}/snapshot; env BERTH_SERVER)")
    .option("--token <token>", "API token with role ingest or admin for --server (env BERTH_TOKEN)")
    .option("-o, --output <file>", "write the snapshot JSON to a file instead of stdout (without --server)")
    .action(async (f: SnapshotFlags) => {
      const env = io.env;
      const kubeconfig = f.kubeconfig ?? env.KUBECONFIG?.split(":")[0] ?? (env.HOME ? `${env.HOME}/.kube/config` : undefined);
      if (!kubeconfig) throw new BerthError("usage", "--kubeconfig: required (no KUBECONFIG or HOME)");
      if (f.name !== undefined && !CLUSTER_NAME_RE.test(f.name)) throw new BerthError("usage", `--name: ${CLUSTER_NAME_RULE}`);
      const server = f.server ?? env.BERTH_SERVER;
      const token = f.token ?? env.BERTH_TOKEN;
      if (server && !token) throw new BerthError("usage", "--server needs --token (or BERTH_TOKEN): an API token with role ingest");
      const { listCluster } = await import("../server/ingest/kubernetes.js");
      const snap = await listCluster({
        kubeconfig,
        ...(f.context ? { context: f.context } : {}),
        ...(f.name ? { clusterName: f.name } : {}),
        nodePortExposed: f.nodeportExposed === true,
        allowExecAuth: f.allowExecAuth === true,
        onWarning: (m) => io.stderr.write(`berth cluster snapshot: ${m}\n`),
      });
      if (!CLUSTER_NAME_RE.test(snap.cluster)) throw new BerthError("usage", `the cluster's name ${JSON.stringify(snap.cluster.slice(0, 80))} is not a valid Berth cluster name; give --name`);
      const json = JSON.stringify(snap);
      io.stderr.write(`berth cluster snapshot: ${snap.cluster}: ${snap.workloads.length} workloads, ${snap.namespaces.length} namespaces, ${snap.warnings.length} warnings\n`);
      if (!server || !token) {
        await writeOutput(io, `${json}\n`, f.output);
        return;
      }
      let base: URL;
      try {
        base = new URL(server);
      } catch {
        throw new BerthError("usage", `--server: not a URL: ${server}`);
      }
      const url = new URL(`api/v1/clusters/${encodeURIComponent(snap.cluster)}/snapshot`, base.toString().replace(/\/*$/, "/")).toString();
      const r = await fetchBounded(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json" }, body: json }, `POST ${url}`);
      const answer = parseAnswer(r.text);
      if (r.status !== 200) {
        const msg = typeof answer.message === "string" ? answer.message : r.text.slice(0, 200);
        throw new BerthError(r.status === 401 || r.status === 403 ? "auth" : r.status === 400 || r.status === 413 ? "input" : "network", `server refused the snapshot: HTTP ${r.status}: ${msg}`);
      }
      io.stdout.write(`${JSON.stringify(answer)}\n`);
    });
  return new Command("cluster").description("Kubernetes inventory for a Berth server").addCommand(snapshot);
}
