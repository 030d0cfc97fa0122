// Untrusted Kubernetes API objects (from a list or a watch event) → the few fields the inventory
// needs, validated. A malformed object yields a one-line problem instead of a record; nothing throws.
import type { ClusterResourceKind, ServicePort } from "../../model/cluster.js";

export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
}

export interface ObjectMeta {
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Kept for Services only (internal load balancer annotations); empty for other kinds. */
  readonly annotations: Readonly<Record<string, string>>;
  /** The ownerReference with `controller: true`, if any. */
  readonly controller?: OwnerRef;
}

export interface ContainerRec {
  readonly name: string;
  readonly image: string;
  readonly init: boolean;
}

export interface PodRec {
  readonly kind: "pods";
  readonly meta: ObjectMeta;
  readonly containers: readonly ContainerRec[];
  /** `init:name` or `main:name` → imageID. */
  readonly imageIds: ReadonlyMap<string, string>;
  readonly phase?: string;
}

export type ControllerResource = "replicasets" | "deployments" | "statefulsets" | "daemonsets" | "jobs" | "cronjobs";

export interface ControllerRec {
  readonly kind: ControllerResource;
  readonly meta: ObjectMeta;
  /** Containers of the pod template. */
  readonly template: readonly ContainerRec[];
}

export interface ServiceRec {
  readonly kind: "services";
  readonly meta: ObjectMeta;
  readonly type: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
  readonly lbAddresses: readonly string[];
}

export interface IngressPathRec {
  readonly host: string;
  readonly path: string;
  readonly pathType?: string;
  readonly service: string;
  readonly servicePort: string;
}

export interface IngressRec {
  readonly kind: "ingresses";
  readonly meta: ObjectMeta;
  readonly className?: string;
  readonly paths: readonly IngressPathRec[];
  readonly tlsHosts: readonly string[];
  readonly addresses: readonly string[];
}

export interface NamespaceRec {
  readonly kind: "namespaces";
  readonly meta: ObjectMeta;
}

export type KubeRec = PodRec | ControllerRec | ServiceRec | IngressRec | NamespaceRec;

export const controllerKindOf: Readonly<Record<ControllerResource, string>> = {
  replicasets: "ReplicaSet",
  deployments: "Deployment",
  statefulsets: "StatefulSet",
  daemonsets: "DaemonSet",
  jobs: "Job",
  cronjobs: "CronJob",
};

export interface NormalizeLimits {
  /** Most containers (init + main) read from one pod or template. */
  readonly maxContainersPerPod: number;
  /** Most labels/annotations/selector entries, ports, ingress paths read from one object. */
  readonly maxEntriesPerObject: number;
}

export type Normalized<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const maxNameLength = 253;
const maxStringLength = 4096;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown, max = maxStringLength): string | undefined {
  return typeof v === "string" && v.length > 0 && v.length <= max ? v : undefined;
}

function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

function stringMap(v: unknown, limits: NormalizeLimits): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  let n = 0;
  for (const [k, val] of Object.entries(v)) {
    if (n >= limits.maxEntriesPerObject) break;
    if (typeof val === "string" && k.length <= 317 && val.length <= maxStringLength) {
      out[k] = val;
      n++;
    }
  }
  return out;
}

/** `metadata` of any object; undefined when name is missing or not a string. */
export function normalizeMeta(obj: unknown, namespaced: boolean, limits: NormalizeLimits, keepAnnotations = false): ObjectMeta | undefined {
  if (!isRecord(obj) || !isRecord(obj.metadata)) return undefined;
  const m = obj.metadata;
  const name = str(m.name, maxNameLength);
  const namespace = namespaced ? str(m.namespace, maxNameLength) : "";
  if (name === undefined || namespace === undefined) return undefined;
  let controller: OwnerRef | undefined;
  for (const o of arr(m.ownerReferences).slice(0, limits.maxEntriesPerObject)) {
    if (!isRecord(o) || o.controller !== true) continue;
    const kind = str(o.kind, maxNameLength);
    const oname = str(o.name, maxNameLength);
    if (kind !== undefined && oname !== undefined) {
      const uid = str(o.uid, maxNameLength);
      controller = uid === undefined ? { kind, name: oname } : { kind, name: oname, uid };
      break;
    }
  }
  const uid = str(m.uid, maxNameLength);
  const resourceVersion = str(m.resourceVersion, maxNameLength);
  return {
    namespace,
    name,
    ...(uid === undefined ? {} : { uid }),
    ...(resourceVersion === undefined ? {} : { resourceVersion }),
    labels: stringMap(m.labels, limits),
    annotations: keepAnnotations ? stringMap(m.annotations, limits) : {},
    ...(controller === undefined ? {} : { controller }),
  };
}

