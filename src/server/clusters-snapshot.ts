// A ClusterSnapshot posted to the API (`POST /api/v1/clusters/{name}/snapshot`, sent by
// `berth cluster snapshot` from a CI job or an agent) is untrusted JSON: validated here field by
// field, with a bound on every count and string, before it gets the model type. Image digests are
// not taken on trust: each resolved image is re-derived from its `imageID` by the connector's own
// parser and must agree with what the body claims.
import type {
  ClusterResourceKind,
  ClusterSnapshot,
  Exposure,
  IngressInfo,
  IngressRuleInfo,
  NamespaceInfo,
  ResolvedImage,
  ServiceInfo,
  ServicePort,
  Workload,
  WorkloadContainer,
} from "../model/cluster.js";
import { BerthError } from "../util/errors.js";
import { defaultKubernetesLimits, resourceKinds } from "./ingest/kubernetes.js";
import { parseImageId } from "./ingest/kubernetes-image.js";
import { workloadId } from "./ingest/kubernetes-snapshot.js";

export interface SnapshotBounds {
  readonly maxWorkloads: number;
  readonly maxNamespaces: number;
  readonly maxServices: number;
  readonly maxIngresses: number;
  readonly maxContainers: number;
  readonly maxResolvedPerContainer: number;
  /** Labels, selectors, ports, exposures, rules, addresses of one object. */
  readonly maxEntries: number;
  readonly maxWarnings: number;
}

export const defaultSnapshotBounds: SnapshotBounds = {
  maxWorkloads: 100_000,
  maxNamespaces: 10_000,
  maxServices: 100_000,
  maxIngresses: 100_000,
  maxContainers: defaultKubernetesLimits.maxContainersPerPod,
  maxResolvedPerContainer: 64,
  maxEntries: defaultKubernetesLimits.maxEntriesPerObject,
  maxWarnings: 1_000,
};

const NAME = { max: 253, re: /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/ };
const NAMESPACE = { max: 63, re: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/ };
const KIND = { max: 63, re: /^[A-Za-z][A-Za-z0-9]*$/ };
const REF = { max: 317 }; // namespace/name
const TEXT = { max: 1024 };
const ROUTE = { max: 4096 };
const MAX_PROBLEMS = 20;

type Obj = Record<string, unknown>;

/** Collects problems with their JSON path; a count over its bound stops at once (limit error). */
class Reader {
  readonly problems: string[] = [];

  fail(path: string, msg: string): undefined {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(`${path}: ${msg}`);
    return undefined;
  }

  obj(v: unknown, path: string): Obj | undefined {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Obj;
    return this.fail(path, "must be an object");
  }

  str(v: unknown, path: string, opts: { max: number; re?: RegExp; optional?: boolean; empty?: boolean }): string | undefined {
    if (v === undefined && opts.optional === true) return undefined;
    if (typeof v !== "string") return this.fail(path, "must be a string");
    if (v.length > opts.max) return this.fail(path, `longer than ${opts.max} characters`);
    if (v === "" && opts.empty !== true) return this.fail(path, "must not be empty");
    if (opts.re && v !== "" && !opts.re.test(v)) return this.fail(path, `invalid value ${JSON.stringify(v.slice(0, 80))}`);
    return v;
  }

  bool(v: unknown, path: string): boolean | undefined {
    return typeof v === "boolean" ? v : this.fail(path, "must be true or false");
  }

