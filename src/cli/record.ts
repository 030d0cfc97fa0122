// `berth record --server URL [--token T] <image@digest>…`: run in CI after the push; tells the
// server which repository, commit and run built these images, with the repository's CODEOWNERS.
// Authenticates with the CI job's OIDC token when the job can get one (GitHub Actions with
// `id-token: write`, GitLab `id_tokens:`, Azure Pipelines), else with an API token.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { detectCi, type CiContext } from "../attest/ci-env.js";
import { parseReference } from "../image/registry/reference.js";
import { BerthError } from "../util/errors.js";
import type { Io } from "./common.js";

type Env = Readonly<Record<string, string | undefined>>;

export const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"] as const;
const MAX_CODEOWNERS = 64 * 1024;
const MAX_RESPONSE = 1024 * 1024;
const TIMEOUT_MS = 30_000;

export interface RecordImage {
  readonly reference: string;
  readonly digest: string;
}

export interface RecordPayload {
  readonly repository?: string;
  readonly commit?: string;
  readonly ref?: string;
  readonly workflow?: string;
  readonly runId?: string;
  readonly runAttempt?: string;
  readonly runUrl?: string;
  readonly actor?: string;
  readonly provider: "github" | "gitlab" | "azure";
  readonly codeowners?: string;
  readonly images: readonly RecordImage[];
}

/** "host/repo:tag@sha256:…" → { reference, digest }; a digest is required (what was pushed). */
export function parseRecordImage(arg: string): RecordImage {
  const r = parseReference(arg);
  if (!r.digest) throw new BerthError("usage", `${arg}: give the pushed image by digest (image@sha256:…)`);
  return { reference: arg.trim(), digest: r.digest };
}

function providerOf(ci: CiContext): RecordPayload["provider"] {
  switch (ci.platform) {
    case "github-actions":
      return "github";
    case "gitlab-ci":
      return "gitlab";
    case "azure-pipelines":
      return "azure";
    case "local":
      throw new BerthError("usage", "berth record runs in CI (GitHub Actions, Azure Pipelines or GitLab CI)");
  }
}

/** The record body from the CI context (ci-env.ts reads the environment; shared with provenance). */
export function recordPayload(ci: CiContext, images: readonly RecordImage[], codeowners?: string): RecordPayload {
  const provider = providerOf(ci);
  // The workflow's name is what GitHub's and Azure's tokens carry; GitLab's token names the config file.
  const workflow = provider === "gitlab" ? (ci.workflowName ?? ci.workflow) : ci.workflowName;
  const out: Record<string, unknown> = {
    provider,
    repository: ci.repository,
    commit: ci.commit,
    ref: ci.ref,
    workflow,
    runId: ci.runId,
    runAttempt: ci.runAttempt,
    runUrl: provider === "gitlab" ? (ci.details["pipelineId"] && ci.repository ? `${ci.repository}/-/pipelines/${ci.details["pipelineId"]}` : ci.runUrl) : ci.runUrl,
    actor: ci.actor,
    codeowners,
    images,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as unknown as RecordPayload;
}

/** The first CODEOWNERS found in dir (.github/, root, docs/), or undefined. */
export function readCodeowners(dir: string): string | undefined {
  for (const rel of CODEOWNERS_PATHS) {
    const p = join(dir, rel);
    let size: number;
    try {
      const st = statSync(p);
      if (!st.isFile()) continue;
      size = st.size;
    } catch {
      continue;
    }
    if (size > MAX_CODEOWNERS) throw new BerthError("limit", `${p} is larger than ${MAX_CODEOWNERS} bytes`);
    return readFileSync(p, "utf8");
  }
  return undefined;
}

/** fetch with a timeout, no redirects, and a bounded answer (network/limit BerthErrors). */
export async function fetchBounded(url: string, init: RequestInit, what: string): Promise<{ status: number; text: string }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), TIMEOUT_MS);
  try {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: ac.signal, redirect: "error" });
    } catch (e) {
      throw new BerthError("network", `${what}: ${ac.signal.aborted ? `timed out after ${TIMEOUT_MS} ms` : e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`, { cause: e });
    }
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > MAX_RESPONSE) throw new BerthError("limit", `${what}: answer larger than ${MAX_RESPONSE} bytes`);
    return { status: res.status, text: buf.toString("utf8") };
  } finally {
    clearTimeout(timer);
  }
}

