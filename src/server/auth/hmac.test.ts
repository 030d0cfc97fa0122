import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { signBody, verifySignature } from "./hmac.js";

const body = Buffer.from('{"events":[]}');

test("signBody is GitHub's sha256=<hex HMAC-SHA256> of the raw bytes", () => {
  assert.equal(signBody("s3cret", body), `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`);
});

test("verifySignature accepts only the right secret over the exact bytes", () => {
  const sig = signBody("s3cret", body);
  assert.equal(verifySignature("s3cret", body, sig), true);
  assert.equal(verifySignature("s3cret", body, sig.toUpperCase().replace("SHA256=", "sha256=")), true, "hex case does not matter");
  assert.equal(verifySignature("other", body, sig), false);
  assert.equal(verifySignature("s3cret", Buffer.from('{"events": []}'), sig), false, "one changed byte");
  for (const bad of [undefined, "", "sha256=", sig.slice(0, -2), `sha1=${sig.slice(7)}`, `${sig}00`, sig.replace(/.$/, "g")]) {
    assert.equal(verifySignature("s3cret", body, bad), false, String(bad));
  }
});
