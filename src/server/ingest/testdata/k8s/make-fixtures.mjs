// One-off writer of the recorded-shape fixtures in this folder (see README.md). Re-run only to change
// the scenario: `node src/server/ingest/testdata/k8s/make-fixtures.mjs src/server/ingest/testdata/k8s`
// (deterministic: the same files come out; the tests hard-code the digests it prints).
import { createHash } from "node:crypto";
import { writeFileSync, mkdirSync } from "node:fs";
const out = process.argv[2];
mkdirSync(out, { recursive: true });
const hex = (s) => createHash("sha256").update(s).digest("hex");
const uid = (s) => { const h = hex("uid:" + s); return `${h.slice(0,8)}-${h.slice(8,12)}-${h.slice(12,16)}-${h.slice(16,20)}-${h.slice(20,32)}`; };
const ts = "2026-11-20T09:14:03Z";
let rv = 481200;
const meta = (ns, name, extra = {}) => ({
  name, ...(ns ? { namespace: ns } : {}), uid: uid(`${ns}/${name}`), resourceVersion: String(++rv),
  ...(extra.generation !== undefined ? { generation: extra.generation } : {}),
  creationTimestamp: ts, ...(extra.labels ? { labels: extra.labels } : {}),
  ...(extra.annotations ? { annotations: extra.annotations } : {}),
  ...(extra.owner ? { ownerReferences: [{ apiVersion: extra.owner.apiVersion, kind: extra.owner.kind, name: extra.owner.name, uid: uid(`${ns}/${extra.owner.name}`), controller: true, blockOwnerDeletion: true }] } : {}),
});
const container = (name, image, port) => ({ name, image, ...(port ? { ports: [{ containerPort: port, protocol: "TCP" }] } : {}), resources: {}, terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File", imagePullPolicy: "IfNotPresent" });
const podSpec = (containers, init = []) => ({ ...(init.length ? { initContainers: init } : {}), containers, restartPolicy: "Always", terminationGracePeriodSeconds: 30, dnsPolicy: "ClusterFirst", serviceAccountName: "default", serviceAccount: "default", securityContext: {}, schedulerName: "default-scheduler", enableServiceLinks: true, preemptionPolicy: "PreemptLowerPriority", priority: 0 });
const cstatus = (name, image, imageID, init) => ({ name, state: init ? { terminated: { exitCode: 0, reason: "Completed", startedAt: ts, finishedAt: ts, containerID: `containerd://${hex("cid" + name + imageID)}` } } : { running: { startedAt: ts } }, lastState: {}, ready: !init, restartCount: 0, image, imageID, containerID: `containerd://${hex("cid" + name + imageID)}`, started: !init });
function pod(ns, name, { labels, owner, containers, init = [], ids = {}, phase = "Running", node = "node-a" }) {
  return {
    metadata: meta(ns, name, { labels, owner }),
    spec: { ...podSpec(containers, init), nodeName: node },
    status: {
      phase, conditions: [{ type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: ts }],
      hostIP: "10.0.1.12", hostIPs: [{ ip: "10.0.1.12" }], podIP: "10.244.1." + (rv % 250), podIPs: [{ ip: "10.244.1." + (rv % 250) }], startTime: ts,
      ...(init.length ? { initContainerStatuses: init.map((c) => cstatus(c.name, c.image, ids[c.name] ?? "", true)) } : {}),
      containerStatuses: containers.map((c) => cstatus(c.name, c.image, ids[c.name] ?? "", false)),
      qosClass: "BestEffort",
    },
  };
}
const list = (kind, apiVersion, items) => ({ kind, apiVersion, metadata: { resourceVersion: String(++rv) }, items: items.map((i) => ({ ...i })) });
const withKind = (kind, apiVersion, o) => ({ kind, apiVersion, ...o });

const D = {
  web: hex("web-1.4.2"), migrate: hex("migrate-1.4.2"), api: hex("api-2.0.1"), db: hex("postgres-16.4"),
  report: hex("report-0.9"), debug: hex("busybox-1.36"), nodeexp: hex("node-exporter-1.8.2"), admin: hex("admin-3.1"),
};
const webC = [container("web", "registry.example.com/shop/web:1.4.2", 8080)];
const webInit = [container("migrate", "registry.example.com/shop/migrate:1.4.2")];
const apiC = [container("api", "ghcr.io/example/api:2.0.1", 8443)];
const dbC = [container("postgres", "postgres:16.4", 5432)];
const reportC = [container("report", "registry.example.com/batch/report:0.9")];
const adminC = [container("admin", "registry.example.com/shop/admin@sha256:" + D.admin, 9000)];
const neC = [container("node-exporter", "quay.io/prometheus/node-exporter:v1.8.2", 9100)];

const namespaces = list("NamespaceList", "v1", ["default", "kube-system", "shop", "batch"].map((n) => ({ metadata: meta("", n, { labels: { "kubernetes.io/metadata.name": n } }), spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } })));
const deploy = (ns, name, labels, containers, init = [], replicas = 2) => ({ metadata: meta(ns, name, { generation: 3, labels, annotations: { "deployment.kubernetes.io/revision": "3" } }), spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec(containers, init) }, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 }, status: { observedGeneration: 3, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas } });
const rs = (ns, name, dep, hash, labels, containers, init = [], replicas = 2) => ({ metadata: meta(ns, name, { generation: 1, labels: { ...labels, "pod-template-hash": hash }, annotations: { "deployment.kubernetes.io/desired-replicas": String(replicas), "deployment.kubernetes.io/max-replicas": String(replicas + 1), "deployment.kubernetes.io/revision": "3" }, owner: { apiVersion: "apps/v1", kind: "Deployment", name: dep } }), spec: { replicas, selector: { matchLabels: { ...labels, "pod-template-hash": hash } }, template: { metadata: { labels: { ...labels, "pod-template-hash": hash } }, spec: podSpec(containers, init) } }, status: { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: 1 } });

