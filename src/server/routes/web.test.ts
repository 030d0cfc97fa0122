import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Fastify from "fastify";
import { registerWebRoutes } from "./web.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function webDir(withBuild: boolean): string {
  const root = mkdtempSync(join(tmpdir(), "berth-web-"));
  dirs.push(root);
  const dir = join(root, "web");
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(join(root, "secret.txt"), "outside");
  if (withBuild) {
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>Berth</title>");
    writeFileSync(join(dir, "assets", "index-abc123.js"), `console.log(${JSON.stringify("x".repeat(4000))});`);
  }
  return dir;
}

async function app(dir: string) {
  const a = Fastify();
  a.get("/api/v1/known", async () => ({ ok: true }));
  registerWebRoutes(a, { dir });
  await a.ready();
  return a;
}

test("serves assets with their type and immutable caching, gzip when accepted", async () => {
  const a = await app(webDir(true));
  const js = await a.inject({ url: "/assets/index-abc123.js" });
  assert.equal(js.statusCode, 200);
  assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
  assert.equal(js.headers["cache-control"], "public, max-age=31536000, immutable");
  const gz = await a.inject({ url: "/assets/index-abc123.js", headers: { "accept-encoding": "gzip, br" } });
  assert.equal(gz.headers["content-encoding"], "gzip");
  assert.ok(gz.rawPayload.length < js.rawPayload.length);
});

test("UI paths fall back to index.html with a same-origin policy; API paths and missing files do not", async () => {
  const a = await app(webDir(true));
  for (const url of ["/", "/explorer?q=image", "/images/sha256%3Aabc", "/admin"]) {
    const r = await a.inject({ url });
    assert.equal(r.statusCode, 200, url);
    assert.match(r.headers["content-type"] as string, /^text\/html/);
    assert.equal(r.headers["cache-control"], "no-cache");
    assert.match(r.headers["content-security-policy"] as string, /default-src 'self'/);
  }
  assert.equal((await a.inject({ url: "/api/v1/known" })).statusCode, 200);
  for (const url of ["/api/v1/unknown", "/api", "/metrics", "/assets/missing.js", "/favicon.ico"]) {
    const r = await a.inject({ url });
    assert.equal(r.statusCode, 404, url);
    assert.equal(r.json().error, "not-found");
  }
});

test("never serves a file outside the directory", async () => {
  const a = await app(webDir(true));
  for (const url of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt", "/..%5csecret.txt"]) {
    const r = await a.inject({ url });
    assert.notEqual(r.body, "outside", url);
    assert.ok(r.statusCode === 404 || r.statusCode === 400 || /^text\/html/.test(String(r.headers["content-type"])), url);
  }
  assert.equal((await a.inject({ url: "/%E0%A4%A" })).statusCode, 400);
});

test("without a build, pages answer with a one-line hint", async () => {
  const a = await app(webDir(false));
  const r = await a.inject({ url: "/" });
  assert.equal(r.statusCode, 503);
  assert.match(r.body, /run `npm run build`/);
  assert.equal(r.body.trim().split("\n").length, 1);
});
