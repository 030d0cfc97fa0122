// Pure: the connector's object state → a ClusterSnapshot (workloads with their images and exposure),
// and two snapshots → a ClusterDiff. No I/O, no clock (collectedAt is passed in).
import type {
  ClusterDiff,
  ClusterResourceKind,
  ClusterSnapshot,
  IngressInfo,
  NamespaceInfo,
  ResolvedImage,
  ServiceInfo,
  Workload,
  WorkloadContainer,
} from "../../model/cluster.js";
import { exposuresFor, type ExposureOptions } from "./kubernetes-exposure.js";
import { parseImageId } from "./kubernetes-image.js";
import {
  controllerKindOf,
  type ContainerRec,
  type ControllerRec,
  type IngressRec,
  type KubeRec,
  type NamespaceRec,
  type ObjectMeta,
  type OwnerRef,
  type PodRec,
  type ServiceRec,
} from "./kubernetes-objects.js";

/** Objects by kind, keyed `namespace/name` (cluster-scoped: `name`). */
export type ClusterObjects = Record<ClusterResourceKind, ReadonlyMap<string, KubeRec>>;

export interface SnapshotInput {
  readonly cluster: string;
  readonly collectedAt: string;
  readonly objects: ClusterObjects;
  readonly resourceVersions: Readonly<Partial<Record<ClusterResourceKind, string>>>;
  readonly warnings: readonly string[];
  readonly exposure: ExposureOptions;
}

interface Builder {
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
  uid?: string;
  labels?: Readonly<Record<string, string>>;
  template: readonly ContainerRec[];
  readonly pods: PodRec[];
}

function values<T extends KubeRec["kind"]>(objects: ClusterObjects, kind: T): Extract<KubeRec, { kind: T }>[] {
  const out: Extract<KubeRec, { kind: T }>[] = [];
  for (const r of objects[kind].values()) if (r.kind === kind) out.push(r as Extract<KubeRec, { kind: T }>);
  return out;
}

export function workloadId(namespace: string, kind: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

function controllerRec(objects: ClusterObjects, kind: "replicasets" | "jobs", namespace: string, name: string): ControllerRec | undefined {
  const r = objects[kind].get(`${namespace}/${name}`);
  return r !== undefined && r.kind === kind ? r : undefined;
}

/**
 * The workload that owns a pod: follow the controller ownerReference one hop further through a
 * ReplicaSet (→ Deployment) or a Job (→ CronJob). A pod without a controller (or a static pod, whose
 * controller is its Node) is its own workload.
 * When the ReplicaSet is not (yet) known, a `pod-template-hash` suffix names the Deployment.
 */
export function resolveOwner(objects: ClusterObjects, pod: PodRec): OwnerRef {
  const c = pod.meta.controller;
  // Static (mirror) pods are "controlled" by their Node: each is its own workload.
  if (c === undefined || c.kind === "Node") return { kind: "Pod", name: pod.meta.name, ...(pod.meta.uid === undefined ? {} : { uid: pod.meta.uid }) };
  const ns = pod.meta.namespace;
  if (c.kind === "ReplicaSet" || c.kind === "Job") {
    const parent = controllerRec(objects, c.kind === "ReplicaSet" ? "replicasets" : "jobs", ns, c.name);
    if (parent !== undefined) return parent.meta.controller ?? c;
    const hash = pod.meta.labels["pod-template-hash"];
    if (c.kind === "ReplicaSet" && hash !== undefined && hash !== "" && c.name.endsWith(`-${hash}`)) {
      return { kind: "Deployment", name: c.name.slice(0, -(hash.length + 1)) };
    }
  }
  return c;
}

function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k] as string;
  return out;
}

