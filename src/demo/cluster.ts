// The demo clusters as a Kubernetes API would list them (Namespaces, Deployments → ReplicaSets →
// Pods, StatefulSets → Pods, Services, Ingresses, in the API's own JSON shape), turned into a
// ClusterSnapshot by the connector's own code (normalize + buildSnapshot), so exposure and image
// resolution follow the documented rules exactly as for a real cluster.
import { createHash } from "node:crypto";
import type { ClusterResourceKind, ClusterSnapshot } from "../model/cluster.js";
import { normalize, objectKey, type KubeRec, type NormalizeLimits } from "../server/ingest/kubernetes-objects.js";
import { buildSnapshot, type ClusterObjects } from "../server/ingest/kubernetes-snapshot.js";
import { DEMO_REGISTRY, type DemoWorkload } from "./world.js";

type Json = Record<string, unknown>;

function uid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("/")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function hash(s: string, n: number): string {
  return createHash("sha256").update(s).digest("hex").replace(/[^a-z0-9]/g, "").slice(0, n);
}

// The connector's defaults (server/ingest/kubernetes.ts), without loading the Kubernetes client.
const LIMITS: NormalizeLimits = { maxContainersPerPod: 256, maxEntriesPerObject: 1_000 };

const KINDS: readonly ClusterResourceKind[] = ["namespaces", "pods", "services", "replicasets", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs", "ingresses"];

/** The API objects of one workload: its controller(s), pods, and the Service/Ingress exposing it. */
function objectsOf(cluster: string, w: DemoWorkload, image: { repository: string; tag: string; digest: string }): { kind: ClusterResourceKind; obj: Json }[] {
  const out: { kind: ClusterResourceKind; obj: Json }[] = [];
  const labels = { "app.kubernetes.io/name": w.name, "app.kubernetes.io/part-of": "acme-demo" };
  const ref = `${DEMO_REGISTRY}/${image.repository}:${image.tag}`;
  const podSpec = { containers: [{ name: w.name, image: ref, ports: [{ containerPort: 8080 }] }] };
  const ctlUid = uid(cluster, w.namespace, w.kind, w.name);
  const meta = (name: string, extra: Json = {}) => ({ name, namespace: w.namespace, uid: uid(cluster, w.namespace, name), resourceVersion: "1", ...extra });
  let owner: Json;
  if (w.kind === "Deployment") {
    const templateHash = hash(`${w.name}:${image.digest}`, 10);
    const rsName = `${w.name}-${templateHash}`;
    out.push({ kind: "deployments", obj: { apiVersion: "apps/v1", kind: "Deployment", metadata: { ...meta(w.name), uid: ctlUid, labels }, spec: { replicas: w.replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } } });
    out.push({
      kind: "replicasets",
      obj: {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: { ...meta(rsName), labels: { ...labels, "pod-template-hash": templateHash }, ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: w.name, uid: ctlUid, controller: true }] },
        spec: { replicas: w.replicas, template: { metadata: { labels }, spec: podSpec } },
      },
    });
    owner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: rsName, uid: uid(cluster, w.namespace, rsName), controller: true };
  } else {
    out.push({ kind: "statefulsets", obj: { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { ...meta(w.name), uid: ctlUid, labels }, spec: { replicas: w.replicas, serviceName: w.name, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } } });
    owner = { apiVersion: "apps/v1", kind: "StatefulSet", name: w.name, uid: ctlUid, controller: true };
  }
  for (let i = 0; i < w.replicas; i++) {
    const name = w.kind === "StatefulSet" ? `${w.name}-${i}` : `${owner.name as string}-${hash(`${w.name}/${i}`, 5)}`;
    out.push({
      kind: "pods",
      obj: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { ...meta(name), labels: { ...labels, ...(w.kind === "Deployment" ? { "pod-template-hash": (owner.name as string).slice(w.name.length + 1) } : {}) }, ownerReferences: [owner] },
        spec: podSpec,
        status: { phase: "Running", containerStatuses: [{ name: w.name, image: ref, imageID: `${DEMO_REGISTRY}/${image.repository}@${image.digest}`, ready: true, restartCount: 0 }] },
      },
    });
  }
  const ports = [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }];
  const e = w.exposure;
  if (e === undefined || e.via === "ingress") {
    out.push({ kind: "services", obj: { apiVersion: "v1", kind: "Service", metadata: meta(w.name), spec: { type: "ClusterIP", selector: labels, ports }, status: { loadBalancer: {} } } });
  } else {
    const annotations = e.via === "internalLoadBalancer" ? { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" } : {};
    out.push({ kind: "services", obj: { apiVersion: "v1", kind: "Service", metadata: meta(w.name, { annotations }), spec: { type: "LoadBalancer", selector: labels, ports: [{ ...ports[0], nodePort: 31080 }] }, status: { loadBalancer: { ingress: [{ ip: e.address }] } } } });
  }
  if (e?.via === "ingress") {
    out.push({
      kind: "ingresses",
      obj: {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: meta(w.name),
        spec: { ingressClassName: "nginx", tls: [{ hosts: [e.host], secretName: `${w.name}-tls` }], rules: [{ host: e.host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: w.name, port: { number: 80 } } } }] } }] },
        status: { loadBalancer: { ingress: [{ ip: cluster.startsWith("prod") ? "198.51.100.10" : "192.0.2.40" }] } },
      },
    });
  }
  return out;
}

/** One cluster's snapshot at `collectedAt`, holding the given workloads. */
export function demoSnapshot(cluster: string, workloads: readonly DemoWorkload[], imageOf: (build: string) => { repository: string; tag: string; digest: string }, collectedAt: Date): ClusterSnapshot {
  const maps = Object.fromEntries(KINDS.map((k) => [k, new Map<string, KubeRec>()])) as Record<ClusterResourceKind, Map<string, KubeRec>>;
  const warnings: string[] = [];
  const add = (kind: ClusterResourceKind, obj: Json) => {
    const n = normalize(kind, obj, LIMITS);
    if (n.ok) maps[kind].set(objectKey(n.value.meta), n.value);
    else warnings.push(n.problem);
  };
  for (const ns of [...new Set(workloads.map((w) => w.namespace))].sort()) {
    add("namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, uid: uid(cluster, ns), labels: { "kubernetes.io/metadata.name": ns, environment: cluster.startsWith("prod") ? "production" : "staging" } } });
  }
  for (const w of workloads) for (const o of objectsOf(cluster, w, imageOf(w.build))) add(o.kind, o.obj);
  const objects: ClusterObjects = maps;
  return buildSnapshot({ cluster, collectedAt: collectedAt.toISOString(), objects, resourceVersions: Object.fromEntries(KINDS.map((k) => [k, "1"])), warnings, exposure: { nodePortExposed: false } });
}
