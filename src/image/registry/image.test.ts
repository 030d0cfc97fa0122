// Pulls from a real registry (Debian's docker-registry on 127.0.0.1) with images built by umoci
// and pushed by skopeo: anonymous, htpasswd basic auth, token auth with a real token server,
// docker config credentials and helpers, tampered content, size bounds, retries and timeouts.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { chmod, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { BerthError } from "../../util/errors.js";
import { withLimits } from "../../util/limits.js";
import { MediaType } from "../manifest.js";
import { startFaultProxy, startRegistry, type TestRegistry } from "../../../test/support/registry.js";
import { buildTinyImage, buildTinyIndex, layoutDigest, pushTinyImage, tinyLayout } from "../../../test/support/tiny-image.js";
import { openRegistryImage, RegistryClient, type RegistryImageOptions } from "./index.js";

const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 };
const AMD64 = { os: "linux", architecture: "amd64" } as const;

let layout: { dir: string; cleanup(): Promise<void> };
let tmp = "";

const isBerth = (code: string, re?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof BerthError, `expected BerthError(${code}), got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (re) assert.match(e.message, re);
  assert.ok(!e.message.includes("\n"), "one-line message");
  return true;
};

async function drain(s: Readable): Promise<{ bytes: number; sha256: string }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const c of s as AsyncIterable<Buffer>) {
    h.update(c);
    bytes += c.length;
  }
  return { bytes, sha256: `sha256:${h.digest("hex")}` };
}

function opts(extra: RegistryImageOptions = {}): RegistryImageOptions {
  return { insecure: true, auth: "anonymous", platform: AMD64, retry: FAST_RETRY, ...extra };
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "berth-regtest-"));
  layout = await tinyLayout();
  await buildTinyImage(layout.dir, {
    tag: "amd",
    layers: [{ "etc/hello": "hello amd64\n" }, { "usr/share/doc/app/README": "second layer\n" }],
    createdBy: ["RUN write hello", "COPY README /usr/share/doc/app/"],
    labels: { "org.opencontainers.image.title": "tiny" },
    env: ["PATH=/usr/bin"],
  });
  await buildTinyImage(layout.dir, { tag: "arm", platform: { os: "linux", architecture: "arm64", variant: "v8" }, layers: [{ "etc/hello": "hello arm64\n" }] });
  await buildTinyIndex(layout.dir, "multi", ["amd", "arm"]);
  await buildTinyImage(layout.dir, { tag: "tamper-layer", layers: [{ "etc/tamper": "layer to be corrupted\n" }] });
  await buildTinyImage(layout.dir, { tag: "tamper-manifest", layers: [{ "etc/tamper": "manifest to be corrupted\n" }] });
});

after(async () => {
  await layout?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

describe("anonymous registry", () => {
  let reg: TestRegistry;
  let appDigest = "";
  before(async () => {
    reg = await startRegistry();
    appDigest = await pushTinyImage(layout.dir, "amd", `${reg.host}/test/app:1`);
    await pushTinyImage(layout.dir, "amd", `${reg.host}/test/docker:1`, { format: "v2s2" });
    await pushTinyImage(layout.dir, "multi", `${reg.host}/test/multi:1`, { all: true });
    await pushTinyImage(layout.dir, "multi", `${reg.host}/test/multilist:1`, { all: true, format: "v2s2" });
  });
  after(() => reg?.stop());

  test("pulls by tag: metadata from manifest and config, verified layer streams", async () => {
    const ref = `${reg.host}/test/app:1`;
    const img = await openRegistryImage(ref, opts());
    const m = img.metadata;
    assert.equal(m.reference, ref);
    assert.equal(m.repository, `${reg.host}/test/app`);
    assert.deepEqual(m.tags, ["1"]);
    assert.equal(m.manifestDigest, appDigest);
    assert.equal(m.manifestDigest, await layoutDigest(layout.dir, "amd"));
    assert.equal(m.mediaType, MediaType.ociManifest);
    assert.deepEqual(m.platform, AMD64);
    assert.equal(m.layers.length, 2);
    assert.deepEqual(
      m.layers.map((l) => l.createdBy),
      ["RUN write hello", "COPY README /usr/share/doc/app/"],
    );
    assert.equal(m.config?.labels["org.opencontainers.image.title"], "tiny");
    assert.deepEqual(m.config?.env, ["PATH=/usr/bin"]);
    assert.equal(`sha256:${createHash("sha256").update(img.configBytes).digest("hex")}`, m.configDigest);
    for (const layer of img.layers) {
      assert.match(layer.info.diffId, /^sha256:[0-9a-f]{64}$/);
      const got = await drain(await layer.open());
      assert.equal(got.sha256, layer.info.digest);
      assert.equal(got.bytes, layer.info.size);
    }
    await img.close();
  });

  test("pulls by digest (the manifest verified against it)", async () => {
    const img = await openRegistryImage(`${reg.host}/test/app@${appDigest}`, opts());
    assert.equal(img.metadata.manifestDigest, appDigest);
    assert.deepEqual(img.metadata.tags, []);
    assert.equal(img.reference.digest, appDigest);
  });

  test("reads Docker schema 2 manifests", async () => {
    const img = await openRegistryImage(`${reg.host}/test/docker:1`, opts());
    assert.equal(img.metadata.mediaType, MediaType.dockerManifest);
    assert.equal(img.layers.length, 2);
    for (const l of img.layers) assert.equal(l.info.mediaType, MediaType.dockerLayerGzip);
    assert.equal((await drain(await img.layers[0]!.open())).sha256, img.layers[0]!.info.digest);
  });

  test("picks the platform from an OCI index and a Docker manifest list", async () => {
    for (const repo of ["test/multi", "test/multilist"]) {
      const arm = await openRegistryImage(`${reg.host}/${repo}:1`, opts({ platform: { os: "linux", architecture: "arm64" } }));
      assert.deepEqual(arm.metadata.platform, { os: "linux", architecture: "arm64", variant: "v8" });
      assert.ok(arm.indexDigest, "index digest reported");
      assert.notEqual(arm.indexDigest, arm.metadata.manifestDigest);
      const amd = await openRegistryImage(`${reg.host}/${repo}:1`, opts());
      assert.deepEqual(amd.metadata.platform, AMD64);
      assert.equal(amd.indexDigest, arm.indexDigest);
      assert.notEqual(amd.metadata.manifestDigest, arm.metadata.manifestDigest);
    }
    const amd = await openRegistryImage(`${reg.host}/test/multi:1`, opts());
    assert.equal(amd.metadata.manifestDigest, appDigest);
  });

  test("an absent platform lists the available ones", async () => {
    await assert.rejects(
      openRegistryImage(`${reg.host}/test/multi:1`, opts({ platform: { os: "linux", architecture: "s390x" } })),
      isBerth("not-found", /linux\/s390x.*available: linux\/amd64, linux\/arm64\/v8/),
    );
    // a single-platform image asked for another platform explicitly
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, opts({ platform: { os: "linux", architecture: "arm64" } })), isBerth("not-found", /available: linux\/amd64/));
    // …unless the platform is only the preference for indexes (the server's scans): read as it is
    const img = await openRegistryImage(`${reg.host}/test/app:1`, opts({ platform: { os: "linux", architecture: "arm64" }, requirePlatform: false }));
    assert.equal(img.metadata.platform?.architecture, "amd64");
    await img.close();
  });

  test("unknown tag or repository is not-found", async () => {
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:nope`, opts()), isBerth("not-found", /manifest test\/app:nope: not found \(MANIFEST_UNKNOWN/));
    await assert.rejects(openRegistryImage(`${reg.host}/test/none:1`, opts()), isBerth("not-found"));
  });

  test("plain HTTP without insecure is refused with a clear message (loopback too)", async () => {
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, { auth: "anonymous", retry: FAST_RETRY }), isBerth("network", /TLS connection to 127\.0\.0\.1:\d+ failed.*insecure/));
  });

  test("manifest and config bounded by limits.maxManifestBytes", async () => {
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, opts({ limits: withLimits({ maxManifestBytes: 100 }) })), isBerth("limit", /maxManifestBytes=100/));
    const img = await openRegistryImage(`${reg.host}/test/app:1`, opts());
    const manifestSize = img.manifestBytes.length;
    // the manifest fits but the config does not
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, opts({ limits: withLimits({ maxManifestBytes: manifestSize }) })), isBerth("limit", /config|blob/));
    // an index entry declaring a size over the bound is refused before fetching it
    await assert.rejects(openRegistryImage(`${reg.host}/test/multi:1`, opts({ limits: withLimits({ maxManifestBytes: 400 }) })), isBerth("limit", /maxManifestBytes=400/));
  });

  test("a manifest without Content-Length is counted while read", async () => {
    const chunked = createServer((_req, res) => {
      res.writeHead(200, { "content-type": MediaType.ociManifest }); // no content-length: chunked
      res.write(Buffer.alloc(600, 32));
      res.end(Buffer.alloc(600, 32));
    });
    const host = await listen(chunked);
    try {
      const client = new RegistryClient(host, { insecure: true, auth: "anonymous", limits: withLimits({ maxManifestBytes: 1000 }), retry: FAST_RETRY });
      await assert.rejects(client.getManifest("test/app", "1"), isBerth("limit", /maxManifestBytes=1000/));
    } finally {
      await close(chunked);
    }
  });

  test("blobs bounded by limits.maxBlobBytes and layer count by maxLayers", async () => {
    const img = await openRegistryImage(`${reg.host}/test/app:1`, opts({ limits: withLimits({ maxBlobBytes: 10 }) }));
    await assert.rejects(img.layers[0]!.open(), isBerth("limit", /maxBlobBytes=10/));
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, opts({ limits: withLimits({ maxLayers: 1 }) })), isBerth("limit", /maxLayers/));
  });

  test("a tampered layer blob fails the stream with digest-mismatch", async () => {
    await pushTinyImage(layout.dir, "tamper-layer", `${reg.host}/test/tamper-layer:1`);
    const img = await openRegistryImage(`${reg.host}/test/tamper-layer:1`, opts());
    const layer = img.layers[0]!;
    const path = reg.blobPath(layer.info.digest);
    const size = (await stat(path)).size;
    const fh = await open(path, "r+");
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, size - 5);
    b[0] = b[0]! ^ 0xff; // same size, one byte flipped
    await fh.write(b, 0, 1, size - 5);
    await fh.close();
    await assert.rejects(drain(await layer.open()), isBerth("digest-mismatch", new RegExp(layer.info.digest)));
  });

  test("a tampered manifest (bytes differ from Docker-Content-Digest) is refused", async () => {
    const digest = await pushTinyImage(layout.dir, "tamper-manifest", `${reg.host}/test/tamper-manifest:1`);
    const path = reg.blobPath(digest);
    const text = await readFile(path, "utf8");
    await writeFile(path, text.replace('"schemaVersion":2', '"schemaVersion":2 '));
    await assert.rejects(openRegistryImage(`${reg.host}/test/tamper-manifest:1`, opts()), isBerth("digest-mismatch", /Docker-Content-Digest/));
    await assert.rejects(openRegistryImage(`${reg.host}/test/tamper-manifest@${digest}`, opts()), isBerth("digest-mismatch"));
  });

  test("retries 503s with backoff, then succeeds; gives up after the bounded attempts", async () => {
    const proxy = await startFaultProxy(reg.url, { failFirst: 2, status: 503 });
    try {
      const img = await openRegistryImage(`${proxy.host}/test/app:1`, opts({ retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 } }));
      assert.equal(img.metadata.manifestDigest, appDigest);
      assert.equal(proxy.seen.filter((s) => s.failed).length, 2);
    } finally {
      await proxy.stop();
    }
    const always = await startFaultProxy(reg.url, { failFirst: 100, status: 502 });
    try {
      await assert.rejects(openRegistryImage(`${always.host}/test/app:1`, opts({ retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 50 } })), isBerth("network", /HTTP 502/));
      assert.equal(always.seen.length, 3);
    } finally {
      await always.stop();
    }
  });

  test("honours Retry-After; one longer than the longest wait ends the retries", async () => {
    const logs: string[] = [];
    const proxy = await startFaultProxy(reg.url, { failFirst: 1, status: 429, retryAfter: "0" });
    try {
      await openRegistryImage(`${proxy.host}/test/app:1`, opts({ log: (m) => logs.push(m) }));
      assert.ok(logs.some((l) => /HTTP 429; retry 1\/2/.test(l)), logs.join("\n"));
    } finally {
      await proxy.stop();
    }
    const slow = await startFaultProxy(reg.url, { failFirst: 5, status: 429, retryAfter: "3600" });
    try {
      await assert.rejects(openRegistryImage(`${slow.host}/test/app:1`, opts()), isBerth("network", /HTTP 429/));
      assert.equal(slow.seen.length, 1);
    } finally {
      await slow.stop();
    }
  });

  test("retries a refused connection, then reports it", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const logs: string[] = [];
    await assert.rejects(openRegistryImage(`127.0.0.1:${port}/test/app:1`, opts({ log: (m) => logs.push(m) })), isBerth("network", /connection to 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/));
    assert.equal(logs.filter((l) => l.includes("retry")).length, 2);
  });

  test("times out on a peer that never answers, and on a body that stalls", async () => {
    const sockets: Socket[] = [];
    const silent = createNetServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    const silentHost = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      await assert.rejects(
        openRegistryImage(`${silentHost}/test/app:1`, opts({ limits: withLimits({ requestTimeoutMs: 200 }), retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 } })),
        isBerth("network", /no response within 200 ms/),
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
    const stall = createServer((_req, res) => {
      res.writeHead(200, { "content-length": "1000", "content-type": "application/octet-stream" });
      res.write(Buffer.alloc(10));
    });
    const stallHost = await listen(stall);
    try {
      const client = new RegistryClient(stallHost, { insecure: true, auth: "anonymous", limits: withLimits({ requestTimeoutMs: 200 }), retry: FAST_RETRY });
      const s = await client.openBlob("test/app", { digest: `sha256:${"0".repeat(64)}`, size: 1000 });
      await assert.rejects(drain(s), isBerth("network", /no data received for 200 ms/));
    } finally {
      await close(stall);
    }
  });

  test("putBlob and putManifest push an image the source then pulls", async () => {
    const src = await openRegistryImage(`${reg.host}/test/app:1`, opts());
    const client = new RegistryClient(reg.host, { insecure: true, auth: "anonymous", retry: FAST_RETRY });
    for (const layer of src.layers) {
      const chunks: Buffer[] = [];
      for await (const c of (await layer.open()) as AsyncIterable<Buffer>) chunks.push(c);
      const put = await client.putBlob("test/copy", Buffer.concat(chunks));
      assert.equal(put.digest, layer.info.digest);
    }
    assert.equal((await client.putBlob("test/copy", src.configBytes)).digest, src.metadata.configDigest);
    // again: already there (HEAD short-cut)
    assert.equal((await client.putBlob("test/copy", src.configBytes)).digest, src.metadata.configDigest);
    const digest = await client.putManifest("test/copy", "v1", src.manifestBytes, MediaType.ociManifest);
    assert.equal(digest, src.metadata.manifestDigest);
    const head = await client.headManifest("test/copy", "v1");
    assert.equal(head?.digest, digest);
    assert.equal(await client.headManifest("test/copy", "v2"), undefined);
    const copy = await openRegistryImage(`${reg.host}/test/copy:v1`, opts());
    assert.equal(copy.metadata.manifestDigest, src.metadata.manifestDigest);
  });
});