  int(v: unknown, path: string, min: number, max: number, optional = false): number | undefined {
    if (v === undefined && optional) return undefined;
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max) return v;
    return this.fail(path, `must be a whole number from ${min} to ${max}`);
  }

  list<T>(v: unknown, path: string, max: number, limitName: string, each: (x: unknown, path: string) => T | undefined): T[] {
    if (!Array.isArray(v)) return this.fail(path, "must be an array") ?? [];
    if (v.length > max) throw new BerthError("limit", `invalid cluster snapshot: ${path}: more than ${max} items (limit ${limitName})`);
    const out: T[] = [];
    v.forEach((x: unknown, i) => {
      const r = each(x, `${path}[${i}]`);
      if (r !== undefined) out.push(r);
    });
    return out;
  }

  strings(v: unknown, path: string, max: number, opts: { max: number; re?: RegExp }, limitName = "maxEntries"): string[] {
    return this.list(v, path, max, limitName, (x, p) => this.str(x, p, opts));
  }

  map(v: unknown, path: string, max: number): Record<string, string> {
    const o = this.obj(v, path);
    if (o === undefined) return {};
    const entries = Object.entries(o);
    if (entries.length > max) throw new BerthError("limit", `invalid cluster snapshot: ${path}: more than ${max} entries (limit maxEntries)`);
    const out: Record<string, string> = {};
    for (const [k, val] of entries) {
      if (k.length === 0 || k.length > 317) this.fail(`${path}`, `key ${JSON.stringify(k.slice(0, 80))} is empty or longer than 317 characters`);
      else {
        const s = this.str(val, `${path}.${k}`, { max: TEXT.max, empty: true });
        if (s !== undefined) out[k] = s;
      }
    }
    return out;
  }
}

function parsePort(r: Reader, v: unknown, path: string): ServicePort | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const name = r.str(o.name, `${path}.name`, { max: 63, optional: true });
  const protocol = r.str(o.protocol, `${path}.protocol`, { max: 16, re: /^[A-Z]+$/ });
  const port = r.int(o.port, `${path}.port`, 0, 65535);
  const targetPort = r.str(o.targetPort, `${path}.targetPort`, { max: 63, optional: true });
  const nodePort = r.int(o.nodePort, `${path}.nodePort`, 0, 65535, true);
  if (protocol === undefined || port === undefined) return undefined;
  return { ...(name !== undefined ? { name } : {}), protocol, port, ...(targetPort !== undefined ? { targetPort } : {}), ...(nodePort !== undefined ? { nodePort } : {}) };
}

function parseResolved(r: Reader, v: unknown, path: string): ResolvedImage | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const imageID = r.str(o.imageID, `${path}.imageID`, { max: 1024 });
  if (imageID === undefined) return undefined;
  const parsed = parseImageId(imageID);
  if (parsed === undefined) return r.fail(`${path}.imageID`, `not an image ID a kubelet reports: ${JSON.stringify(imageID.slice(0, 80))}`);
  if (o.digest !== parsed.digest) r.fail(`${path}.digest`, `disagrees with imageID (${parsed.digest})`);
  if (o.kind !== parsed.kind) r.fail(`${path}.kind`, `disagrees with imageID (${parsed.kind})`);
  if ((o.repository ?? undefined) !== parsed.repository) r.fail(`${path}.repository`, `disagrees with imageID (${parsed.repository ?? "none"})`);
  return parsed;
}

function parseContainer(r: Reader, b: SnapshotBounds, v: unknown, path: string): WorkloadContainer | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const name = r.str(o.name, `${path}.name`, NAME);
  const init = r.bool(o.init, `${path}.init`);
  const image = r.str(o.image, `${path}.image`, TEXT);
  const resolved = r.list(o.resolved, `${path}.resolved`, b.maxResolvedPerContainer, "maxResolvedPerContainer", (x, p) => parseResolved(r, x, p));
  if (name === undefined || init === undefined || image === undefined) return undefined;
  return { name, init, image, resolved };
}

function parseExposure(r: Reader, b: SnapshotBounds, v: unknown, path: string): Exposure | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const internet = r.bool(o.internet, `${path}.internet`);
  const service = r.str(o.service, `${path}.service`, REF);
  const route = r.str(o.route, `${path}.route`, ROUTE);
  const ports = (): ServicePort[] => r.list(o.ports, `${path}.ports`, b.maxEntries, "maxEntries", (x, p) => parsePort(r, x, p));
  const addresses = (): string[] => r.strings(o.addresses, `${path}.addresses`, b.maxEntries, { max: 253 });
  if (o.via === "ingress") {
    const ingress = r.str(o.ingress, `${path}.ingress`, REF);
    const host = r.str(o.host, `${path}.host`, { max: 253 });
    const pathValue = r.str(o.path, `${path}.path`, { max: TEXT.max, empty: true });
    const tls = r.bool(o.tls, `${path}.tls`);
    const servicePort = r.str(o.servicePort, `${path}.servicePort`, { max: 63 });
    const addrs = addresses();
    if (internet === undefined || service === undefined || route === undefined || ingress === undefined || host === undefined || pathValue === undefined || tls === undefined || servicePort === undefined) return undefined;
    return { via: "ingress", internet, service, route, ingress, host, path: pathValue, tls, servicePort, addresses: addrs };
  }
  if (o.via === "loadBalancer") {
    const internal = r.bool(o.internal, `${path}.internal`);
    const addrs = addresses();
    const ps = ports();
    if (internet === undefined || service === undefined || route === undefined || internal === undefined) return undefined;
    return { via: "loadBalancer", internet, service, route, addresses: addrs, ports: ps, internal };
  }
  if (o.via === "nodePort") {
    const ps = ports();
    if (internet === undefined || service === undefined || route === undefined) return undefined;
    return { via: "nodePort", internet, service, route, ports: ps };
  }
  return r.fail(`${path}.via`, "expected ingress, loadBalancer or nodePort");
}

