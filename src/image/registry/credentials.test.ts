import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BerthError } from "../../util/errors.js";
import { configKeyHost, credentialFromAuthEntry, dockerCredentials, runCredentialHelper } from "./credentials.js";

let root = "";
let binDir = "";
const b64 = (s: string): string => Buffer.from(s).toString("base64");

// A fake credential helper speaking the docker-credential-helpers protocol.
const HELPER = `#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
case "$server" in
  "127.0.0.1:5000") printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-pw"}' "$server" ;;
  "https://index.docker.io/v1/") printf '{"ServerURL":"%s","Username":"<token>","Secret":"hub-identity"}' "$server" ;;
  "broken.example.com") echo "keychain is locked" >&2; exit 1 ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

before(async () => {
  root = await mkdtemp(join(tmpdir(), "berth-creds-"));
  binDir = join(root, "bin");
  await mkdir(binDir);
  await writeFile(join(binDir, "docker-credential-test"), HELPER);
  await writeFile(join(binDir, "docker-credential-hang"), "#!/bin/sh\nexec sleep 30\n");
  await chmod(join(binDir, "docker-credential-test"), 0o755);
  await chmod(join(binDir, "docker-credential-hang"), 0o755);
});
after(() => rm(root, { recursive: true, force: true }));

async function configDir(name: string, config: unknown): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "config.json"), typeof config === "string" ? config : JSON.stringify(config));
  return dir;
}

const env = (): NodeJS.ProcessEnv => ({ PATH: `${binDir}:/usr/bin:/bin`, HOME: join(root, "nohome") });

test("configKeyHost normalises auths keys", () => {
  assert.equal(configKeyHost("https://index.docker.io/v1/"), "index.docker.io");
  assert.equal(configKeyHost("http://Registry.Example.com:5000/v2/"), "registry.example.com:5000");
  assert.equal(configKeyHost("registry.example.com"), "registry.example.com");
});

test("auths: base64 auth, username/password, identitytoken, registrytoken", () => {
  assert.deepEqual(credentialFromAuthEntry({ auth: b64("alice:pa:ss") }, "x"), { kind: "basic", username: "alice", password: "pa:ss" });
  assert.deepEqual(credentialFromAuthEntry({ username: "bob", password: "pw" }, "x"), { kind: "basic", username: "bob", password: "pw" });
  assert.deepEqual(credentialFromAuthEntry({ auth: b64("carol:"), identitytoken: "idt" }, "x"), { kind: "identity-token", token: "idt", username: "carol" });
  assert.deepEqual(credentialFromAuthEntry({ registrytoken: "rt" }, "x"), { kind: "registry-token", token: "rt" });
  assert.equal(credentialFromAuthEntry({}, "x"), undefined);
  assert.throws(() => credentialFromAuthEntry({ auth: b64("no-colon") }, "x"), (e: unknown) => e instanceof BerthError && e.code === "input");
});

test("dockerCredentials: auths by host, Docker Hub aliases, $DOCKER_CONFIG and ~/.docker", async () => {
  const dir = await configDir("auths", {
    auths: {
      "127.0.0.1:5000": { auth: b64("alice:s3cret") },
      "https://index.docker.io/v1/": { auth: b64("hubuser:hubpw") },
      "http://other.example.com/v2/": { username: "o", password: "p" },
    },
  });
  assert.deepEqual(await dockerCredentials("127.0.0.1:5000", { configDir: dir, env: env() }), { kind: "basic", username: "alice", password: "s3cret" });
  assert.deepEqual(await dockerCredentials("registry-1.docker.io", { configDir: dir, env: env() }), { kind: "basic", username: "hubuser", password: "hubpw" });
  assert.deepEqual(await dockerCredentials("other.example.com", { env: { ...env(), DOCKER_CONFIG: dir } }), { kind: "basic", username: "o", password: "p" });
  assert.equal(await dockerCredentials("127.0.0.1:5001", { configDir: dir, env: env() }), undefined);
  const home = join(root, "home");
  await configDir("home/.docker", { auths: { "127.0.0.1:5000": { username: "h", password: "hp" } } });
  assert.deepEqual(await dockerCredentials("127.0.0.1:5000", { env: { PATH: "/usr/bin", HOME: home } }), { kind: "basic", username: "h", password: "hp" });
  assert.equal(await dockerCredentials("127.0.0.1:5000", { env: { PATH: "/usr/bin", HOME: join(root, "missing") } }), undefined);
});

test("dockerCredentials: credHelpers and credsStore through docker-credential-<name> get", async () => {
  const helpers = await configDir("helpers", { credHelpers: { "127.0.0.1:5000": "test", "registry-1.docker.io": "test" }, auths: { "127.0.0.1:5000": { auth: b64("file:pw") } } });
  assert.deepEqual(await dockerCredentials("127.0.0.1:5000", { configDir: helpers, env: env() }), { kind: "basic", username: "helper-user", password: "helper-pw" });
  assert.deepEqual(await dockerCredentials("docker.io", { configDir: helpers, env: env() }), { kind: "identity-token", token: "hub-identity" });
  // credsStore without an entry for the host falls back to auths
  const store = await configDir("store", { credsStore: "test", auths: { "10.0.0.1:5000": { auth: b64("file:pw") } } });
  assert.deepEqual(await dockerCredentials("10.0.0.1:5000", { configDir: store, env: env() }), { kind: "basic", username: "file", password: "pw" });
  assert.deepEqual(await dockerCredentials("127.0.0.1:5000", { configDir: store, env: env() }), { kind: "basic", username: "helper-user", password: "helper-pw" });
});

test("credential helpers: failures are clear auth errors", async () => {
  const isAuth = (re: RegExp) => (e: unknown) => e instanceof BerthError && e.code === "auth" && re.test(e.message);
  await assert.rejects(runCredentialHelper("missing", "h", { env: env() }), isAuth(/docker-credential-missing .*not on PATH/));
  await assert.rejects(runCredentialHelper("test", "broken.example.com", { env: env() }), isAuth(/failed \(exit 1\): keychain is locked/));
  await assert.rejects(runCredentialHelper("hang", "h", { env: env(), helperTimeoutMs: 200 }), isAuth(/did not answer within 200 ms/));
  await assert.rejects(runCredentialHelper("../evil", "h", { env: env() }), (e: unknown) => e instanceof BerthError && e.code === "input");
  assert.equal(await runCredentialHelper("test", "unknown.example.com", { env: env() }), undefined);
});

test("dockerCredentials: malformed config.json is an input error", async () => {
  const dir = await configDir("bad", "{not json");
  await assert.rejects(dockerCredentials("127.0.0.1:5000", { configDir: dir, env: env() }), (e: unknown) => e instanceof BerthError && e.code === "input" && e.message.includes("not valid JSON"));
});