const deployments = list("DeploymentList", "apps/v1", [
  deploy("shop", "web", { app: "web" }, webC, webInit),
  deploy("shop", "api", { app: "api" }, apiC, [], 1),
  deploy("shop", "admin", { app: "admin" }, adminC, [], 1),
  deploy("shop", "worker", { app: "worker" }, [container("worker", "registry.example.com/shop/worker:1.0")], [], 0),
]);
const replicasets = list("ReplicaSetList", "apps/v1", [
  rs("shop", "web-6d4cf56db6", "web", "6d4cf56db6", { app: "web" }, webC, webInit),
  rs("shop", "api-5b7c9d8f4", "api", "5b7c9d8f4", { app: "api" }, apiC, [], 1),
  rs("shop", "admin-7f9b8c6d5", "admin", "7f9b8c6d5", { app: "admin" }, adminC, [], 1),
]);
const statefulsets = list("StatefulSetList", "apps/v1", [{ metadata: meta("shop", "db", { generation: 1, labels: { app: "db" } }), spec: { replicas: 1, selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } }, spec: podSpec(dbC) }, serviceName: "db", podManagementPolicy: "OrderedReady", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10 }, status: { observedGeneration: 1, replicas: 1, readyReplicas: 1, currentReplicas: 1, updatedReplicas: 1, currentRevision: "db-7d9f8b6c5d", updateRevision: "db-7d9f8b6c5d", collisionCount: 0, availableReplicas: 1 } }]);
const daemonsets = list("DaemonSetList", "apps/v1", [{ metadata: meta("kube-system", "node-exporter", { generation: 1, labels: { app: "node-exporter" }, annotations: { "deprecated.daemonset.template.generation": "1" } }), spec: { selector: { matchLabels: { app: "node-exporter" } }, template: { metadata: { labels: { app: "node-exporter" } }, spec: podSpec(neC) }, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 }, status: { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1, observedGeneration: 1, updatedNumberScheduled: 1, numberAvailable: 1 } }]);
const cronjobs = list("CronJobList", "batch/v1", [{ metadata: meta("batch", "report", { generation: 1 }), spec: { schedule: "0 3 * * *", concurrencyPolicy: "Forbid", suspend: false, jobTemplate: { metadata: { creationTimestamp: null }, spec: { backoffLimit: 2, template: { metadata: { creationTimestamp: null }, spec: { ...podSpec(reportC), restartPolicy: "OnFailure" } } } }, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 }, status: { active: [{ kind: "Job", namespace: "batch", name: "report-29398740", uid: uid("batch/report-29398740"), apiVersion: "batch/v1", resourceVersion: "481230" }], lastScheduleTime: ts } }]);
const jobs = list("JobList", "batch/v1", [{ metadata: meta("batch", "report-29398740", { generation: 1, labels: { "batch.kubernetes.io/controller-uid": uid("batch/report-29398740"), "batch.kubernetes.io/job-name": "report-29398740", "controller-uid": uid("batch/report-29398740"), "job-name": "report-29398740" }, owner: { apiVersion: "batch/v1", kind: "CronJob", name: "report" } }), spec: { parallelism: 1, completions: 1, backoffLimit: 2, completionMode: "NonIndexed", suspend: false, template: { metadata: { labels: { "job-name": "report-29398740" } }, spec: { ...podSpec(reportC), restartPolicy: "OnFailure" } } }, status: { startTime: ts, active: 1, ready: 1, uncountedTerminatedPods: {} } }]);