function parseWorkload(r: Reader, b: SnapshotBounds, v: unknown, path: string): Workload | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const namespace = r.str(o.namespace, `${path}.namespace`, NAMESPACE);
  const kind = r.str(o.kind, `${path}.kind`, KIND);
  const name = r.str(o.name, `${path}.name`, NAME);
  const uid = r.str(o.uid, `${path}.uid`, { max: 128, optional: true });
  const labels = r.map(o.labels, `${path}.labels`, b.maxEntries);
  const podCount = r.int(o.podCount, `${path}.podCount`, 0, 1_000_000);
  const containers = r.list(o.containers, `${path}.containers`, b.maxContainers, "maxContainers", (x, p) => parseContainer(r, b, x, p));
  const internetExposed = r.bool(o.internetExposed, `${path}.internetExposed`);
  const exposures = r.list(o.exposures, `${path}.exposures`, b.maxEntries, "maxEntries", (x, p) => parseExposure(r, b, x, p));
  if (namespace === undefined || kind === undefined || name === undefined || podCount === undefined || internetExposed === undefined) return undefined;
  const id = workloadId(namespace, kind, name);
  if (o.id !== id) r.fail(`${path}.id`, `must be ${JSON.stringify(id)} (namespace/kind/name)`);
  if (internetExposed !== exposures.some((e) => e.internet)) r.fail(`${path}.internetExposed`, "disagrees with its exposures");
  return { id, namespace, kind, name, ...(uid !== undefined ? { uid } : {}), labels, podCount, containers, internetExposed, exposures };
}

function parseNamespace(r: Reader, b: SnapshotBounds, v: unknown, path: string): NamespaceInfo | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const name = r.str(o.name, `${path}.name`, NAMESPACE);
  const uid = r.str(o.uid, `${path}.uid`, { max: 128, optional: true });
  const labels = r.map(o.labels, `${path}.labels`, b.maxEntries);
  return name === undefined ? undefined : { name, ...(uid !== undefined ? { uid } : {}), labels };
}

function parseService(r: Reader, b: SnapshotBounds, v: unknown, path: string): ServiceInfo | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const namespace = r.str(o.namespace, `${path}.namespace`, NAMESPACE);
  const name = r.str(o.name, `${path}.name`, NAME);
  const type = r.str(o.type, `${path}.type`, { max: 32, re: /^[A-Za-z]+$/ });
  const selector = r.map(o.selector, `${path}.selector`, b.maxEntries);
  const ports = r.list(o.ports, `${path}.ports`, b.maxEntries, "maxEntries", (x, p) => parsePort(r, x, p));
  const loadBalancerAddresses = r.strings(o.loadBalancerAddresses, `${path}.loadBalancerAddresses`, b.maxEntries, { max: 253 });
  const workloads = r.strings(o.workloads, `${path}.workloads`, b.maxEntries, { max: 63 + 1 + 63 + 1 + 253 });
  if (namespace === undefined || name === undefined || type === undefined) return undefined;
  return { namespace, name, type, selector, ports, loadBalancerAddresses, workloads };
}

