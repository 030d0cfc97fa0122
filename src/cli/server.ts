// `berth server`: the HTTP API with the inventory store and an in-process scan worker. Runs until
// SIGINT/SIGTERM, then stops taking jobs and closes cleanly. Flags, else BERTH_* environment.
import { resolve } from "node:path";
import { Command, Option } from "commander";
import { parseKubeconfigFlags } from "./cluster.js";
import { parsePlatformOption, type Io } from "./common.js";
import { applyConfigSources } from "./config.js";
import type { AdmissionPolicy, Severity } from "../server/admission.js";
import { resolveCacheDir } from "../util/cache-dir.js";
import { loadTrustFlags, trustKeyOption, trustPolicyOption, type TrustFlagValues } from "./trust-flags.js";
import { BerthError } from "../util/errors.js";
import { defaultLimits } from "../util/limits.js";
import { addDbUpdateOptions, addRescanOptions, parseDbUpdateFlags, parseRescanFlags, untilStopSignal, type RescanFlags } from "./worker-options.js";

export const DEFAULT_DATA_DIR = "./.berth";
export const DEFAULT_LISTEN = "127.0.0.1:8080";
const DEFAULT_RATE_LIMIT = "600:120";
const DEFAULT_RATE_LIMIT_EVENTS = "6000:1000";

interface ServerFlags extends RescanFlags, TrustFlagValues {
  registryHmacSecret?: string;
  metricsToken?: string;
  rateLimit?: string;
  rateLimitEvents?: string;
  trustProxy?: string[];
  dataDir?: string;
  listen?: string;
  databaseUrl?: string;
  registrySecret?: string;
  insecureRegistry?: string[];
  cacheDir?: string;
  platform?: string;
  concurrency?: string;
  admissionMode?: string;
  admissionSeverity?: string;
  allowedRegistry?: string[];
  admissionSecret?: string;
  admissionRequireSignature?: boolean;
  admissionAllowedSource?: string[];
  oidcAudience?: string;
  oidcGitlabIssuer?: string[];
  oidcAzureOrg?: string[];
  oidc?: boolean;
  kubeconfig?: string[];
  kubeContext?: string[];
  nodeportExposed?: boolean;
  scanRegistry?: string[];
}