describe("test harness", () => {
  test("notifications endpoints are passed through: the registry posts push events", async () => {
    const events: { action?: string; target?: { repository?: string; tag?: string } }[] = [];
    const hook = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { events?: typeof events };
        events.push(...(body.events ?? []));
        res.writeHead(200).end();
      });
    });
    const hookHost = await listen(hook);
    const reg = await startRegistry({ notifications: [{ name: "berth-test", url: `http://${hookHost}/hook`, timeout: "1s", threshold: 3, backoff: "100ms" }] });
    try {
      await pushTinyImage(layout.dir, "amd", `${reg.host}/test/events:1`);
      for (let i = 0; i < 200 && !events.some((e) => e.action === "push" && e.target?.tag === "1"); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(events.some((e) => e.action === "push" && e.target?.repository === "test/events" && e.target.tag === "1"), JSON.stringify(events).slice(0, 500));
    } finally {
      await reg.stop();
      await close(hook);
    }
  });
});

describe("basic auth (htpasswd)", () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ auth: { kind: "htpasswd", users: { alice: "s3cret" } } });
    await pushTinyImage(layout.dir, "amd", `${reg.host}/test/app:1`, { creds: "alice:s3cret" });
  });
  after(() => reg?.stop());

  test("pulls with basic credentials", async () => {
    const img = await openRegistryImage(`${reg.host}/test/app:1`, opts({ auth: { kind: "basic", username: "alice", password: "s3cret" } }));
    assert.equal((await drain(await img.layers[1]!.open())).sha256, img.layers[1]!.info.digest);
  });

  test("anonymous and wrong password are auth errors", async () => {
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, opts()), isBerth("auth", /authentication required/));
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, opts({ auth: { kind: "basic", username: "alice", password: "wrong" } })), isBerth("auth", /refused the credentials for alice \(HTTP 401/));
  });

  test("credentials from docker config auths ($DOCKER_CONFIG)", async () => {
    const dir = join(tmp, "basic-config");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "config.json"), JSON.stringify({ auths: { [`http://${reg.host}`]: { auth: Buffer.from("alice:s3cret").toString("base64") } } }));
    const img = await openRegistryImage(`${reg.host}/test/app:1`, opts({ auth: "docker-config", credentialLookup: { env: { ...process.env, DOCKER_CONFIG: dir } } }));
    assert.equal(img.layers.length, 2);
  });
});