const pods = list("PodList", "v1", [
  pod("shop", "web-6d4cf56db6-7xk2p", { labels: { app: "web", "pod-template-hash": "6d4cf56db6" }, owner: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-6d4cf56db6" }, containers: webC, init: webInit, ids: { web: "registry.example.com/shop/web@sha256:" + D.web, migrate: "docker-pullable://registry.example.com/shop/migrate@sha256:" + D.migrate } }),
  pod("shop", "web-6d4cf56db6-q9m4t", { labels: { app: "web", "pod-template-hash": "6d4cf56db6" }, owner: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-6d4cf56db6" }, containers: webC, init: webInit, node: "node-b", ids: { web: "registry.example.com/shop/web@sha256:" + D.web, migrate: "docker-pullable://registry.example.com/shop/migrate@sha256:" + D.migrate } }),
  pod("shop", "api-5b7c9d8f4-h2rlw", { labels: { app: "api", "pod-template-hash": "5b7c9d8f4" }, owner: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "api-5b7c9d8f4" }, containers: apiC, ids: { api: "ghcr.io/example/api@sha256:" + D.api } }),
  pod("shop", "admin-7f9b8c6d5-zz8kq", { labels: { app: "admin", "pod-template-hash": "7f9b8c6d5" }, owner: { apiVersion: "apps/v1", kind: "ReplicaSet", name: "admin-7f9b8c6d5" }, containers: adminC, ids: { admin: "registry.example.com/shop/admin@sha256:" + D.admin } }),
  pod("shop", "db-0", { labels: { app: "db", "apps.kubernetes.io/pod-index": "0", "controller-revision-hash": "db-7d9f8b6c5d", "statefulset.kubernetes.io/pod-name": "db-0" }, owner: { apiVersion: "apps/v1", kind: "StatefulSet", name: "db" }, containers: dbC, ids: { postgres: "docker-pullable://postgres@sha256:" + D.db } }),
  pod("batch", "report-29398740-x7k2q", { labels: { "batch.kubernetes.io/controller-uid": uid("batch/report-29398740"), "batch.kubernetes.io/job-name": "report-29398740", "job-name": "report-29398740" }, owner: { apiVersion: "batch/v1", kind: "Job", name: "report-29398740" }, containers: reportC, ids: { report: "sha256:" + D.report } }),
  pod("default", "debug", { labels: { run: "debug" }, containers: [container("debug", "busybox:1.36")], ids: { debug: "docker://sha256:" + D.debug } }),
  pod("kube-system", "node-exporter-4wq8n", { labels: { app: "node-exporter", "controller-revision-hash": "6c8d7b9f5", "pod-template-generation": "1" }, owner: { apiVersion: "apps/v1", kind: "DaemonSet", name: "node-exporter" }, containers: neC, ids: { "node-exporter": "quay.io/prometheus/node-exporter@sha256:" + D.nodeexp } }),
]);
const svc = (ns, name, type, selector, ports, extra = {}) => ({ metadata: meta(ns, name, { labels: extra.labels, annotations: extra.annotations }), spec: { ...(selector ? { selector } : {}), ports, type, clusterIP: extra.clusterIP ?? "10.96.0." + (rv % 250), clusterIPs: [extra.clusterIP ?? "10.96.0." + (rv % 250)], sessionAffinity: "None", ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack", internalTrafficPolicy: "Cluster", ...(type === "LoadBalancer" || type === "NodePort" ? { externalTrafficPolicy: "Cluster" } : {}), ...(type === "LoadBalancer" ? { allocateLoadBalancerNodePorts: true } : {}) }, status: { loadBalancer: extra.lb ? { ingress: extra.lb } : {} } });
const services = list("ServiceList", "v1", [
  svc("default", "kubernetes", "ClusterIP", undefined, [{ name: "https", protocol: "TCP", port: 443, targetPort: 6443 }], { clusterIP: "10.96.0.1", labels: { component: "apiserver", provider: "kubernetes" } }),
  svc("shop", "web", "ClusterIP", { app: "web" }, [{ name: "http", protocol: "TCP", port: 80, targetPort: 8080 }]),
  svc("shop", "api-lb", "LoadBalancer", { app: "api" }, [{ name: "https", protocol: "TCP", port: 443, targetPort: 8443, nodePort: 31443 }], { lb: [{ ip: "198.51.100.7", ipMode: "VIP" }] }),
  svc("shop", "admin-lb", "LoadBalancer", { app: "admin" }, [{ protocol: "TCP", port: 9000, targetPort: 9000, nodePort: 32000 }], { annotations: { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }, lb: [{ hostname: "internal-admin-1234.eu-west-1.elb.amazonaws.com" }] }),
  svc("shop", "db", "ClusterIP", { app: "db" }, [{ name: "pg", protocol: "TCP", port: 5432, targetPort: 5432 }], { clusterIP: "None" }),
  svc("kube-system", "node-exporter", "NodePort", { app: "node-exporter" }, [{ name: "metrics", protocol: "TCP", port: 9100, targetPort: 9100, nodePort: 30910 }]),
]);
const ingresses = list("IngressList", "networking.k8s.io/v1", [{ metadata: meta("shop", "shop", { generation: 1, annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" } }), spec: { ingressClassName: "nginx", tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }], rules: [{ host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] }, status: { loadBalancer: { ingress: [{ ip: "203.0.113.10" }] } } }]);

const w = (name, o) => writeFileSync(`${out}/${name}`, JSON.stringify(o, null, 2) + "\n");
w("namespaces.json", namespaces); w("pods.json", pods); w("services.json", services); w("replicasets.json", replicasets); w("deployments.json", deployments);
w("statefulsets.json", statefulsets); w("daemonsets.json", daemonsets); w("jobs.json", jobs); w("cronjobs.json", cronjobs); w("ingresses.json", ingresses);

// Watch: pods stream. 1) web pod modified (new digest after a rollout restart), 2) bare pod deleted, 3) bookmark, 4) 410 Gone.
const debugPod = pods.items.find((p) => p.metadata.name === "debug");
const web0 = structuredClone(pods.items[0]);
const D2 = hex("web-1.4.3");
web0.metadata.resourceVersion = String(++rv);
web0.status.containerStatuses[0].imageID = "registry.example.com/shop/web@sha256:" + D2;
const delDebug = structuredClone(debugPod); delDebug.metadata.resourceVersion = String(++rv); delDebug.metadata.deletionTimestamp = ts; delDebug.metadata.deletionGracePeriodSeconds = 0; delDebug.status.phase = "Succeeded";
const bookmarkRv = String(++rv);
const ev = (type, object) => JSON.stringify({ type, object: type === "ERROR" || type === "BOOKMARK" ? object : withKind("Pod", "v1", object) });
const stream1 = [
  ev("MODIFIED", web0),
  ev("DELETED", delDebug),
  ev("BOOKMARK", { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: bookmarkRv, annotations: { "k8s.io/initial-events-end": "true" } } }),
  ev("ERROR", { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${bookmarkRv} (${rv + 40})`, reason: "Expired", code: 410 }),
].join("\n") + "\n";
writeFileSync(`${out}/watch-pods-1.jsonl`, stream1);
// Re-list after 410: debug stays gone; a new bare pod "canary" appeared while the watch was away; web pod keeps new digest.
const canary = pod("default", "canary", { labels: { run: "canary" }, containers: [container("canary", "nginx:1.27")], ids: { canary: "docker.io/library/nginx@sha256:" + hex("nginx-1.27") } });
const relist = list("PodList", "v1", [web0, ...pods.items.slice(1).filter((p) => p.metadata.name !== "debug"), canary]);
w("pods-relist.json", relist);
// Second watch (from the re-list's resourceVersion): the StatefulSet pod deleted (workload stays, 0 pods); canary deleted (workload removed).
const db0 = structuredClone(pods.items.find((p) => p.metadata.name === "db-0")); db0.metadata.resourceVersion = String(++rv);
const can2 = structuredClone(canary); can2.metadata.resourceVersion = String(++rv);
writeFileSync(`${out}/watch-pods-2.jsonl`, [ev("DELETED", db0), ev("DELETED", can2)].join("\n") + "\n");
console.log("relist rv", relist.metadata.resourceVersion, "digests", JSON.stringify(D), "web2", D2);