function containersOf(podSpec: unknown, limits: NormalizeLimits): ContainerRec[] | string {
  const spec = rec(podSpec);
  const out: ContainerRec[] = [];
  for (const [field, init] of [["initContainers", true], ["containers", false]] as const) {
    for (const c of arr(spec[field])) {
      if (out.length >= limits.maxContainersPerPod) return `more than ${limits.maxContainersPerPod} containers (limit maxContainersPerPod)`;
      const name = str(rec(c).name, maxNameLength);
      const image = str(rec(c).image);
      if (name === undefined || image === undefined) return `a container in spec.${field} has no name or image`;
      out.push({ name, image, init });
    }
  }
  return out;
}

function describe(kind: ClusterResourceKind, obj: unknown): string {
  const m = isRecord(obj) ? rec(obj.metadata) : {};
  const ns = typeof m.namespace === "string" ? m.namespace.slice(0, 64) + "/" : "";
  const name = typeof m.name === "string" ? m.name.slice(0, 64) : "<no name>";
  return `${kind} ${ns}${name}`;
}

function bad<T>(kind: ClusterResourceKind, obj: unknown, why: string): Normalized<T> {
  return { ok: false, problem: `skipped malformed ${describe(kind, obj)}: ${why}` };
}

export function normalizePod(obj: unknown, limits: NormalizeLimits): Normalized<PodRec> {
  const meta = normalizeMeta(obj, true, limits);
  if (meta === undefined) return bad("pods", obj, "metadata.name/namespace missing");
  const o = rec(obj);
  const containers = containersOf(o.spec, limits);
  if (typeof containers === "string") return bad("pods", obj, containers);
  if (containers.length === 0) return bad("pods", obj, "no containers");
  const status = rec(o.status);
  const imageIds = new Map<string, string>();
  for (const [field, init] of [["initContainerStatuses", true], ["containerStatuses", false]] as const) {
    for (const s of arr(status[field]).slice(0, limits.maxContainersPerPod)) {
      const name = str(rec(s).name, maxNameLength);
      const imageID = str(rec(s).imageID, 1024);
      if (name !== undefined && imageID !== undefined) imageIds.set(`${init ? "init" : "main"}:${name}`, imageID);
    }
  }
  const phase = str(status.phase, 64);
  return { ok: true, value: { kind: "pods", meta, containers, imageIds, ...(phase === undefined ? {} : { phase }) } };
}

export function normalizeController(kind: ControllerResource, obj: unknown, limits: NormalizeLimits): Normalized<ControllerRec> {
  const meta = normalizeMeta(obj, true, limits);
  if (meta === undefined) return bad(kind, obj, "metadata.name/namespace missing");
  const spec = rec(rec(obj).spec);
  const podSpec = kind === "cronjobs" ? rec(rec(rec(rec(spec.jobTemplate).spec).template).spec) : rec(rec(spec.template).spec);
  const template = containersOf(podSpec, limits);
  if (typeof template === "string") return bad(kind, obj, template);
  return { ok: true, value: { kind, meta, template } };
}

function lbAddresses(status: unknown, limits: NormalizeLimits): string[] {
  const out: string[] = [];
  for (const i of arr(rec(rec(status).loadBalancer).ingress).slice(0, limits.maxEntriesPerObject)) {
    const a = str(rec(i).ip, 64) ?? str(rec(i).hostname, maxNameLength);
    if (a !== undefined) out.push(a);
  }
  return out;
}

function portNumber(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 && v < 65536 ? v : undefined;
}

