import { test } from "node:test";
import assert from "node:assert/strict";
import { parseChallenges } from "./challenge.js";

test("parseChallenges: Bearer with realm, service and scope", () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull"'), [
    { scheme: "bearer", params: { realm: "https://auth.example.com/token", service: "registry.example.com", scope: "repository:team/app:pull" } },
  ]);
});

test("parseChallenges: several challenges, unquoted and escaped values, odd spacing", () => {
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm", Bearer  realm = "https://a/t" , service=reg,scope="repository:a:pull,push"'), [
    { scheme: "basic", params: { realm: "Registry Realm" } },
    { scheme: "bearer", params: { realm: "https://a/t", service: "reg", scope: "repository:a:pull,push" } },
  ]);
  assert.deepEqual(parseChallenges('Bearer realm="a\\"b"'), [{ scheme: "bearer", params: { realm: 'a"b' } }]);
});

test("parseChallenges: malformed input never throws", () => {
  assert.deepEqual(parseChallenges(""), []);
  assert.deepEqual(parseChallenges('Bearer realm="unterminated'), [{ scheme: "bearer", params: { realm: "unterminated" } }]);
  for (const s of ["=", ",,,", '"', "Bearer =x", "\u0000\u00ff", "Bearer realm"]) assert.doesNotThrow(() => parseChallenges(s), s);
});