describe("token auth", () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ auth: { kind: "token", users: { alice: "s3cret", ci: "ci-pw" }, identityTokens: { "refresh-abc": "alice" } } });
    await pushTinyImage(layout.dir, "amd", `${reg.host}/test/app:1`, { creds: "alice:s3cret" });
    reg.tokenRequests.length = 0;
  });
  after(() => reg?.stop());

  test("the challenge flow gets a token for the repository scope, cached per scope", async () => {
    const client = new RegistryClient(reg.host, { insecure: true, auth: { kind: "basic", username: "alice", password: "s3cret" }, retry: FAST_RETRY });
    const img = await openRegistryImage(`${reg.host}/test/app:1`, opts({ client }));
    for (const l of img.layers) assert.equal((await drain(await l.open())).sha256, l.info.digest);
    assert.equal(reg.tokenRequests.length, 1);
    assert.deepEqual(reg.tokenRequests[0], { method: "GET", user: "alice", service: "berth-test-registry", scopes: ["repository:test/app:pull"], granted: true });
    await openRegistryImage(`${reg.host}/test/app:1`, opts({ client }));
    assert.equal(reg.tokenRequests.length, 1, "token reused");
    // a push scope is a new token
    await client.putBlob("test/app", Buffer.from("a new blob"));
    assert.deepEqual(reg.tokenRequests.at(-1)?.scopes, ["repository:test/app:pull,push"]);
  });

  test("a wrong password is a clear auth error; anonymous is denied", async () => {
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, opts({ auth: { kind: "basic", username: "alice", password: "nope" } })), isBerth("auth", /token server 127\.0\.0\.1:\d+ .*credentials refused as alice \(HTTP 401/));
    await assert.rejects(openRegistryImage(`${reg.host}/test/app:1`, opts()), isBerth("auth", /access denied anonymously \(HTTP 401/));
  });

  test("identity token from docker config uses the OAuth2 refresh-token grant", async () => {
    const dir = join(tmp, "token-config");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "config.json"), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from("alice:").toString("base64"), identitytoken: "refresh-abc" } } }));
    reg.tokenRequests.length = 0;
    const img = await openRegistryImage(`${reg.host}/test/app:1`, opts({ auth: "docker-config", credentialLookup: { configDir: dir, env: process.env } }));
    assert.equal(img.layers.length, 2);
    assert.deepEqual(reg.tokenRequests[0], { method: "POST", user: "alice", service: "berth-test-registry", scopes: ["repository:test/app:pull"], granted: true });
  });

  test("credentials from a docker-credential-<name> helper on PATH", async () => {
    const bin = join(tmp, "bin");
    await mkdir(bin, { recursive: true });
    const helper = join(bin, "docker-credential-test");
    await writeFile(helper, `#!/bin/sh\nread -r server\n[ "$server" = "${reg.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"ci","Secret":"ci-pw"}' "$server"\n`);
    await chmod(helper, 0o755);
    const dir = join(tmp, "helper-config");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "config.json"), JSON.stringify({ credHelpers: { [reg.host]: "test" } }));
    reg.tokenRequests.length = 0;
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, DOCKER_CONFIG: dir };
    const img = await openRegistryImage(`${reg.host}/test/app:1`, opts({ auth: "docker-config", credentialLookup: { env } }));
    assert.equal(img.layers.length, 2);
    assert.equal(reg.tokenRequests[0]?.user, "ci");
  });

  test("blob redirects are followed without forwarding Authorization to another host", async () => {
    // B: a "storage" host serving blobs from the registry's storage dir, recording headers.
    const seenAtB: IncomingHttpHeaders[] = [];
    const storage = createServer((req, res) => {
      seenAtB.push(req.headers);
      const digest = (req.url ?? "").split("/").at(-1) ?? "";
      const s = createReadStream(reg.blobPath(digest));
      s.on("error", () => res.writeHead(404).end());
      s.on("open", () => {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        s.pipe(res);
      });
    });
    const storageHost = await listen(storage);
    // A: in front of the registry; redirects blob GETs to B, proxies the rest.
    const authAtA: (string | undefined)[] = [];
    const front = createServer((req, res) => {
      const path = req.url ?? "/";
      if (req.method === "GET" && /\/blobs\/sha256:/.test(path)) {
        authAtA.push(req.headers.authorization);
        res.writeHead(307, { location: `http://${storageHost}/data/${path.split("/").at(-1)}` }).end();
        return;
      }
      const up = httpRequest({ host: "127.0.0.1", port: new URL(reg.url).port, method: req.method, path, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    });
    const frontHost = await listen(front);
    try {
      const img = await openRegistryImage(`${frontHost}/test/app:1`, opts({ auth: { kind: "basic", username: "alice", password: "s3cret" } }));
      for (const l of img.layers) assert.equal((await drain(await l.open())).sha256, l.info.digest);
      assert.equal(seenAtB.length, 3, "config + 2 layers fetched from the storage host");
      for (const h of seenAtB) assert.equal(h.authorization, undefined);
      assert.ok(authAtA.length === 3 && authAtA.every((a) => a?.startsWith("Bearer ")), "the registry itself got the token");
    } finally {
      await close(front);
      await close(storage);
    }
  });
});
