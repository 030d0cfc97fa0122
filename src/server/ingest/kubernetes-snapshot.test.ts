// Pure parts: owner resolution, the exposure rule and diffs, on hand-made API objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ClusterResourceKind } from "../../model/cluster.js";
import { isInternalLoadBalancer, isPublicAddress, isPublicHost } from "./kubernetes-exposure.js";
import { normalize, objectKey, type KubeRec } from "./kubernetes-objects.js";
import { buildSnapshot, diffSnapshots, isEmptyDiff, type ClusterObjects } from "./kubernetes-snapshot.js";

const limits = { maxContainersPerPod: 64, maxEntriesPerObject: 100 };
const kinds: ClusterResourceKind[] = ["namespaces", "pods", "services", "replicasets", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs", "ingresses"];

function objects(input: Partial<Record<ClusterResourceKind, unknown[]>>): ClusterObjects {
  const out = {} as Record<ClusterResourceKind, Map<string, KubeRec>>;
  for (const k of kinds) {
    out[k] = new Map();
    for (const o of input[k] ?? []) {
      const n = normalize(k, o, limits);
      assert.ok(n.ok, n.ok ? "" : n.problem);
      out[k].set(objectKey(n.value.meta), n.value);
    }
  }
  return out;
}

function snap(input: Partial<Record<ClusterResourceKind, unknown[]>>, nodePortExposed = false) {
  return buildSnapshot({ cluster: "c", collectedAt: "t", objects: objects(input), resourceVersions: {}, warnings: [], exposure: { nodePortExposed } });
}

const pod = (name: string, labels: Record<string, string>, owner?: { kind: string; name: string }) => ({
  metadata: { name, namespace: "ns", labels, ...(owner ? { ownerReferences: [{ apiVersion: "apps/v1", ...owner, uid: "u", controller: true }] } : {}) },
  spec: { containers: [{ name: "app", image: "app:1" }] },
});
const service = (name: string, type: string, selector: Record<string, string>, lb: Record<string, string>[] = [], annotations: Record<string, string> = {}) => ({
  metadata: { name, namespace: "ns", annotations },
  spec: { type, selector, ports: [{ name: "http", port: 80, targetPort: 8080, protocol: "TCP", ...(type === "ClusterIP" ? {} : { nodePort: 30080 }) }] },
  status: { loadBalancer: lb.length ? { ingress: lb } : {} },
});
const ingress = (name: string, rules: unknown[], addresses: Record<string, string>[] = [], extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: "ns" },
  spec: { rules, ...extra },
  status: { loadBalancer: { ingress: addresses } },
});
const rule = (host: string | undefined, svc: string, port: Record<string, unknown>) => ({
  ...(host === undefined ? {} : { host }),
  http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: svc, port } } }] },
});

test("owner: pods of an unlisted ReplicaSet are attributed to the Deployment by pod-template-hash", () => {
  const s = snap({ pods: [pod("web-abc123-x", { app: "web", "pod-template-hash": "abc123" }, { kind: "ReplicaSet", name: "web-abc123" })] });
  assert.deepEqual(s.workloads.map((w) => w.id), ["ns/Deployment/web"]);
  const t = snap({ pods: [pod("odd-x", { app: "odd" }, { kind: "ReplicaSet", name: "odd" })] });
  assert.deepEqual(t.workloads.map((w) => w.id), ["ns/ReplicaSet/odd"], "no hash: the ReplicaSet itself");
  const u = snap({ pods: [pod("r-1", {}, { kind: "Rollout", name: "r" })] });
  assert.deepEqual(u.workloads.map((w) => w.id), ["ns/Rollout/r"], "unknown controllers keep their kind");
  const mirror = snap({ pods: [pod("etcd-node-a", {}, { kind: "Node", name: "node-a" }), pod("kube-apiserver-node-a", {}, { kind: "Node", name: "node-a" })] });
  assert.deepEqual(mirror.workloads.map((w) => w.id), ["ns/Pod/etcd-node-a", "ns/Pod/kube-apiserver-node-a"], "static pods are their own workloads");
});

