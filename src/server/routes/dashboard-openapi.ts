// OpenAPI fragments for the dashboard, image list and admin routes (dashboard.ts, admin.ts), spread
// into the document in openapi.ts.
const error = { $ref: "#/components/schemas/Error" };
const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: error } } });
const json = (description: string, schema: unknown) => ({ description, content: { "application/json": { schema } } });
const nullableString = { type: ["string", "null"] };
const severityCounts = { $ref: "#/components/schemas/SeverityCounts" };

export const dashboardSchemas = {
  SeverityCounts: {
    type: "object",
    required: ["critical", "high", "medium", "low", "none", "unknown"],
    properties: Object.fromEntries(["critical", "high", "medium", "low", "none", "unknown"].map((s) => [s, { type: "integer" }])),
  },
  Dashboard: {
    type: "object",
    required: ["generatedAt", "counts", "openFindingsSeries", "meanTimeToFix", "riskiestExposedWorkloads", "recentScans", "recentEvents"],
    properties: {
      generatedAt: { type: "string", format: "date-time" },
      counts: {
        type: "object",
        properties: {
          images: { type: "integer", description: "Images (an index counts once, not its platform images)." },
          scanned: { type: "integer" },
          neverScanned: { type: "integer" },
          running: { type: "integer", description: "Distinct digests run by live workloads." },
          runningNotScanned: { type: "integer", description: "Of those, never scanned or last scanned more than staleDays ago." },
          staleDays: { type: "integer" },
          internetExposedWorkloads: { type: "integer" },
          openFindings: severityCounts,
        },
      },
      openFindingsSeries: {
        type: "object",
        description: "Open findings per severity at the end of each UTC day (from first_seen and fixed_at); the last point is today.",
        properties: { days: { type: "integer" }, points: { type: "array", items: { allOf: [severityCounts, { type: "object", required: ["date"], properties: { date: { type: "string", format: "date" } } }] } } },
      },
      meanTimeToFix: {
        type: "object",
        description: "Mean days from first seen to fixed over findings fixed within the window (a finding is fixed when a later scan of its image no longer reports it).",
        properties: {
          windowDays: { type: "integer" },
          fixedFindings: { type: "integer" },
          meanDays: { type: ["number", "null"] },
          bySeverity: { type: "object", additionalProperties: { type: ["number", "null"] } },
        },
      },
      riskiestExposedWorkloads: {
        type: "array",
        maxItems: 10,
        description: "Live internet-exposed workloads, highest open severity first, then most open findings.",
        items: {
          type: "object",
          properties: {
            id: { type: "integer" },
            cluster: { type: "string" },
            namespace: { type: "string" },
            kind: { type: "string" },
            name: { type: "string" },
            highestSeverity: nullableString,
            openFindings: severityCounts,
            routes: { type: "array", items: { type: "string" }, description: "Internet exposure routes." },
            images: {
              type: "array",
              items: {
                type: "object",
                properties: { digest: { type: "string" }, registryRepository: nullableString, sourceRepository: { ...nullableString, description: "Code repository URL (CI record, else OCI labels)." }, openFindings: severityCounts },
              },
            },
          },
        },
      },
      recentScans: {
        type: "array",
        items: { type: "object", properties: { digest: { type: "string" }, name: nullableString, scannedAt: { type: "string", format: "date-time" }, scanStatus: { type: "string" }, distro: nullableString, openFindings: severityCounts } },
      },
      recentEvents: {
        type: "array",
        items: {
          type: "object",
          properties: { at: { type: "string", format: "date-time" }, action: { type: "string" }, host: { type: "string" }, repository: { type: "string" }, tag: nullableString, digest: { type: "string" }, actor: nullableString },
        },
      },
    },
  },
  ImageList: {
    type: "object",
    required: ["total", "items", "nextCursor"],
    properties: {
      total: { type: "integer", description: "Images matching q." },
      nextCursor: { ...nullableString, description: "Pass as cursor for the next page; null on the last page." },
      items: {
        type: "array",
        items: {
          type: "object",
          properties: {
            digest: { type: "string" },
            name: { ...nullableString, description: "host/repository:tag of the newest tag (or host/repository@digest)." },
            names: { type: "array", items: { type: "string" } },
            sourceRepository: nullableString,
            mediaType: nullableString,
            platform: nullableString,
            distro: nullableString,
            scanStatus: { type: "string", enum: ["pending", "scanning", "scanned", "failed"] },
            scannedAt: { type: ["string", "null"], format: "date-time" },
            createdAt: { type: "string", format: "date-time" },
            openFindings: severityCounts,
            running: { type: "boolean" },
            internetExposed: { type: "boolean" },
          },
        },
      },
    },
  },
  ApiToken: {
    type: "object",
    properties: { id: { type: "integer" }, role: { type: "string", enum: ["admin", "ingest", "read"] }, description: nullableString, createdAt: { type: "string", format: "date-time" }, revokedAt: { type: ["string", "null"], format: "date-time" } },
  },
  AdminStatus: {
    type: "object",
    properties: {
      generatedAt: { type: "string", format: "date-time" },
      admissionPolicy: { type: "object", description: "The deploy gate's rules as configured (mode, requireScanned, denyFixableAtOrAbove, allowedRegistries, requireSignature, allowedSourceRepositories)." },
      rescanPolicy: {
        type: "object",
        description: "Continuous rescans as configured; durations in the flags' units (\"24h\", \"90d\", \"off\").",
        properties: { enabled: { type: "boolean" }, interval: { type: "string" }, pushedWithin: { type: "string" }, pulledWithin: { type: "string" }, running: { type: "boolean" } },
      },
      database: { type: "object", properties: { kind: { type: "string", enum: ["sqlite", "postgres"] }, migration: nullableString, migrations: { type: "array", items: { type: "string" } } } },
      vulnerabilityDb: {
        type: "object",
        description: "berth db status of the server's cache directory: available false with a message when there is none.",
        properties: {
          available: { type: "boolean" },
          path: { type: "string" },
          message: { type: "string" },
          builtAt: { type: "string" },
          updatedAt: { type: "string" },
          ageMs: { type: "integer" },
          stale: { type: "boolean" },
          warning: { type: "string" },
          counts: { type: "object", additionalProperties: { type: "integer" } },
          ecosystems: { type: "object", additionalProperties: { type: "integer" } },
          sources: { type: "array", items: { type: "object" } },
        },
      },
      queue: {
        type: "object",
        properties: {
          byStatus: { type: "object", additionalProperties: { type: "integer" } },
          byKind: { type: "array", items: { type: "object", properties: { kind: { type: "string" }, status: { type: "string" }, count: { type: "integer" } } } },
        },
      },
      clusters: { type: "array", items: { type: "object", description: "Cluster summary: name, source, lastSeenAt, namespaces, workloads, removedWorkloads, internetExposedWorkloads, images, services, ingresses, warnings." } },
      registries: { type: "array", items: { type: "object", properties: { host: { type: "string" }, repositories: { type: "integer" }, events: { type: "integer" }, lastEventAt: nullableString } } },
      settings: { type: "array", description: "The settings table (rescan schedule state and the like); keys that look like credentials are left out.", items: { type: "object", properties: { key: { type: "string" }, value: {}, updatedAt: { type: "string" } } } },
    },
  },
};