function jsonField(text: string, field: string, what: string): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new BerthError("network", `${what}: answer is not JSON`);
  }
  const x = typeof v === "object" && v !== null ? (v as Record<string, unknown>)[field] : undefined;
  if (typeof x !== "string" || x === "") throw new BerthError("network", `${what}: answer has no "${field}"`);
  return x;
}

/**
 * The CI job's OIDC token for `audience`, or undefined when the job cannot get one.
 * GitHub: ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN (needs `permissions: id-token: write`);
 * GitLab: the variable named by oidcTokenEnv (an `id_tokens:` entry with `aud`);
 * Azure Pipelines: SYSTEM_OIDCREQUESTURI with SYSTEM_ACCESSTOKEN.
 */
export async function ciOidcToken(ci: CiContext, env: Env, audience: string, oidcTokenEnv: string): Promise<string | undefined> {
  const val = (n: string): string | undefined => (env[n] === undefined || env[n] === "" ? undefined : env[n]);
  if (ci.platform === "github-actions") {
    const url = val("ACTIONS_ID_TOKEN_REQUEST_URL");
    const tok = val("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    if (!url || !tok) return undefined;
    const u = new URL(url);
    u.searchParams.set("audience", audience);
    const r = await fetchBounded(u.toString(), { headers: { authorization: `Bearer ${tok}`, accept: "application/json" } }, "GitHub Actions OIDC token request");
    if (r.status !== 200) throw new BerthError("auth", `GitHub Actions OIDC token request: HTTP ${r.status}`);
    return jsonField(r.text, "value", "GitHub Actions OIDC token request");
  }
  if (ci.platform === "gitlab-ci") return val(oidcTokenEnv);
  if (ci.platform === "azure-pipelines") {
    const uri = val("SYSTEM_OIDCREQUESTURI");
    const tok = val("SYSTEM_ACCESSTOKEN");
    if (!uri || !tok) return undefined;
    const u = new URL(uri);
    if (!u.searchParams.has("api-version")) u.searchParams.set("api-version", "7.1");
    u.searchParams.set("audience", audience);
    const r = await fetchBounded(u.toString(), { method: "POST", headers: { authorization: `Bearer ${tok}`, "content-type": "application/json", accept: "application/json" }, body: "{}" }, "Azure Pipelines OIDC token request");
    if (r.status !== 200) throw new BerthError("auth", `Azure Pipelines OIDC token request: HTTP ${r.status}`);
    return jsonField(r.text, "oidcToken", "Azure Pipelines OIDC token request");
  }
  return undefined;
}

export interface RecordOptions {
  readonly server: string;
  readonly token?: string;
  readonly audience: string;
  readonly oidcTokenEnv: string;
  /** Where CODEOWNERS is looked for (the checkout). */
  readonly dir: string;
  readonly images: readonly string[];
  readonly env: Env;
  readonly log: (msg: string) => void;
}

/** Sends the record; returns the server's answer (JSON). */
export async function runRecord(o: RecordOptions): Promise<unknown> {
  const ci = detectCi(o.env);
  if (!ci) throw new BerthError("usage", "berth record: not running in GitHub Actions, Azure Pipelines or GitLab CI (no CI environment found)");
  if (o.images.length === 0) throw new BerthError("usage", "berth record: give at least one image@digest");
  const images = o.images.map(parseRecordImage);
  const codeowners = readCodeowners(o.dir);
  const body = recordPayload(ci, images, codeowners);
  let bearer: string | undefined;
  let how = "API token";
  try {
    bearer = await ciOidcToken(ci, o.env, o.audience, o.oidcTokenEnv);
    if (bearer) how = "CI OIDC token";
  } catch (e) {
    if (!o.token) throw e;
    o.log(`berth record: ${e instanceof Error ? e.message : String(e)}; using the API token`);
  }
  bearer ??= o.token;
  if (!bearer) throw new BerthError("usage", "berth record: the job has no OIDC token and no --token / BERTH_TOKEN was given");
  let base: URL;
  try {
    base = new URL(o.server);
  } catch {
    throw new BerthError("usage", `--server: not a URL: ${o.server}`);
  }
  const url = new URL("api/v1/records", base.toString().replace(/\/*$/, "/")).toString();
  o.log(`berth record: ${images.length} image(s) of ${body.repository ?? "?"}@${body.commit ?? "?"} → ${url} (${how})`);
  const send = (b: string) => fetchBounded(url, { method: "POST", headers: { authorization: `Bearer ${b}`, "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) }, `POST ${url}`);
  let r = await send(bearer);
  let answer = parseAnswer(r.text);
  // A server that does not trust this CI's issuer (or takes no OIDC tokens) may still take the API
  // token. A token whose claims disagree with the record is never retried.
  if (r.status === 401 && how === "CI OIDC token" && o.token && ["oidc-disabled", "issuer"].includes(String(answer.reason))) {
    o.log(`berth record: the server refused the OIDC token (${String(answer.reason)}); using the API token`);
    r = await send(o.token);
    answer = parseAnswer(r.text);
  }
  if (r.status !== 200) {
    const msg = typeof answer.message === "string" ? answer.message : r.text.slice(0, 200);
    const reason = typeof answer.reason === "string" ? ` [${answer.reason}]` : "";
    throw new BerthError(r.status === 401 || r.status === 403 ? "auth" : r.status === 400 ? "input" : "network", `server refused the record: HTTP ${r.status}${reason}: ${msg}`);
  }
  return answer;
}

/** A JSON object answer, or {} for anything else. */
export function parseAnswer(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

interface RecordFlags {
  server?: string;
  token?: string;
  audience?: string;
  oidcTokenEnv: string;
  dir?: string;
}

export function recordCommand(io: Io): Command {
  return new Command("record")
    .description("record in a Berth server which CI run built the pushed images (repository, commit, run, CODEOWNERS)")
    .argument("<image@digest...>", "the pushed images, by digest")
    .option("--server <url>", "the Berth server (env BERTH_SERVER)")
    .option("--token <token>", "API token (role ingest) when the job has no OIDC token (env BERTH_TOKEN)")
    .option("--audience <aud>", "audience of the requested OIDC token: the server's configured audience (env BERTH_AUDIENCE, default berth)")
    .option("--oidc-token-env <name>", "GitLab: the variable holding the job's ID token (id_tokens:)", "BERTH_ID_TOKEN")
    .option("--dir <dir>", "the checkout, where CODEOWNERS is read (default: GITHUB_WORKSPACE, BUILD_SOURCESDIRECTORY, CI_PROJECT_DIR or the current directory)")
    .action(async (imgs: string[], f: RecordFlags) => {
      const env = io.env;
      const server = f.server ?? env.BERTH_SERVER;
      if (!server) throw new BerthError("usage", "berth record: --server (or BERTH_SERVER) is required");
      const token = f.token ?? env.BERTH_TOKEN;
      const answer = await runRecord({
        server,
        ...(token ? { token } : {}),
        audience: f.audience ?? env.BERTH_AUDIENCE ?? "berth",
        oidcTokenEnv: f.oidcTokenEnv,
        dir: f.dir ?? env.GITHUB_WORKSPACE ?? env.BUILD_SOURCESDIRECTORY ?? env.CI_PROJECT_DIR ?? process.cwd(),
        images: imgs,
        env,
        log: (m) => io.stderr.write(`${m}\n`),
      });
      io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    });
}