export function normalizeService(obj: unknown, limits: NormalizeLimits): Normalized<ServiceRec> {
  const meta = normalizeMeta(obj, true, limits, true);
  if (meta === undefined) return bad("services", obj, "metadata.name/namespace missing");
  const spec = rec(rec(obj).spec);
  const ports: ServicePort[] = [];
  for (const p of arr(spec.ports).slice(0, limits.maxEntriesPerObject)) {
    const port = portNumber(rec(p).port);
    if (port === undefined) return bad("services", obj, "a port has no valid port number");
    const name = str(rec(p).name, 63);
    const tp = rec(p).targetPort;
    const targetPort = typeof tp === "number" ? String(tp) : str(tp, 63);
    const nodePort = portNumber(rec(p).nodePort);
    ports.push({
      ...(name === undefined ? {} : { name }),
      protocol: str(rec(p).protocol, 16) ?? "TCP",
      port,
      ...(targetPort === undefined ? {} : { targetPort }),
      ...(nodePort === undefined ? {} : { nodePort }),
    });
  }
  return {
    ok: true,
    value: {
      kind: "services",
      meta,
      type: str(spec.type, 32) ?? "ClusterIP",
      selector: stringMap(spec.selector, limits),
      ports,
      lbAddresses: lbAddresses(rec(obj).status, limits),
    },
  };
}

function backendOf(b: unknown): { service: string; servicePort: string } | undefined {
  const svc = rec(rec(b).service);
  const service = str(svc.name, maxNameLength);
  if (service === undefined) return undefined;
  const port = rec(svc.port);
  const servicePort = portNumber(port.number)?.toString() ?? str(port.name, 63) ?? "";
  return { service, servicePort };
}

export function normalizeIngress(obj: unknown, limits: NormalizeLimits): Normalized<IngressRec> {
  const meta = normalizeMeta(obj, true, limits);
  if (meta === undefined) return bad("ingresses", obj, "metadata.name/namespace missing");
  const spec = rec(rec(obj).spec);
  const paths: IngressPathRec[] = [];
  const def = spec.defaultBackend === undefined ? undefined : backendOf(spec.defaultBackend);
  if (def !== undefined) paths.push({ host: "*", path: "/", ...def });
  for (const r of arr(spec.rules).slice(0, limits.maxEntriesPerObject)) {
    const host = str(rec(r).host, maxNameLength) ?? "*";
    for (const p of arr(rec(rec(r).http).paths).slice(0, limits.maxEntriesPerObject)) {
      const backend = backendOf(rec(p).backend);
      if (backend === undefined) continue; // resource backends (not a Service) are not followed
      const pathType = str(rec(p).pathType, 32);
      paths.push({ host, path: str(rec(p).path) ?? "/", ...(pathType === undefined ? {} : { pathType }), ...backend });
      if (paths.length >= limits.maxEntriesPerObject) break;
    }
  }
  const tlsHosts: string[] = [];
  for (const t of arr(spec.tls).slice(0, limits.maxEntriesPerObject)) {
    for (const h of arr(rec(t).hosts).slice(0, limits.maxEntriesPerObject)) {
      const host = str(h, maxNameLength);
      if (host !== undefined) tlsHosts.push(host);
    }
  }
  const className = str(spec.ingressClassName, maxNameLength);
  return {
    ok: true,
    value: {
      kind: "ingresses",
      meta,
      ...(className === undefined ? {} : { className }),
      paths,
      tlsHosts,
      addresses: lbAddresses(rec(obj).status, limits),
    },
  };
}

export function normalizeNamespace(obj: unknown, limits: NormalizeLimits): Normalized<NamespaceRec> {
  const meta = normalizeMeta(obj, false, limits);
  if (meta === undefined) return bad("namespaces", obj, "metadata.name missing");
  return { ok: true, value: { kind: "namespaces", meta } };
}

export function normalize(kind: ClusterResourceKind, obj: unknown, limits: NormalizeLimits): Normalized<KubeRec> {
  switch (kind) {
    case "pods":
      return normalizePod(obj, limits);
    case "services":
      return normalizeService(obj, limits);
    case "ingresses":
      return normalizeIngress(obj, limits);
    case "namespaces":
      return normalizeNamespace(obj, limits);
    default:
      return normalizeController(kind, obj, limits);
  }
}

/** The key an object is stored under in the connector's state. */
export function objectKey(meta: ObjectMeta): string {
  return meta.namespace === "" ? meta.name : `${meta.namespace}/${meta.name}`;
}