test("exposure: ingress hosts, host-less rules and status addresses", () => {
  const pods = [pod("a", { app: "a" })];
  const services = [service("a", "ClusterIP", { app: "a" })];
  const exposed = (ing: unknown) => snap({ pods, services, ingresses: [ing] }).workloads[0]?.internetExposed;
  assert.equal(exposed(ingress("i", [rule("a.example.com", "a", { number: 80 })])), true, "public host");
  assert.equal(exposed(ingress("i", [rule("a.ns.svc.cluster.local", "a", { number: 80 })])), false, "cluster-internal host");
  assert.equal(exposed(ingress("i", [rule(undefined, "a", { name: "http" })])), false, "no host, no address");
  assert.equal(exposed(ingress("i", [rule(undefined, "a", { name: "http" })], [{ ip: "10.1.2.3" }])), false, "no host, private address");
  assert.equal(exposed(ingress("i", [rule(undefined, "a", { name: "http" })], [{ ip: "203.0.113.5" }])), true, "no host, public address");
  assert.equal(exposed(ingress("i", [rule("a.example.com", "a", { number: 81 })])), false, "backend port the service does not have");
  assert.equal(exposed(ingress("i", [rule("a.example.com", "other", { number: 80 })])), false, "backend is another service");
  const def = ingress("i", [], [{ hostname: "lb.example.net" }], { defaultBackend: { service: { name: "a", port: { number: 80 } } } });
  const w = snap({ pods, services, ingresses: [def] }).workloads[0];
  assert.equal(w?.internetExposed, true, "default backend behind a public address");
  assert.equal(w?.exposures[0]?.route, "http://lb.example.net/ → ingress ns/i → service ns/a:80 → Pod ns/a");
});

test("exposure: load balancers, node ports, ClusterIP, selectors", () => {
  const pods = [pod("a", { app: "a", tier: "fe" })];
  const one = (svc: unknown, nodePortExposed = false) => snap({ pods, services: [svc] }, nodePortExposed).workloads[0];
  assert.equal(one(service("s", "LoadBalancer", { app: "a" }, [{ ip: "198.51.100.1" }]))?.internetExposed, true);
  assert.equal(one(service("s", "LoadBalancer", { app: "a" }, [{ hostname: "abc.elb.amazonaws.com" }]))?.internetExposed, true);
  const pending = one(service("s", "LoadBalancer", { app: "a" }));
  assert.equal(pending?.internetExposed, false);
  assert.match(pending?.exposures[0]?.route ?? "", /^<pending>:80\/TCP/);
  assert.equal(one(service("s", "LoadBalancer", { app: "a" }, [{ ip: "192.168.1.10" }]))?.internetExposed, false, "private LB IP");
  assert.equal(
    one(service("s", "LoadBalancer", { app: "a" }, [{ ip: "198.51.100.1" }], { "networking.gke.io/load-balancer-type": "Internal" }))?.internetExposed,
    false,
    "annotated internal",
  );
  assert.equal(one(service("s", "NodePort", { app: "a" }))?.internetExposed, false);
  assert.equal(one(service("s", "NodePort", { app: "a" }), true)?.internetExposed, true);
  assert.deepEqual(one(service("s", "ClusterIP", { app: "a" }))?.exposures, []);
  assert.deepEqual(one(service("s", "LoadBalancer", { app: "a", tier: "be" }, [{ ip: "198.51.100.1" }]))?.exposures, [], "selector not a subset of the pod labels");
  assert.deepEqual(one(service("s", "LoadBalancer", {}, [{ ip: "198.51.100.1" }]))?.exposures, [], "empty selector selects nothing");
});

test("exposure: address and host classification", () => {
  for (const a of ["198.51.100.7", "8.8.8.8", "2001:db8::1", "a.example.com"]) assert.equal(isPublicAddress(a), true, a);
  for (const a of ["10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.0.1", "100.64.0.1", "127.0.0.1", "169.254.1.1", "::1", "fd00::1", "fe80::1", "host.internal"]) {
    assert.equal(isPublicAddress(a), false, a);
  }
  assert.equal(isPublicAddress("172.32.0.1"), true);
  assert.equal(isPublicHost("*"), false);
  assert.equal(isPublicHost("Shop.Example.COM."), true);
  assert.equal(isInternalLoadBalancer({ "service.beta.kubernetes.io/aws-load-balancer-internal": "false" }), false);
  assert.equal(isInternalLoadBalancer({ "service.beta.kubernetes.io/azure-load-balancer-internal": "true" }), true);
});

test("diff: equal snapshots give an empty diff whatever the label order; removals carry identity", () => {
  const a = snap({ pods: [pod("p", { x: "1", y: "2" }), pod("q", {})] });
  const b = snap({ pods: [pod("p", { y: "2", x: "1" })] });
  const d = diffSnapshots(a, b);
  assert.deepEqual(d.removed, [{ id: "ns/Pod/q", namespace: "ns", kind: "Pod", name: "q" }]);
  assert.deepEqual([d.added, d.modified], [[], []]);
  assert.equal(isEmptyDiff(diffSnapshots(b, snap({ pods: [pod("p", { x: "1", y: "2" })] }))), true);
  assert.deepEqual(diffSnapshots(undefined, b).added.map((w) => w.id), ["ns/Pod/p"]);
});