const ADMISSION_SEVERITIES = ["critical", "high", "medium", "low", "negligible", "none"] as const;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function serverCommand(io: Io, signals: NodeJS.EventEmitter = process): Command {
  // Rescan flags first in --help: they are shared with `berth worker`'s docs (worker-options.ts).
  return addDbUpdateOptions(addRescanOptions(new Command("server")))
    .description("run the Berth server: HTTP API, registry event ingest and the scan queue")
    .option("--data-dir <dir>", `data directory for the embedded SQLite store (env BERTH_DATA_DIR, default ${DEFAULT_DATA_DIR})`)
    .option("--listen <host:port>", `address to listen on (env BERTH_LISTEN, default ${DEFAULT_LISTEN})`)
    .option("--database-url <url>", "PostgreSQL instead of SQLite: postgres://user@host:port/db (env BERTH_DATABASE_URL)")
    .option("--registry-secret <secret>", "shared secret registries send as 'Authorization: Bearer <secret>' (env BERTH_REGISTRY_SECRET)")
    .option("--registry-hmac-secret <secret>", "registry events may instead be signed: 'X-Berth-Signature: sha256=<hex HMAC-SHA256 of the body>' (env BERTH_REGISTRY_HMAC_SECRET)")
    .option("--insecure-registry <host>", "registry host reached over plain HTTP (repeatable)", collect)
    .option("--cache-dir <dir>", "vulnerability database and layer cache (default: $BERTH_CACHE_DIR, else ~/.cache/berth)")
    .option("--platform <os/arch>", "platform scanned in multi-platform images (default: this host's)")
    .addOption(new Option("--concurrency <n>", "scan jobs run at once by this process (0: no worker)").default("2"))
    .option("--config <file>", "YAML file setting any of these flags by camelCase name (dataDir: /srv/berth, insecureRegistry: [a, b]); flags and BERTH_<FLAG> env vars win over it (env BERTH_CONFIG)")
    .option("--metrics-token <token>", "GET /metrics requires 'Authorization: Bearer <token>' (default: open)")
    .addOption(new Option("--rate-limit <perMin[:burst]>", "API requests per minute per token (or client address without one), with a burst; 0: no limit").default(DEFAULT_RATE_LIMIT))
    .addOption(new Option("--rate-limit-events <perMin[:burst]>", "the same for POST /api/v1/events/registry per registry credential").default(DEFAULT_RATE_LIMIT_EVENTS))
    .option("--trust-proxy <addr>", "a reverse proxy (IP or CIDR) in front of the server: its X-Forwarded-For names the client, so address-keyed limits apply per client (repeatable)", collect)
    .option("--admission-mode <mode>", "deploy gate: enforce (deny) or audit (allow with warnings) (env BERTH_ADMISSION_MODE, default enforce)")
    .option("--admission-severity <sev>", `deploy gate: deny fixable vulnerabilities at or above ${ADMISSION_SEVERITIES.join("|")} (env BERTH_ADMISSION_SEVERITY, default high)`)
    .option("--allowed-registry <host-or-glob>", "deploy gate: allowed registry host or repository glob, e.g. ghcr.io/acme/** (repeatable; default any)", collect)
    .option("--admission-secret <secret>", "deploy gate: secret the kube-apiserver presents in the webhook URL path or as a bearer token (env BERTH_ADMISSION_SECRET)")
    .option("--admission-require-signature", "deploy gate: deny images without a signature verified with --trust-key / --trust-policy")
    .option("--admission-allowed-source <glob>", "deploy gate: require verified SLSA provenance naming a source repository matching this glob, e.g. github.com/acme/* (repeatable)", collect)
    .addOption(trustKeyOption())
    .addOption(trustPolicyOption())
    .option("--oidc-audience <aud>", "CI records: the audience CI OIDC tokens must name (env BERTH_OIDC_AUDIENCE, default berth); GitHub Actions and gitlab.com issuers are trusted")
    .option("--oidc-gitlab-issuer <url>", "CI records: also trust this self-managed GitLab issuer (repeatable)", collect)
    .option("--oidc-azure-org <id>", "CI records: also trust Azure Pipelines tokens of this organization id (repeatable)", collect)
    .option("--no-oidc", "CI records: accept API tokens only")
    .option("--kubeconfig <name=path>", "Kubernetes inventory: list and watch the cluster of this kubeconfig, recorded as NAME (repeatable)", collect)
    .option("--kube-context <name=context>", "Kubernetes inventory: kubeconfig context for cluster NAME (default: its current-context; repeatable)", collect)
    .option("--nodeport-exposed", "Kubernetes inventory: count NodePort Services as internet-exposed")
    .option("--scan-registry <host>", "scan running images never seen before from this registry too (besides registries that notify the server and --insecure-registry hosts; '*' for any; repeatable)", collect)
    .hook("preAction", (cmd) => applyConfigSources(cmd, io.env, { envPrefix: "BERTH_", fileOption: "config" }))
    .action(async (f: ServerFlags) => {
      const env = io.env;
      const dbUpdate = parseDbUpdateFlags(f, env);
      const concurrency = Number(f.concurrency ?? "2");
      if (!Number.isInteger(concurrency) || concurrency < 0 || concurrency > 8) throw new BerthError("usage", "--concurrency: expected a whole number from 0 to 8");
      const { parseListen, startServer } = await import("../server/index.js");
      const { parseBucketLimit, parseTrustProxy } = await import("../server/rate-limit.js");
      const { host, port } = parseListen(f.listen ?? env.BERTH_LISTEN ?? DEFAULT_LISTEN);
      const databaseUrl = f.databaseUrl ?? env.BERTH_DATABASE_URL;
      const registrySecret = f.registrySecret ?? env.BERTH_REGISTRY_SECRET;
      const admissionMode = f.admissionMode ?? env.BERTH_ADMISSION_MODE ?? "enforce";
      if (admissionMode !== "enforce" && admissionMode !== "audit") throw new BerthError("usage", "--admission-mode: expected enforce or audit");
      const admissionSeverity = f.admissionSeverity ?? env.BERTH_ADMISSION_SEVERITY ?? "high";
      if (!(ADMISSION_SEVERITIES as readonly string[]).includes(admissionSeverity)) throw new BerthError("usage", `--admission-severity: expected one of ${ADMISSION_SEVERITIES.join(", ")}`);
      const admissionSecret = f.admissionSecret ?? env.BERTH_ADMISSION_SECRET;
      const admissionPolicy: AdmissionPolicy = {
        mode: admissionMode,
        requireScanned: true,
        ...(admissionSeverity !== "none" ? { denyFixableAtOrAbove: admissionSeverity as Severity } : {}),
        ...(f.allowedRegistry && f.allowedRegistry.length > 0 ? { allowedRegistries: f.allowedRegistry } : {}),
        ...(f.admissionRequireSignature ? { requireSignature: true } : {}),
        ...(f.admissionAllowedSource && f.admissionAllowedSource.length > 0 ? { allowedSourceRepositories: f.admissionAllowedSource } : {}),
      };
      const trust = await loadTrustFlags(f);
      const { defaultIssuers } = await import("../server/auth/oidc.js");
      const oidc =
        f.oidc === false
          ? undefined
          : { issuers: defaultIssuers({ ...(f.oidcGitlabIssuer ? { gitlabIssuers: f.oidcGitlabIssuer } : {}), ...(f.oidcAzureOrg ? { azureOrgIds: f.oidcAzureOrg } : {}) }), audience: f.oidcAudience ?? env.BERTH_OIDC_AUDIENCE ?? "berth" };
      const log = (msg: string) => io.stderr.write(`${new Date().toISOString()} ${msg}\n`);
      const server = await startServer({
        dataDir: resolve(f.dataDir ?? env.BERTH_DATA_DIR ?? DEFAULT_DATA_DIR),
        ...(databaseUrl ? { databaseUrl } : {}),
        host,
        port,
        ...(registrySecret ? { registrySecret } : {}),
        insecureRegistries: f.insecureRegistry ?? [],
        cacheDir: resolveCacheDir({ ...(f.cacheDir ? { cacheDir: f.cacheDir } : {}), env }),
        platform: parsePlatformOption(f.platform),
        limits: defaultLimits,
        concurrency,
        log,
        admissionPolicy,
        ...(admissionSecret ? { admissionSecret } : {}),
        ...(oidc ? { oidc } : {}),
        trust,
        ...(f.registryHmacSecret ? { registryHmacSecret: f.registryHmacSecret } : {}),
        ...(f.metricsToken ? { metricsToken: f.metricsToken } : {}),
        rateLimit: { api: parseBucketLimit(f.rateLimit ?? DEFAULT_RATE_LIMIT, "--rate-limit"), events: parseBucketLimit(f.rateLimitEvents ?? DEFAULT_RATE_LIMIT_EVENTS, "--rate-limit-events") },
        trustProxy: parseTrustProxy(f.trustProxy ?? []),
        kubeconfigs: parseKubeconfigFlags(f.kubeconfig ?? [], f.kubeContext ?? []),
        nodePortExposed: f.nodeportExposed === true,
        scanRegistries: f.scanRegistry ?? [],
        rescan: parseRescanFlags(f, env),
        ...(dbUpdate ? { dbUpdate } : {}),
      });
      log(`berth server listening on ${server.url} (${server.repos.store.kind})`);
      await untilStopSignal(signals);
      log("shutting down");
      await server.close();
    });
}