function parseRule(r: Reader, v: unknown, path: string): IngressRuleInfo | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const host = r.str(o.host, `${path}.host`, { max: 253 });
  const p = r.str(o.path, `${path}.path`, { max: TEXT.max, empty: true });
  const pathType = r.str(o.pathType, `${path}.pathType`, { max: 32, optional: true });
  const service = r.str(o.service, `${path}.service`, NAME);
  const servicePort = r.str(o.servicePort, `${path}.servicePort`, { max: 63 });
  const tls = r.bool(o.tls, `${path}.tls`);
  if (host === undefined || p === undefined || service === undefined || servicePort === undefined || tls === undefined) return undefined;
  return { host, path: p, ...(pathType !== undefined ? { pathType } : {}), service, servicePort, tls };
}

function parseIngress(r: Reader, b: SnapshotBounds, v: unknown, path: string): IngressInfo | undefined {
  const o = r.obj(v, path);
  if (o === undefined) return undefined;
  const namespace = r.str(o.namespace, `${path}.namespace`, NAMESPACE);
  const name = r.str(o.name, `${path}.name`, NAME);
  const ingressClassName = r.str(o.ingressClassName, `${path}.ingressClassName`, { max: 253, optional: true });
  const rules = r.list(o.rules, `${path}.rules`, b.maxEntries, "maxEntries", (x, p) => parseRule(r, x, p));
  const tlsHosts = r.strings(o.tlsHosts, `${path}.tlsHosts`, b.maxEntries, { max: 253 });
  const addresses = r.strings(o.addresses, `${path}.addresses`, b.maxEntries, { max: 253 });
  if (namespace === undefined || name === undefined) return undefined;
  return { namespace, name, ...(ingressClassName !== undefined ? { ingressClassName } : {}), rules, tlsHosts, addresses };
}

/**
 * Validates a posted snapshot for the cluster named in the URL. Throws BerthError "input" naming
 * up to 20 problems by JSON path, or "limit" for a count over its bound.
 */
export function parseClusterSnapshot(v: unknown, cluster: string, bounds: SnapshotBounds = defaultSnapshotBounds): ClusterSnapshot {
  const r = new Reader();
  const o = r.obj(v, "snapshot");
  if (o === undefined) throw new BerthError("input", "invalid cluster snapshot: the body must be a JSON object (as `berth cluster snapshot` prints)");
  if (o.cluster !== cluster) r.fail("cluster", `must be ${JSON.stringify(cluster)}, the name in the URL`);
  const collectedAt = r.str(o.collectedAt, "collectedAt", { max: 64, re: /^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})$/ });
  if (collectedAt !== undefined && Number.isNaN(Date.parse(collectedAt))) r.fail("collectedAt", "not a date");
  const resourceVersions: Partial<Record<ClusterResourceKind, string>> = {};
  const rv = r.obj(o.resourceVersions ?? {}, "resourceVersions") ?? {};
  for (const [k, val] of Object.entries(rv)) {
    if (!(resourceKinds as readonly string[]).includes(k)) r.fail(`resourceVersions.${k.slice(0, 40)}`, "unknown resource kind");
    else {
      const s = r.str(val, `resourceVersions.${k}`, { max: 253 });
      if (s !== undefined) resourceVersions[k as ClusterResourceKind] = s;
    }
  }
  const namespaces = r.list(o.namespaces, "namespaces", bounds.maxNamespaces, "maxNamespaces", (x, p) => parseNamespace(r, bounds, x, p));
  const workloads = r.list(o.workloads, "workloads", bounds.maxWorkloads, "maxWorkloads", (x, p) => parseWorkload(r, bounds, x, p));
  const services = r.list(o.services, "services", bounds.maxServices, "maxServices", (x, p) => parseService(r, bounds, x, p));
  const ingresses = r.list(o.ingresses, "ingresses", bounds.maxIngresses, "maxIngresses", (x, p) => parseIngress(r, bounds, x, p));
  const warnings = r.strings(o.warnings ?? [], "warnings", bounds.maxWarnings, { max: ROUTE.max }, "maxWarnings");
  if (r.problems.length > 0 || collectedAt === undefined) throw new BerthError("input", `invalid cluster snapshot: ${r.problems.join("; ")}`);
  return { cluster, collectedAt, resourceVersions, namespaces, workloads: [...workloads].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)), services, ingresses, warnings };
}
