// Internet exposure of a workload, derived from the Services selecting its pods and the Ingresses
// routing to those Services. THE RULE (pure, documented in testdata/k8s/README.md too):
//   - LoadBalancer Service: internet-exposed when `status.loadBalancer.ingress` has an address that is
//     a hostname or a public IP (not RFC 1918 / CGNAT / loopback / link-local / ULA), and the Service
//     is not annotated as an internal load balancer (AWS, GCP, Azure, OCI annotations). A pending LB
//     (no address yet) or a private address is recorded as a route with internet=false.
//   - Ingress rule → Service → workload: internet-exposed when the rule has a host that is a public DNS
//     name (not `*.local`, `*.internal`, `*.svc`, `*.cluster.local`, `localhost`), or when the Ingress's
//     status carries a public address (this covers host-less rules and the default backend).
//   - NodePort Service: recorded, internet-exposed only when the connector is configured with
//     `nodePortExposed: true` (nodes are usually on private networks; opt in when they are not).
//   - ClusterIP, headless and ExternalName Services never expose anything.
import type { Exposure, ServicePort } from "../../model/cluster.js";
import type { IngressRec, ServiceRec } from "./kubernetes-objects.js";

export interface ExposureOptions {
  /** Count NodePort Services as internet-exposed. Default false. */
  readonly nodePortExposed: boolean;
}

const internalLbAnnotations: readonly (readonly [string, string | undefined])[] = [
  ["service.beta.kubernetes.io/aws-load-balancer-internal", undefined],
  ["service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"],
  ["networking.gke.io/load-balancer-type", "Internal"],
  ["cloud.google.com/load-balancer-type", "Internal"],
  ["service.beta.kubernetes.io/azure-load-balancer-internal", "true"],
  ["service.beta.kubernetes.io/oci-load-balancer-internal", "true"],
];

export function isInternalLoadBalancer(annotations: Readonly<Record<string, string>>): boolean {
  return internalLbAnnotations.some(([k, v]) => {
    const a = annotations[k];
    if (a === undefined) return false;
    return v === undefined ? a !== "false" && a !== "" : a.toLowerCase() === v.toLowerCase();
  });
}

function ipv4(s: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((n) => n <= 255) ? parts : undefined;
}

/** A hostname, or an IP that is routable on the internet. */
export function isPublicAddress(addr: string): boolean {
  const v4 = ipv4(addr);
  if (v4 !== undefined) {
    const [a = 0, b = 0] = v4;
    if (a === 10 || a === 127 || a === 0) return false;
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && b === 168) return false;
    if (a === 100 && b >= 64 && b <= 127) return false;
    if (a === 169 && b === 254) return false;
    return true;
  }
  if (addr.includes(":")) {
    const l = addr.toLowerCase();
    return !(l === "::1" || l === "::" || l.startsWith("fc") || l.startsWith("fd") || l.startsWith("fe80"));
  }
  return isPublicHost(addr);
}

/** A DNS name that is not cluster- or site-internal by convention. */
export function isPublicHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h === "" || h === "*" || h === "localhost") return false;
  return ![".local", ".internal", ".svc", ".cluster.local", ".localhost", ".lan", ".home.arpa"].some((s) => h.endsWith(s));
}

function portMatches(ports: readonly ServicePort[], want: string): boolean {
  if (want === "" || ports.length === 0) return true;
  return ports.some((p) => String(p.port) === want || p.name === want);
}

function portList(ports: readonly ServicePort[], field: "port" | "nodePort"): string {
  return ports.map((p) => `${p[field] ?? "?"}/${p.protocol}`).join(",");
}

/** Every route reaching one workload, sorted: ingress routes, then load balancers, then node ports. */
export function exposuresFor(
  workload: { readonly kind: string; readonly name: string; readonly namespace: string },
  /** The Services (of the workload's namespace) whose selector matches the workload's pods. */
  selecting: readonly ServiceRec[],
  /** The Ingresses of the workload's namespace. */
  ingresses: readonly IngressRec[],
  opts: ExposureOptions,
): Exposure[] {
  const { kind, name, namespace } = workload;
  const target = `${kind} ${namespace}/${name}`;
  const out: Exposure[] = [];
  for (const ing of ingresses) {
    if (ing.meta.namespace !== namespace) continue;
    const publicAddr = ing.addresses.some(isPublicAddress);
    for (const p of ing.paths) {
      const svc = selecting.find((s) => s.meta.name === p.service);
      if (svc === undefined || svc.type === "ExternalName" || !portMatches(svc.ports, p.servicePort)) continue;
      const tls = ing.tlsHosts.includes(p.host);
      const shownHost = p.host !== "*" ? p.host : (ing.addresses[0] ?? "*");
      out.push({
        via: "ingress",
        internet: isPublicHost(p.host) || publicAddr,
        service: `${namespace}/${svc.meta.name}`,
        ingress: `${namespace}/${ing.meta.name}`,
        host: p.host,
        path: p.path,
        tls,
        servicePort: p.servicePort,
        addresses: ing.addresses,
        route: `${tls ? "https" : "http"}://${shownHost}${p.path} → ingress ${namespace}/${ing.meta.name} → service ${namespace}/${svc.meta.name}:${p.servicePort} → ${target}`,
      });
    }
  }
  for (const s of selecting) {
    if (s.type === "LoadBalancer") {
      const internal = isInternalLoadBalancer(s.meta.annotations);
      const shown = s.lbAddresses.length === 0 ? "<pending>" : s.lbAddresses.join(",");
      out.push({
        via: "loadBalancer",
        internet: !internal && s.lbAddresses.some(isPublicAddress),
        service: `${namespace}/${s.meta.name}`,
        addresses: s.lbAddresses,
        ports: s.ports,
        internal,
        route: `${shown}:${portList(s.ports, "port")} → service ${namespace}/${s.meta.name} (LoadBalancer) → ${target}`,
      });
    } else if (s.type === "NodePort") {
      out.push({
        via: "nodePort",
        internet: opts.nodePortExposed,
        service: `${namespace}/${s.meta.name}`,
        ports: s.ports,
        route: `<node>:${portList(s.ports, "nodePort")} → service ${namespace}/${s.meta.name} (NodePort) → ${target}`,
      });
    }
  }
  return out;
}
