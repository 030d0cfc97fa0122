// Pure data describing what runs in one Kubernetes cluster: the inventory a connector collects
// (server/ingest/kubernetes.ts) and the server stores as Cluster → Namespace → Workload → Image
// nodes, with Service/Ingress exposure edges to the internet.

/** Controller kinds a workload can be. Pods owned by something else keep the owner's kind. */
export const knownWorkloadKinds = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "CronJob",
  "Job",
  "ReplicaSet",
  "ReplicationController",
  "Pod",
] as const;
export type KnownWorkloadKind = (typeof knownWorkloadKinds)[number];

/** An image reference resolved to a content digest from a pod's `status.containerStatuses[].imageID`. */
export interface ResolvedImage {
  /** `sha256:<64 hex>` (or another algorithm the runtime reported). */
  readonly digest: string;
  /** Repository the runtime resolved it from, e.g. `docker.io/library/nginx`, when the imageID names one. */
  readonly repository?: string;
  /** The raw imageID as reported by the kubelet. */
  readonly imageID: string;
  /**
   * `repo-digest`: a manifest digest (`repo@sha256:…`), usable to look the image up in a registry.
   * `image-id`: only a local image/config ID (`docker://sha256:…`, bare `sha256:…`), not a manifest digest.
   */
  readonly kind: "repo-digest" | "image-id";
}

/** One container of a workload: the image as written in the spec, and the digests its pods run. */
export interface WorkloadContainer {
  readonly name: string;
  /** True for `initContainers` (and ephemeral containers are not collected). */
  readonly init: boolean;
  /** The image reference as written in the pod spec, e.g. `nginx:1.25` or `repo@sha256:…`. */
  readonly image: string;
  /** Distinct digests observed across the workload's pods (empty until a container has started). */
  readonly resolved: readonly ResolvedImage[];
}

/** Why (and whether) a workload is reachable from outside the cluster. */
export type Exposure = IngressExposure | LoadBalancerExposure | NodePortExposure;

interface ExposureCommon {
  /** True when this route counts as internet-exposed under the documented rule. */
  readonly internet: boolean;
  /** Namespace/name of the Service that selects the workload's pods. */
  readonly service: string;
  /** Human-readable route, e.g. `https://shop.example.com/api → ingress shop/web → service shop/web:80 → Deployment shop/web`. */
  readonly route: string;
}

export interface IngressExposure extends ExposureCommon {
  readonly via: "ingress";
  /** Namespace/name of the Ingress. */
  readonly ingress: string;
  /** Rule host; `*` for a rule without host or the default backend. */
  readonly host: string;
  readonly path: string;
  readonly tls: boolean;
  /** Port of the Service the backend names (number or port name). */
  readonly servicePort: string;
  /** Addresses from the Ingress's `status.loadBalancer.ingress`. */
  readonly addresses: readonly string[];
}

export interface LoadBalancerExposure extends ExposureCommon {
  readonly via: "loadBalancer";
  /** External addresses (IP or hostname) from `status.loadBalancer.ingress`. */
  readonly addresses: readonly string[];
  readonly ports: readonly ServicePort[];
  /** The Service is annotated as an internal (private) load balancer. */
  readonly internal: boolean;
}

export interface NodePortExposure extends ExposureCommon {
  readonly via: "nodePort";
  readonly ports: readonly ServicePort[];
}

export interface ServicePort {
  readonly name?: string;
  readonly protocol: string;
  readonly port: number;
  readonly targetPort?: string;
  readonly nodePort?: number;
}

export interface Workload {
  /** Stable identity within the cluster: `namespace/Kind/name`. */
  readonly id: string;
  readonly namespace: string;
  /** A KnownWorkloadKind, or the kind of an unknown controller (e.g. a CRD `Rollout`). */
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Pods of this workload seen in the cluster (0 for a controller scaled to zero). */
  readonly podCount: number;
  /** Containers from the pods, or from the controller's pod template when no pod runs. */
  readonly containers: readonly WorkloadContainer[];
  /** True when at least one exposure route counts as internet-exposed. */
  readonly internetExposed: boolean;
  readonly exposures: readonly Exposure[];
}

export interface NamespaceInfo {
  readonly name: string;
  readonly uid?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  /** ClusterIP, NodePort, LoadBalancer or ExternalName. */
  readonly type: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
  readonly loadBalancerAddresses: readonly string[];
  /** Workload ids whose pods the selector matches. */
  readonly workloads: readonly string[];
}

export interface IngressRuleInfo {
  readonly host: string;
  readonly path: string;
  readonly pathType?: string;
  readonly service: string;
  readonly servicePort: string;
  readonly tls: boolean;
}

export interface IngressInfo {
  readonly namespace: string;
  readonly name: string;
  readonly ingressClassName?: string;
  readonly rules: readonly IngressRuleInfo[];
  readonly tlsHosts: readonly string[];
  readonly addresses: readonly string[];
}

export type ClusterResourceKind =
  | "namespaces"
  | "pods"
  | "services"
  | "replicasets"
  | "deployments"
  | "statefulsets"
  | "daemonsets"
  | "jobs"
  | "cronjobs"
  | "ingresses";

export interface ClusterSnapshot {
  readonly cluster: string;
  /** When the snapshot was assembled (ISO 8601; the clock is injected). */
  readonly collectedAt: string;
  /** The list/watch resourceVersion each resource kind is at. */
  readonly resourceVersions: Readonly<Partial<Record<ClusterResourceKind, string>>>;
  readonly namespaces: readonly NamespaceInfo[];
  /** Sorted by id. */
  readonly workloads: readonly Workload[];
  readonly services: readonly ServiceInfo[];
  readonly ingresses: readonly IngressInfo[];
  /** Malformed objects skipped and other non-fatal problems, one line each (bounded). */
  readonly warnings: readonly string[];
}

export interface WorkloadRef {
  readonly id: string;
  readonly namespace: string;
  readonly kind: string;
  readonly name: string;
}

/** What changed between two snapshots of one cluster; `removed` lets the server age workloads out. */
export interface ClusterDiff {
  readonly cluster: string;
  readonly collectedAt: string;
  readonly added: readonly Workload[];
  readonly modified: readonly Workload[];
  readonly removed: readonly WorkloadRef[];
}