const intQuery = (name: string, description: string, min: number, max: number, def?: number) => ({ name, in: "query", required: false, description, schema: { type: "integer", minimum: min, maximum: max, ...(def !== undefined ? { default: def } : {}) } });

export const dashboardPaths = {
  "/api/v1/dashboard": {
    get: {
      summary: "Dashboard: counts, open findings over time, mean time to fix, riskiest internet-exposed workloads, recent scans and registry events",
      description: "Any API token role.",
      security: [{ bearer: [] }],
      parameters: [intQuery("days", "Days in the findings series and the mean-time-to-fix window", 1, 365, 30), intQuery("staleDays", "Running images not scanned in this many days are counted", 1, 365, 7)],
      responses: { "200": json("The dashboard", { $ref: "#/components/schemas/Dashboard" }), "400": errorResponse("A parameter out of range"), "401": errorResponse("Missing or invalid token") },
    },
  },
  "/api/v1/images": {
    get: {
      summary: "Images, paginated (keyset cursor), filtered and sorted server-side",
      description: "Any API token role. Platform images of an index are listed under the index.",
      security: [{ bearer: [] }],
      parameters: [
        intQuery("limit", "Page size", 1, 500, 50),
        { name: "cursor", in: "query", required: false, schema: { type: "string" }, description: "nextCursor of the previous page." },
        { name: "q", in: "query", required: false, schema: { type: "string", maxLength: 200 }, description: "Case-insensitive substring of the digest, of host/repository:tag, or of the source repository URL." },
        { name: "sort", in: "query", required: false, schema: { type: "string", enum: ["created", "scanned", "digest"], default: "created" } },
        { name: "order", in: "query", required: false, schema: { type: "string", enum: ["asc", "desc"] }, description: "Default desc (asc for digest)." },
      ],
      responses: { "200": json("A page of images", { $ref: "#/components/schemas/ImageList" }), "400": errorResponse("Bad limit, sort, order, q or cursor"), "401": errorResponse("Missing or invalid token") },
    },
  },
  "/api/v1/admin/tokens": {
    get: {
      summary: "API tokens (never their hashes)",
      description: "Role admin.",
      security: [{ bearer: [] }],
      responses: { "200": json("Tokens", { type: "object", properties: { tokens: { type: "array", items: { $ref: "#/components/schemas/ApiToken" } } } }), "401": errorResponse("Missing or invalid token"), "403": errorResponse("Not an admin token") },
    },
    post: {
      summary: "Create an API token (the token is in this response only)",
      description: "Role admin. Audited (token.create).",
      security: [{ bearer: [] }],
      requestBody: { required: true, content: { "application/json": { schema: { type: "object", required: ["role"], properties: { role: { type: "string", enum: ["admin", "ingest", "read"] }, description: { type: "string", maxLength: 200 } } } } } },
      responses: {
        "201": json("Created", { allOf: [{ $ref: "#/components/schemas/ApiToken" }, { type: "object", required: ["token"], properties: { token: { type: "string", description: "Shown once; only its sha256 is stored." } } }] }),
        "400": errorResponse("Bad role or description"),
        "401": errorResponse("Missing or invalid token"),
        "403": errorResponse("Not an admin token"),
      },
    },
  },
  "/api/v1/admin/tokens/{id}": {
    delete: {
      summary: "Revoke an API token",
      description: "Role admin. Audited (token.revoke).",
      security: [{ bearer: [] }],
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer", minimum: 1 } }],
      responses: {
        "200": json("Revoked", { type: "object", properties: { id: { type: "integer" }, revokedAt: { type: "string", format: "date-time" } } }),
        "400": errorResponse("Not a token id"),
        "401": errorResponse("Missing or invalid token"),
        "403": errorResponse("Not an admin token"),
        "404": errorResponse("No live token with this id"),
      },
    },
  },
  "/api/v1/admin/status": {
    get: {
      summary: "Server status: database and migration, vulnerability DB, job queue, clusters, registries, settings",
      description: "Role admin.",
      security: [{ bearer: [] }],
      responses: { "200": json("Status", { $ref: "#/components/schemas/AdminStatus" }), "401": errorResponse("Missing or invalid token"), "403": errorResponse("Not an admin token") },
    },
  },
};
