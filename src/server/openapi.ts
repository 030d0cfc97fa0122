// The OpenAPI 3.1 document served at GET /openapi.json, written by hand next to the routes it
// describes (app.ts). A test checks that every route the app registers is documented.
import { BERTH_VERSION } from "../util/about.js";
import { dashboardPaths, dashboardSchemas } from "./routes/dashboard-openapi.js";

const error = { $ref: "#/components/schemas/Error" };
const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: error } } });

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Berth server API",
      version: BERTH_VERSION,
      description: "Inventory graph, registry event ingest and scan results of a Berth server.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API token (`berth token create --role admin|ingest|read`), or on the registry-events route the registry's shared secret." },
        registrySecret: { type: "apiKey", in: "header", name: "Authorization", description: "Registry events: the registry secret as the whole header value (Harbor's webhook policy 'auth header')." },
        registrySignature: { type: "apiKey", in: "header", name: "X-Berth-Signature", description: "Registry events: `sha256=<hex HMAC-SHA256 of the raw body>` under --registry-hmac-secret." },
        metricsToken: { type: "http", scheme: "bearer", description: "GET /metrics: the --metrics-token, when the server has one." },
      },
      schemas: {
        Error: { type: "object", required: ["error", "message"], properties: { error: { type: "string" }, message: { type: "string" } } },
        ...dashboardSchemas,
        DistributionEnvelope: {
          type: "object",
          required: ["events"],
          properties: {
            events: {
              type: "array",
              maxItems: 1000,
              items: {
                type: "object",
                required: ["id", "action", "target"],
                properties: {
                  id: { type: "string", description: "Event id; an event received twice is processed once." },
                  timestamp: { type: "string", format: "date-time" },
                  action: { type: "string", enum: ["push", "pull", "delete", "mount"] },
                  target: {
                    type: "object",
                    required: ["repository"],
                    properties: {
                      mediaType: { type: "string" },
                      digest: { type: "string", pattern: "^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$" },
                      repository: { type: "string" },
                      tag: { type: "string" },
                      url: { type: "string" },
                      size: { type: "integer" },
                    },
                  },
                  request: { type: "object", properties: { host: { type: "string" }, method: { type: "string" }, useragent: { type: "string" } } },
                  actor: { type: "object", properties: { name: { type: "string" } } },
                  source: { type: "object", properties: { addr: { type: "string" }, instanceID: { type: "string" } } },
                },
              },
            },
          },
        },
        HarborWebhook: {
          type: "object",
          description: "Harbor 2.x webhook, Default format (the CloudEvents format carries the same `data` with type harbor.artifact.pushed|pulled|deleted). PUSH_ARTIFACT, PULL_ARTIFACT and DELETE_ARTIFACT act; other types are counted as ignored. The registry host is the first component of resource_url.",
          required: ["type"],
          properties: {
            type: { type: "string", examples: ["PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT", "SCANNING_COMPLETED"] },
            occur_at: { type: "integer", description: "Unix seconds" },
            operator: { type: "string" },
            event_data: {
              type: "object",
              properties: {
                resources: {
                  type: "array",
                  maxItems: 1000,
                  items: { type: "object", required: ["digest"], properties: { digest: { type: "string" }, tag: { type: "string" }, resource_url: { type: "string", examples: ["harbor.example.com/library/app:1.0"] } } },
                },
                repository: { type: "object", properties: { name: { type: "string" }, namespace: { type: "string" }, repo_full_name: { type: "string" }, repo_type: { type: "string" } } },
              },
            },
          },
        },
        GenericRegistryEvents: {
          type: "object",
          description: "Berth's generic form. Without `id` the event id is derived from the other fields (a redelivery changes nothing).",
          required: ["events"],
          properties: {
            events: {
              type: "array",
              maxItems: 1000,
              items: {
                type: "object",
                additionalProperties: false,
                required: ["action", "registry", "repository"],
                properties: {
                  action: { type: "string", enum: ["push", "pull", "delete"] },
                  registry: { type: "string", description: "host[:port] the image is pulled from" },
                  repository: { type: "string" },
                  digest: { type: "string", pattern: "^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$", description: "Required for push and pull; a delete names a digest or a tag." },
                  tag: { type: "string" },
                  at: { type: "string", format: "date-time" },
                  id: { type: "string", maxLength: 256 },
                  actor: { type: "string" },
                  mediaType: { type: "string", description: "Default: a manifest or index." },
                },
              },
            },
          },
        },
        IngestResult: {
          type: "object",
          required: ["accepted", "duplicates", "ignored", "enqueued"],
          properties: {
            accepted: { type: "integer", description: "Events recorded for the first time." },
            duplicates: { type: "integer", description: "Events received before (by id): nothing changed." },
            ignored: { type: "integer", description: "Events that name no image (layer blobs, mounts)." },
            enqueued: { type: "integer", description: "Scan jobs added." },
          },
        },
        CiRecord: {
          type: "object",
          required: ["repository", "commit", "runId", "provider", "images"],
          properties: {
            repository: { type: "string", maxLength: 512, description: 'URL or path: "https://github.com/acme/web", "github.com/acme/web" or "acme/web".' },
            commit: { type: "string", pattern: "^[0-9a-fA-F]{7,64}$" },
            ref: { type: "string", maxLength: 512 },
            workflow: { type: "string", maxLength: 512 },
            runId: { type: ["string", "integer"], maxLength: 128 },
            runAttempt: { type: ["string", "integer"] },
            runUrl: { type: "string", maxLength: 2048 },
            actor: { type: "string", maxLength: 256 },
            provider: { type: "string", enum: ["github", "gitlab", "azure"] },
            codeowners: { type: "string", maxLength: 65536, description: "The text of the repository's CODEOWNERS file." },
            images: {
              type: "array",
              minItems: 1,
              maxItems: 100,
              items: {
                type: "object",
                required: ["reference", "digest"],
                properties: { reference: { type: "string", maxLength: 1024 }, digest: { type: "string", pattern: "^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$" } },
              },
            },
          },
        },
        CiRecordResult: {
          type: "object",
          required: ["repository", "pipelineRun", "auth", "images"],
          properties: {
            repository: { type: "string", description: "Canonical repository URL." },
            owners: { type: ["array", "null"], items: { type: "string" }, description: "Owners of the CODEOWNERS root rule, when CODEOWNERS was sent." },
            pipelineRun: {
              type: "object",
              properties: {
                id: { type: "integer" },
                created: { type: "boolean", description: "False when this run was recorded before (updated)." },
                provider: { type: "string" },
                runId: { type: "string" },
                runAttempt: { type: ["string", "null"] },
                runUrl: { type: ["string", "null"] },
                commit: { type: ["string", "null"] },
                ref: { type: ["string", "null"] },
                workflow: { type: ["string", "null"] },
                actor: { type: ["string", "null"] },
              },
            },
            auth: { type: "string", enum: ["oidc", "token"] },
            images: { type: "array", items: { type: "object", properties: { digest: { type: "string" }, reference: { type: "string" }, enqueued: { type: "boolean" } } } },
          },
        },
        AdmissionReview: {
          type: "object",
          required: ["apiVersion", "kind"],
          description: "admission.k8s.io/v1 AdmissionReview (request in, response out); see the Kubernetes API reference.",
          properties: {
            apiVersion: { const: "admission.k8s.io/v1" },
            kind: { const: "AdmissionReview" },
            request: { type: "object", required: ["uid", "kind", "operation"] },
            response: {
              type: "object",
              required: ["uid", "allowed"],
              properties: {
                uid: { type: "string" },
                allowed: { type: "boolean" },
                status: { type: "object", properties: { status: { type: "string" }, code: { type: "integer" }, reason: { type: "string" }, message: { type: "string" } } },
                warnings: { type: "array", items: { type: "string" } },
                auditAnnotations: { type: "object", additionalProperties: { type: "string" } },
              },
            },
          },
        },
        ImageComplianceVerdict: {
          type: "object",
          required: ["digest", "known", "compliance", "policy", "compliant", "reasons"],
          properties: {
            digest: { type: "string" },
            known: { type: "boolean", description: "The image is recorded in the store." },
            compliance: {
              type: ["object", "null"],
              properties: {
                digest: { type: "string" },
                scanned: { type: "boolean" },
                fixableBySeverity: { type: "object", additionalProperties: { type: "integer" }, description: "Open findings with a fixed version, by severity." },
                signed: { type: "boolean", description: "A signature verified with the server's trusted keys (--trust-key, --trust-policy), over this digest or its index." },
                unverifiedSignatures: { type: "integer", description: "Signatures found that do not verify." },
                provenanceRepositories: { type: "array", items: { type: "string" }, description: "Source repositories named by verified SLSA provenance, host-qualified (github.com/acme/web)." },
                owner: { type: "string" },
                registry: { type: "string" },
              },
            },
            policy: { type: "object", description: "The server's admission policy." },
            compliant: { type: "boolean" },
            reasons: { type: "array", items: { type: "object", properties: { rule: { type: "string" }, detail: { type: "string" } } } },
          },
        },
        Finding: {
          type: "object",
          required: ["id", "package", "severity", "fixStatus", "fixedVersions", "state", "firstSeen"],
          properties: {
            id: { type: "string", description: "CVE id when known, else the advisory id." },
            aliases: { type: "array", items: { type: "string" } },
            package: {
              type: "object",
              required: ["name", "version", "purl"],
              properties: { name: { type: "string" }, version: { type: "string" }, purl: { type: "string" }, sourceName: { type: "string" } },
            },
            severity: { type: "string", enum: ["critical", "high", "medium", "low", "none", "unknown"] },
            fixStatus: { type: "string", enum: ["fixed", "affected", "will_not_fix", "not_affected"] },
            fixedVersions: { type: "array", items: { type: "string" } },
            state: { type: "string", enum: ["open", "fixed"] },
            firstSeen: { type: "string", format: "date-time" },
            fixedAt: { type: ["string", "null"], format: "date-time" },
            title: { type: "string" },
            url: { type: "string" },
            remediation: { type: "string" },
            kev: { type: "boolean", description: "Listed in CISA's Known Exploited Vulnerabilities catalog." },
            epss: { type: "number", description: "EPSS probability (0–1), when known." },
            epssPercentile: { type: "number" },
            cvss: { type: "object", properties: { version: { type: "string" }, score: { type: "number" }, vector: { type: "string" } } },
            layer: {
              type: "object",
              description: "The image layer that introduced the package.",
              properties: { diffId: { type: "string" }, index: { type: "integer" }, createdBy: { type: "string", description: "The history command that created the layer." }, fromBase: { type: "boolean" } },
            },
          },
        },
        Image: {
          type: "object",
          required: ["digest", "scanStatus", "findings", "summary", "locations", "platforms"],
          properties: {
            digest: { type: "string" },
            mediaType: { type: ["string", "null"] },
            indexDigest: { type: ["string", "null"] },
            platform: { type: ["string", "null"] },
            scanStatus: { type: "string", enum: ["pending", "scanning", "scanned", "failed"] },
            scanError: { type: ["string", "null"] },
            scannedAt: { type: ["string", "null"], format: "date-time" },
            distro: { type: ["string", "null"] },
            locations: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  host: { type: "string" },
                  repository: { type: "string" },
                  tag: { type: ["string", "null"] },
                  pushedAt: { type: ["string", "null"] },
                  lastPulledAt: { type: ["string", "null"] },
                },
              },
            },
            job: {
              type: ["object", "null"],
              description: "The latest scan job of this digest.",
              properties: {
                status: { type: "string", enum: ["queued", "running", "done", "failed"] },
                attempts: { type: "integer" },
                lastError: { type: ["string", "null"] },
                updatedAt: { type: "string", format: "date-time" },
              },
            },
            platforms: {
              type: "array",
              description: "For an index: its platform images that were scanned.",
              items: { type: "object", properties: { digest: { type: "string" }, platform: { type: ["string", "null"] }, scanStatus: { type: "string" } } },
            },
            summary: { type: "object", additionalProperties: { type: "integer" }, description: "Open findings per severity." },
            findings: { type: "array", items: { $ref: "#/components/schemas/Finding" }, description: "Open findings (with ?include=fixed, fixed ones too); for an index, those of its platform images." },
            attestations: {
              type: "array",
              description: "Signatures and attestations found next to the image (and its index) at its last scan or referrer push, each verified against the server's trust.",
              items: {
                type: "object",
                properties: {
                  subject: { type: "string", description: "The digest the evidence is about: this image or its index." },
                  digest: { type: "string", description: "Digest of the signature payload or DSSE envelope (the referrer manifest's when unreadable)." },
                  kind: { type: "string", enum: ["signature", "provenance", "sbom", "vuln", "custom", "unreadable", "discovery-error"] },
                  signer: { type: ["string", "null"], description: "Key id (sha256 of the SPKI) that verified it, else the one claimed." },
                  verified: { type: "boolean" },
                  predicateType: { type: ["string", "null"] },
                  sourceRepository: { type: ["string", "null"], description: "Verified provenance: the source repository it names." },
                  locations: { type: "array", items: { type: "string" } },
                  problem: { type: ["string", "null"], description: "Why it does not count, when it does not." },
                  discoveredAt: { type: "string", format: "date-time" },
                },
              },
            },
          },
        },
        ExploreResult: {
          type: "object",
          required: ["query", "ast", "nodes", "paths", "nextCursor"],
          properties: {
            query: { type: "string", description: "Canonical text form of the query." },
            ast: { type: "object", description: "The validated query as JSON (the POST form)." },
            nodes: {
              type: "object",
              description: 'Nodes by key "<type>:<id>" (image: digest; tag: "<registryRepoId>:<tag>"; namespace: "<clusterId>/<name>"; service/ingress: "<clusterId>/<ns>/<name>"; finding: "<digest>|<vulnId>|<purl>"; internet: "internet").',
              additionalProperties: {
                type: "object",
                required: ["type", "id", "label", "props"],
                properties: { type: { type: "string" }, id: { type: "string" }, label: { type: "string" }, props: { type: "object" } },
              },
            },
            paths: {
              type: "array",
              items: {
                type: "object",
                required: ["nodes", "edges"],
                properties: {
                  nodes: { type: "array", items: { type: "string" }, description: "One node key per query step." },
                  edges: {
                    type: "array",
                    items: {
                      type: "object",
                      required: ["name", "from", "to", "details"],
                      properties: { name: { type: "string" }, from: { type: "string" }, to: { type: "string" }, details: { type: "object" } },
                    },
                  },
                },
              },
            },
            nextCursor: { type: ["string", "null"] },
          },
        },
      },
    },
    paths: {
      ...dashboardPaths,
      "/healthz": {
        get: { summary: "Liveness", security: [], responses: { "200": { description: "The process is up", content: { "application/json": { schema: { type: "object", properties: { status: { const: "ok" } } } } } } } },
      },
      "/readyz": {
        get: {
          summary: "Readiness: the database answers",
          security: [],
          responses: {
            "200": { description: "Ready", content: { "application/json": { schema: { type: "object", properties: { status: { const: "ready" } } } } } },
            "503": { description: "The database does not answer", content: { "application/json": { schema: { type: "object", properties: { status: { const: "unavailable" } } } } } },
          },
        },
      },
      "/openapi.json": { get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI 3.1 document", content: { "application/json": {} } } } } },
      "/api/v1/events/registry": {
        post: {
          summary: "Registry notifications: CNCF Distribution envelope, Harbor webhook, or Berth's generic form (told apart by shape)",
          description:
            "A push records the tag and enqueues a scan of a not-yet-scanned image (deduplicated by digest); a pull records the pull time and enqueues a scan of a never-scanned image; a delete removes the tag. Idempotent by event id (derived from the content for Harbor and for generic events without one). Auth: the registry secret (as bearer or, for Harbor, as the whole Authorization value), an X-Berth-Signature HMAC over the raw body, or a token with role admin or ingest. Rate-limited per credential (--rate-limit-events).",
          security: [{ bearer: [] }, { registrySecret: [] }, { registrySignature: [] }],
          requestBody: {
            required: true,
            content: {
              "application/vnd.docker.distribution.events.v1+json": { schema: { $ref: "#/components/schemas/DistributionEnvelope" } },
              "application/json": {
                schema: { oneOf: [{ $ref: "#/components/schemas/DistributionEnvelope" }, { $ref: "#/components/schemas/HarborWebhook" }, { $ref: "#/components/schemas/GenericRegistryEvents" }] },
              },
              "application/cloudevents+json": { schema: { type: "object", description: "Harbor's CloudEvents format" } },
            },
          },
          responses: {
            "200": { description: "Processed", content: { "application/json": { schema: { $ref: "#/components/schemas/IngestResult" } } } },
            "400": errorResponse("Not a valid envelope"),
            "401": errorResponse("Missing or invalid credentials"),
            "403": errorResponse("The token's role may not ingest"),
            "413": errorResponse("Body larger than the request size limit"),
            "415": errorResponse("Unsupported content type"),
            "429": errorResponse("Rate limit exceeded; Retry-After says when to try again"),
          },
        },
      },
      "/metrics": {
        get: {
          summary: "Prometheus metrics (text exposition format 0.0.4)",
          description: "HTTP requests and durations by route, registry events by format and action, scans by outcome and duration, jobs by kind and status, images by scan status, open findings by severity, vulnerability DB age, Node.js process metrics. Not rate-limited.",
          security: [{}, { metricsToken: [] }],
          responses: {
            "200": { description: "Metrics", content: { "text/plain; version=0.0.4; charset=utf-8": { schema: { type: "string" } } } },
            "401": errorResponse("The server has a --metrics-token and the request does not carry it"),
          },
        },
      },
      "/api/v1/records": {
        post: {
          summary: "Record a CI run and the images it pushed (berth record)",
          description:
            "Authenticated by the CI job's OIDC token (GitHub Actions, GitLab CI, Azure Pipelines; signature against the issuer's JWKS, iss, aud, exp): the repository and run identity come from the verified claims and a body that disagrees is refused (403). Else an API token with role ingest or admin (the body is trusted and recorded as such). Idempotent: the same run recorded again updates it. Unknown images are created and their scan enqueued.",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/CiRecord" } } } },
          responses: {
            "200": { description: "Recorded", content: { "application/json": { schema: { $ref: "#/components/schemas/CiRecordResult" } } } },
            "400": errorResponse("Invalid record (each bad field named)"),
            "401": errorResponse("Missing or invalid credentials; for an OIDC token `reason` says why (signature, audience, expired, issuer, …)"),
            "403": errorResponse("The token's role may not record, or the body disagrees with the verified token (reason claims-mismatch)"),
            "413": errorResponse("Body larger than the request size limit"),
            "503": errorResponse("The OIDC issuer's keys could not be fetched"),
          },
        },
      },
      "/api/v1/clusters": {
        get: {
          summary: "Kubernetes clusters in the inventory, with counts",
          description: "Roles: admin, read, ingest. Clusters the server watches (`--kubeconfig`, source kubeconfig) and clusters whose snapshots are pushed (source push); workloads counts live ones, removedWorkloads the aged-out ones.",
          security: [{ bearer: [] }],
          responses: {
            "200": {
              description: "The clusters",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      clusters: {
                        type: "array",
                        items: {
                          type: "object",
                          properties: {
                            name: { type: "string" },
                            source: { type: "string", enum: ["kubeconfig", "push"] },
                            lastSeenAt: { type: ["string", "null"] },
                            namespaces: { type: "integer" },
                            workloads: { type: "integer" },
                            removedWorkloads: { type: "integer" },
                            internetExposedWorkloads: { type: "integer" },
                            images: { type: "integer" },
                            services: { type: "integer" },
                            ingresses: { type: "integer" },
                            warnings: { type: "array", items: { type: "string" } },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
            "401": errorResponse("Missing or invalid token"),
          },
        },
      },
      "/api/v1/clusters/{name}/snapshot": {
        post: {
          summary: "Store a snapshot of a cluster the server cannot reach (berth cluster snapshot --server)",
          description:
            "Roles: admin, ingest. The body is a ClusterSnapshot as `berth cluster snapshot` prints it; validated field by field (resolved digests re-derived from each imageID), at most 64 MiB. Replaces the cluster's namespaces, services and ingresses, upserts its workloads and ages out the ones absent; running images never seen before are queued for scanning when their registry is allowed. Refused with 409 for a cluster the server watches itself.",
          security: [{ bearer: [] }],
          parameters: [{ name: "name", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$" } }],
          requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["cluster", "collectedAt", "namespaces", "workloads", "services", "ingresses"], description: "model/cluster.ts ClusterSnapshot; cluster must equal {name}." } } } },
          responses: {
            "200": {
              description: "Stored",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: { cluster: { type: "string" }, upserted: { type: "integer" }, removed: { type: "integer" }, enqueued: { type: "integer" }, skipped: { type: "integer", description: "New running images not queued: registry not allowed" } },
                  },
                },
              },
            },
            "400": errorResponse("Invalid snapshot (each bad field named by its path) or cluster name"),
            "401": errorResponse("Missing or invalid token"),
            "403": errorResponse("The token's role may not ingest"),
            "409": errorResponse("The cluster is watched by the server through its kubeconfig"),
            "413": errorResponse("Body larger than 64 MiB, or a count over its bound"),
          },
        },
      },
      "/api/v1/admission": {
        post: {
          summary: "Kubernetes ValidatingAdmissionWebhook (deploy gate)",
          description:
            "AdmissionReview admission.k8s.io/v1 in and out. Pods and pod templates (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController) are checked image by image: not scanned, fixable vulnerabilities at or above the configured severity, registry not allowed (and signature/provenance rules when configured). Enforce mode denies (response.allowed false, status.code 403, message naming image, rule and owner); audit mode allows with warnings and auditAnnotations. Authenticated by the configured admission secret as a bearer token, or an API token of any role; see also /api/v1/admission/{secret}.",
          security: [{ bearer: [] }],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/AdmissionReview" } } } },
          responses: {
            "200": { description: "The AdmissionReview with its response", content: { "application/json": { schema: { $ref: "#/components/schemas/AdmissionReview" } } } },
            "400": errorResponse("Not an AdmissionReview v1 (no request uid to answer)"),
            "401": errorResponse("Missing or invalid credentials"),
            "413": errorResponse("Body larger than 3 MiB"),
          },
        },
      },
      "/api/v1/admission/{secret}": {
        post: {
          summary: "The admission webhook with its shared secret in the URL path",
          description: "For a ValidatingWebhookConfiguration clientConfig.url that cannot send a token: the path segment is compared in constant time with the server's --admission-secret.",
          parameters: [{ name: "secret", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/AdmissionReview" } } } },
          responses: {
            "200": { description: "The AdmissionReview with its response", content: { "application/json": { schema: { $ref: "#/components/schemas/AdmissionReview" } } } },
            "400": errorResponse("Not an AdmissionReview v1"),
            "401": errorResponse("Wrong secret, or no admission secret configured"),
            "413": errorResponse("Body larger than 3 MiB"),
          },
        },
      },
      "/api/v1/explore": {
        get: {
          summary: "Explorer path query (text form), e.g. internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository",
          description: "Any token role. `berth explore --fields` lists node types, fields and edges. Paths are ordered by their node keys; pass nextCursor back as cursor for the next page.",
          security: [{ bearer: [] }],
          parameters: [
            { name: "q", in: "query", required: true, schema: { type: "string", maxLength: 2048 } },
            { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 500, default: 50 } },
            { name: "cursor", in: "query", required: false, schema: { type: "string" } },
          ],
          responses: {
            "200": { description: "Matching paths", content: { "application/json": { schema: { $ref: "#/components/schemas/ExploreResult" } } } },
            "400": errorResponse("Bad query (the message names the column or JSON path), limit or cursor"),
            "401": errorResponse("Missing or invalid token"),
          },
        },
        post: {
          summary: "Explorer path query (text or JSON AST form)",
          description: "Any token role. Body: { query: text | { steps: [{ type, filters: [{ field, op, value }] }] }, limit?, cursor? }.",
          security: [{ bearer: [] }],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["query"],
                  properties: {
                    query: { oneOf: [{ type: "string", maxLength: 2048 }, { type: "object", required: ["steps"], properties: { steps: { type: "array", minItems: 1, maxItems: 8 } } }] },
                    limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
                    cursor: { type: "string" },
                  },
                },
              },
            },
          },
          responses: {
            "200": { description: "Matching paths", content: { "application/json": { schema: { $ref: "#/components/schemas/ExploreResult" } } } },
            "400": errorResponse("Bad query (the message names the column or JSON path), limit or cursor"),
            "401": errorResponse("Missing or invalid token"),
          },
        },
      },
      "/api/v1/images/{digest}/compliance": {
        get: {
          summary: "Compliance of an image under the server's admission policy (for CI)",
          description: "compliant is false when any rule is broken, whatever the mode (audit or enforce); reasons lists them. An unknown image is not compliant (not-scanned).",
          security: [{ bearer: [] }],
          parameters: [{ name: "digest", in: "path", required: true, schema: { type: "string", pattern: "^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$" } }],
          responses: {
            "200": { description: "Verdict", content: { "application/json": { schema: { $ref: "#/components/schemas/ImageComplianceVerdict" } } } },
            "400": errorResponse("Not a digest"),
            "401": errorResponse("Missing or invalid token"),
          },
        },
      },
      "/api/v1/images/{digest}": {
        get: {
          summary: "Scan state and findings of an image",
          description: "Roles: admin, read, ingest.",
          security: [{ bearer: [] }],
          parameters: [
            { name: "digest", in: "path", required: true, schema: { type: "string", pattern: "^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$" } },
            { name: "include", in: "query", required: false, schema: { type: "string", enum: ["fixed"] }, description: "Also list findings that are fixed." },
          ],
          responses: {
            "200": { description: "The image", content: { "application/json": { schema: { $ref: "#/components/schemas/Image" } } } },
            "400": errorResponse("Not a digest"),
            "401": errorResponse("Missing or invalid credentials"),
            "404": errorResponse("Unknown image"),
          },
        },
      },
      "/api/v1/images/{digest}/sbom": {
        get: {
          summary: "SBOM of an image: the inventory its last scan stored, as CycloneDX 1.6 or SPDX 2.3 JSON (web UI download)",
          description: "Roles: admin, read, ingest. An index answers with its first scanned platform image. Rendered by the same code as `berth sbom`.",
          security: [{ bearer: [] }],
          parameters: [
            { name: "digest", in: "path", required: true, schema: { type: "string", pattern: "^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$" } },
            { name: "format", in: "query", required: false, schema: { type: "string", enum: ["cyclonedx", "spdx"], default: "cyclonedx" } },
          ],
          responses: {
            "200": { description: "The SBOM (attachment)", content: { "application/vnd.cyclonedx+json": { schema: { type: "object" } }, "application/spdx+json": { schema: { type: "object" } } } },
            "400": errorResponse("Not a digest, or an unknown format"),
            "401": errorResponse("Missing or invalid token"),
            "404": errorResponse("Unknown image, or not scanned yet (error: not-scanned)"),
          },
        },
      },
      "/api/v1/images/{digest}/sarif": {
        get: {
          summary: "Open findings of an image as SARIF 2.1.0 (web UI download)",
          description: "Roles: admin, read, ingest. The findings of the last scan or re-match, rendered by the same code as `berth scan -f sarif`.",
          security: [{ bearer: [] }],
          parameters: [{ name: "digest", in: "path", required: true, schema: { type: "string", pattern: "^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$" } }],
          responses: {
            "200": { description: "The SARIF log (attachment)", content: { "application/sarif+json": { schema: { type: "object" } } } },
            "400": errorResponse("Not a digest"),
            "401": errorResponse("Missing or invalid token"),
            "404": errorResponse("Unknown image, or not scanned yet (error: not-scanned)"),
          },
        },
      },
    },
  };
}
