// Registry credentials from the Docker CLI's config (`$DOCKER_CONFIG/config.json`, default
// `~/.docker/config.json`): `auths` entries (base64 `auth`, `username`/`password`,
// `identitytoken`, `registrytoken`) and `credHelpers` / `credsStore` through the
// docker-credential-helpers protocol (`docker-credential-<name> get`, server URL on stdin,
// `{"Username","Secret"}` JSON on stdout).
import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { BerthError } from "../../util/errors.js";
import { isDockerHub } from "./reference.js";

export type Credential =
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  /** An OAuth2 refresh token for the token server (docker's "identitytoken"). */
  | { readonly kind: "identity-token"; readonly token: string; readonly username?: string }
  /** A bearer token sent to the registry as is (docker's "registrytoken"). */
  | { readonly kind: "registry-token"; readonly token: string };

export interface CredentialLookupOptions {
  /** Directory holding config.json; default $DOCKER_CONFIG, then ~/.docker. */
  readonly configDir?: string;
  /** Environment for DOCKER_CONFIG, HOME and the helpers' PATH (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** How long a credential helper may take (default 10 s). */
  readonly helperTimeoutMs?: number;
}

const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_HELPER_OUTPUT = 64 * 1024;
const DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
const HELPER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The config.json path used for these options. */
export function dockerConfigPath(opts: CredentialLookupOptions = {}): string {
  const env = opts.env ?? process.env;
  const dir = opts.configDir ?? env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), ".docker");
  return join(dir, "config.json");
}

/** "https://index.docker.io/v1/" → "index.docker.io"; "http://host:5000/v2" → "host:5000". */
export function configKeyHost(key: string): string {
  let k = key.trim().toLowerCase();
  k = k.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  const slash = k.indexOf("/");
  return slash >= 0 ? k.slice(0, slash) : k;
}

function sameRegistry(registry: string, keyHost: string): boolean {
  const r = registry.toLowerCase();
  return keyHost === r || (isDockerHub(r) && isDockerHub(keyHost));
}

/** The server URL docker hands credential helpers for a registry. */
export function helperServerUrl(registry: string): string {
  return isDockerHub(registry) ? DOCKER_HUB_SERVER : registry;
}

async function readConfig(path: string): Promise<Json | undefined> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw new BerthError("input", `${path}: cannot read (${(e as Error).message})`);
  }
  if (size > MAX_CONFIG_BYTES) throw new BerthError("limit", `${path}: larger than ${MAX_CONFIG_BYTES} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(await readFile(path, "utf8"));
  } catch {
    throw new BerthError("input", `${path}: not valid JSON`);
  }
  if (!isObject(v)) throw new BerthError("input", `${path}: not a JSON object`);
  return v;
}

/** Credentials from one `auths` entry, or undefined when it holds none. */
export function credentialFromAuthEntry(entry: unknown, where: string): Credential | undefined {
  if (!isObject(entry)) return undefined;
  const registryToken = str(entry.registrytoken);
  if (registryToken) return { kind: "registry-token", token: registryToken };
  let username = str(entry.username);
  let password = str(entry.password);
  const auth = str(entry.auth);
  if (auth) {
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i <= 0) throw new BerthError("input", `${where}: "auth" is not base64 of "username:password"`);
    username = decoded.slice(0, i);
    password = decoded.slice(i + 1);
  }
  const identityToken = str(entry.identitytoken);
  if (identityToken) return { kind: "identity-token", token: identityToken, ...(username ? { username } : {}) };
  if (username !== undefined && password !== undefined) return { kind: "basic", username, password };
  return undefined;
}

/**
 * Runs `docker-credential-<helper> get` for a server URL. Returns undefined when the helper has
 * no credentials for it; throws BerthError("auth") when the helper is missing, fails or hangs.
 */
export async function runCredentialHelper(helper: string, serverUrl: string, opts: CredentialLookupOptions = {}): Promise<Credential | undefined> {
  if (!HELPER_NAME_RE.test(helper)) throw new BerthError("input", `invalid credential helper name "${helper.slice(0, 80)}"`);
  const bin = `docker-credential-${helper}`;
  const timeoutMs = opts.helperTimeoutMs ?? 10_000;
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(bin, ["get"], { env: opts.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new BerthError("auth", `credential helper ${bin} did not answer within ${timeoutMs} ms`)));
    }, timeoutMs);
    child.on("error", (e: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          e.code === "ENOENT"
            ? new BerthError("auth", `credential helper ${bin} (named in the docker config) is not on PATH`)
            : new BerthError("auth", `credential helper ${bin} could not start: ${e.message}`),
        ),
      );
    });
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString("utf8");
      if (out.length > MAX_HELPER_OUTPUT) {
        child.kill("SIGKILL");
        finish(() => reject(new BerthError("limit", `credential helper ${bin}: output larger than ${MAX_HELPER_OUTPUT} bytes`)));
      }
    });
    child.stderr.on("data", (c: Buffer) => {
      if (err.length < 4096) err += c.toString("utf8");
    });
    child.on("close", (code) => finish(() => resolve({ code, stdout: out, stderr: err })));
    child.stdin.on("error", () => {}); // a helper that exits without reading stdin
    child.stdin.end(serverUrl);
  });
  if (code !== 0) {
    const msg = (stdout.trim() || stderr.trim()).split("\n")[0] ?? "";
    if (/credentials not found/i.test(msg)) return undefined;
    throw new BerthError("auth", `credential helper ${bin} failed (exit ${code}): ${msg.slice(0, 200)}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch {
    throw new BerthError("auth", `credential helper ${bin}: output is not JSON`);
  }
  if (!isObject(v)) throw new BerthError("auth", `credential helper ${bin}: output is not a JSON object`);
  const username = typeof v.Username === "string" ? v.Username : "";
  const secret = typeof v.Secret === "string" ? v.Secret : "";
  if (secret === "") return undefined;
  if (username === "<token>") return { kind: "identity-token", token: secret };
  return { kind: "basic", username, password: secret };
}

/**
 * Looks up credentials for a registry the way the Docker CLI does: `credHelpers[host]`, else
 * `credsStore`, else the `auths` entry (also used when the store has nothing for the host).
 * Undefined when there are none (anonymous access).
 */
export async function dockerCredentials(registry: string, opts: CredentialLookupOptions = {}): Promise<Credential | undefined> {
  const path = dockerConfigPath(opts);
  const config = await readConfig(path);
  if (!config) return undefined;
  const helpers = isObject(config.credHelpers) ? config.credHelpers : {};
  const helperKey = Object.keys(helpers).find((k) => sameRegistry(registry, configKeyHost(k)));
  const helper = helperKey !== undefined ? str(helpers[helperKey]) : undefined;
  if (helper) return runCredentialHelper(helper, helperServerUrl(registry), opts);
  const store = str(config.credsStore);
  if (store) {
    const fromStore = await runCredentialHelper(store, helperServerUrl(registry), opts);
    if (fromStore) return fromStore;
  }
  const auths = isObject(config.auths) ? config.auths : {};
  // an exact key beats an alias (e.g. "registry-1.docker.io" over "https://index.docker.io/v1/")
  const keys = Object.keys(auths).filter((k) => sameRegistry(registry, configKeyHost(k)));
  keys.sort((a, b) => Number(configKeyHost(b) === registry.toLowerCase()) - Number(configKeyHost(a) === registry.toLowerCase()));
  for (const k of keys) {
    const c = credentialFromAuthEntry(auths[k], `${path} auths["${k}"]`);
    if (c) return c;
  }
  return undefined;
}