function containersOf(b: Builder): WorkloadContainer[] {
  const byKey = new Map<string, { c: ContainerRec; resolved: Map<string, ResolvedImage> }>();
  const add = (c: ContainerRec, imageID: string | undefined): void => {
    const key = `${c.init ? 0 : 1}\u0000${c.name}\u0000${c.image}`;
    let e = byKey.get(key);
    if (e === undefined) byKey.set(key, (e = { c, resolved: new Map() }));
    const r = imageID === undefined ? undefined : parseImageId(imageID);
    if (r !== undefined) e.resolved.set(`${r.digest}\u0000${r.repository ?? ""}`, r);
  };
  if (b.pods.length === 0) for (const c of b.template) add(c, undefined);
  for (const p of b.pods) for (const c of p.containers) add(c, p.imageIds.get(`${c.init ? "init" : "main"}:${c.name}`));
  return [...byKey.entries()]
    .sort(([a], [z]) => (a < z ? -1 : a > z ? 1 : 0))
    .map(([, { c, resolved }]) => ({
      name: c.name,
      init: c.init,
      image: c.image,
      resolved: [...resolved.entries()].sort(([a], [z]) => (a < z ? -1 : a > z ? 1 : 0)).map(([, r]) => r),
    }));
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function topLevel(meta: ObjectMeta): boolean {
  return meta.controller === undefined;
}

export function buildSnapshot(input: SnapshotInput): ClusterSnapshot {
  const { objects } = input;
  const builders = new Map<string, Builder>();
  const builder = (namespace: string, kind: string, name: string): Builder => {
    const id = workloadId(namespace, kind, name);
    let b = builders.get(id);
    if (b === undefined) builders.set(id, (b = { namespace, kind, name, template: [], pods: [] }));
    return b;
  };

  // Controllers are workloads even with no pod running (scaled to zero, a CronJob between runs);
  // a ReplicaSet or Job is one only when nothing controls it.
  for (const kind of ["deployments", "statefulsets", "daemonsets", "cronjobs", "replicasets", "jobs"] as const) {
    for (const r of values(objects, kind)) {
      if ((kind === "replicasets" || kind === "jobs") && !topLevel(r.meta)) continue;
      const b = builder(r.meta.namespace, controllerKindOf[kind], r.meta.name);
      if (r.meta.uid !== undefined) b.uid = r.meta.uid;
      b.labels = r.meta.labels;
      b.template = r.template;
    }
  }
  for (const pod of values(objects, "pods")) {
    const owner = resolveOwner(objects, pod);
    const b = builder(pod.meta.namespace, owner.kind, owner.name);
    if (b.uid === undefined && owner.uid !== undefined) b.uid = owner.uid;
    if (b.labels === undefined && owner.kind === "Pod") b.labels = pod.meta.labels;
    b.pods.push(pod);
  }

  // Services select pods; a workload is selected when any of its pods matches.
  const services = values(objects, "services").sort(byMeta);
  // Index pods by namespace + label pair so a selector is checked only against pods having one of its labels.
  const byLabel = new Map<string, { pod: PodRec; workload: string }[]>();
  for (const b of builders.values()) {
    const id = workloadId(b.namespace, b.kind, b.name);
    for (const p of b.pods) {
      for (const [k, v] of Object.entries(p.meta.labels)) {
        const key = `${b.namespace}\u0000${k}\u0000${v}`;
        const list = byLabel.get(key);
        if (list === undefined) byLabel.set(key, [{ pod: p, workload: id }]);
        else list.push({ pod: p, workload: id });
      }
    }
  }
  const serviceWorkloads = new Map<string, string[]>();
  const selectingByWorkload = new Map<string, ServiceRec[]>();
  for (const s of services) {
    const ids = new Set<string>();
    const first = Object.entries(s.selector)[0];
    if (s.type !== "ExternalName" && first !== undefined) {
      for (const { pod, workload } of byLabel.get(`${s.meta.namespace}\u0000${first[0]}\u0000${first[1]}`) ?? []) {
        if (!ids.has(workload) && selects(s.selector, pod.meta.labels)) ids.add(workload);
      }
    }
    serviceWorkloads.set(`${s.meta.namespace}/${s.meta.name}`, [...ids].sort());
    for (const id of ids) {
      const list = selectingByWorkload.get(id);
      if (list === undefined) selectingByWorkload.set(id, [s]);
      else list.push(s);
    }
  }
  const ingresses = values(objects, "ingresses").sort(byMeta);
  const ingressesByNamespace = new Map<string, IngressRec[]>();
  for (const i of ingresses) {
    const list = ingressesByNamespace.get(i.meta.namespace);
    if (list === undefined) ingressesByNamespace.set(i.meta.namespace, [i]);
    else list.push(i);
  }

  const workloads: Workload[] = [...builders.values()]
    .map((b): Workload => {
      const id = workloadId(b.namespace, b.kind, b.name);
      const exposures = exposuresFor(b, selectingByWorkload.get(id) ?? [], ingressesByNamespace.get(b.namespace) ?? [], input.exposure);
      return {
        id,
        namespace: b.namespace,
        kind: b.kind,
        name: b.name,
        ...(b.uid === undefined ? {} : { uid: b.uid }),
        labels: sortedRecord(b.labels ?? {}),
        podCount: b.pods.length,
        containers: containersOf(b),
        internetExposed: exposures.some((e) => e.internet),
        exposures,
      };
    })
    .sort((a, z) => (a.id < z.id ? -1 : a.id > z.id ? 1 : 0));

  return {
    cluster: input.cluster,
    collectedAt: input.collectedAt,
    resourceVersions: { ...input.resourceVersions },
    namespaces: values(objects, "namespaces").sort(byMeta).map(namespaceInfo),
    workloads,
    services: services.map((s) => serviceInfo(s, serviceWorkloads)),
    ingresses: ingresses.map(ingressInfo),
    warnings: [...input.warnings],
  };
}

function byMeta(a: { meta: ObjectMeta }, z: { meta: ObjectMeta }): number {
  const ka = `${a.meta.namespace}/${a.meta.name}`;
  const kz = `${z.meta.namespace}/${z.meta.name}`;
  return ka < kz ? -1 : ka > kz ? 1 : 0;
}

function namespaceInfo(n: NamespaceRec): NamespaceInfo {
  return { name: n.meta.name, ...(n.meta.uid === undefined ? {} : { uid: n.meta.uid }), labels: sortedRecord(n.meta.labels) };
}

function serviceInfo(s: ServiceRec, serviceWorkloads: ReadonlyMap<string, string[]>): ServiceInfo {
  return {
    namespace: s.meta.namespace,
    name: s.meta.name,
    type: s.type,
    selector: sortedRecord(s.selector),
    ports: s.ports,
    loadBalancerAddresses: s.lbAddresses,
    workloads: serviceWorkloads.get(`${s.meta.namespace}/${s.meta.name}`) ?? [],
  };
}

function ingressInfo(i: IngressRec): IngressInfo {
  return {
    namespace: i.meta.namespace,
    name: i.meta.name,
    ...(i.className === undefined ? {} : { ingressClassName: i.className }),
    rules: i.paths.map((p) => ({
      host: p.host,
      path: p.path,
      ...(p.pathType === undefined ? {} : { pathType: p.pathType }),
      service: p.service,
      servicePort: p.servicePort,
      tls: i.tlsHosts.includes(p.host),
    })),
    tlsHosts: i.tlsHosts,
    addresses: i.addresses,
  };
}

/** JSON with object keys sorted, so equal workloads compare equal whatever the key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (typeof val !== "object" || val === null || Array.isArray(val)) return val;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(val).sort()) out[k] = (val as Record<string, unknown>)[k];
    return out;
  });
}

/** Workloads added, changed and gone between two snapshots of the same cluster. */
export function diffSnapshots(prev: ClusterSnapshot | undefined, next: ClusterSnapshot): ClusterDiff {
  const before = new Map((prev?.workloads ?? []).map((w) => [w.id, w]));
  const after = new Set(next.workloads.map((w) => w.id));
  const added: Workload[] = [];
  const modified: Workload[] = [];
  for (const w of next.workloads) {
    const old = before.get(w.id);
    if (old === undefined) added.push(w);
    else if (canonical(old) !== canonical(w)) modified.push(w);
  }
  const removed = [...before.values()]
    .filter((w) => !after.has(w.id))
    .map((w) => ({ id: w.id, namespace: w.namespace, kind: w.kind, name: w.name }));
  return { cluster: next.cluster, collectedAt: next.collectedAt, added, modified, removed };
}

export function isEmptyDiff(d: ClusterDiff): boolean {
  return d.added.length === 0 && d.modified.length === 0 && d.removed.length === 0;
}
