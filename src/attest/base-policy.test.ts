import { test } from "node:test";
import assert from "node:assert/strict";
import { checkBaseImages, isAllowed, looksMinimal } from "./base-policy.js";
import { parseReference } from "../image/registry/reference.js";

const PIN = `@sha256:${"a".repeat(64)}`;
const allowed = ["registry.example.com/base", "mirror.internal"];

async function codes(text: string, opts: { buildArgs?: Record<string, string>; verify?: (r: string) => Promise<string[]> } = {}): Promise<string[]> {
  const r = await checkBaseImages(text, "Dockerfile", { allowedRegistries: allowed, ...opts });
  return r.findings.map((f) => `${f.line}:${f.severity}:${f.code}:${f.image}`);
}

test("isAllowed: a host allows its registry; a host/path allows that prefix only", () => {
  assert.equal(isAllowed(parseReference("mirror.internal/any/thing:1"), allowed), true);
  assert.equal(isAllowed(parseReference("registry.example.com/base/debian:12"), allowed), true);
  assert.equal(isAllowed(parseReference("registry.example.com/base"), allowed), true);
  assert.equal(isAllowed(parseReference("registry.example.com/basement/x"), allowed), false);
  assert.equal(isAllowed(parseReference("registry.example.com/other/x"), allowed), false);
  assert.equal(isAllowed(parseReference("alpine"), ["docker.io/library"]), true);
  assert.equal(isAllowed(parseReference("alpine"), ["docker.io"]), true);
  assert.equal(isAllowed(parseReference("evil.io/library/alpine"), ["docker.io/library"]), false);
});

test("untrusted registry and tag-only FROM are errors; a pinned internal image passes", async () => {
  assert.deepEqual(await codes(`FROM docker.io/library/debian:12\n`), ["1:error:untrusted-registry:docker.io/library/debian:12", "1:error:not-pinned:docker.io/library/debian:12", "1:advice:not-minimal:docker.io/library/debian:12"]);
  assert.deepEqual(await codes(`FROM registry.example.com/base/distroless-static:1\n`), ["1:error:not-pinned:registry.example.com/base/distroless-static:1"]);
  assert.deepEqual(await codes(`FROM registry.example.com/base/distroless-static:1${PIN}\n`), []);
});

test("ARG-templated FROM is checked after substitution; a missing value is reported", async () => {
  const text = `ARG BASE=registry.example.com/base/static\nARG DIGEST\nFROM \${BASE}@\${DIGEST}\n`;
  assert.deepEqual(await codes(text), ["3:error:unresolved-arg:${BASE}@${DIGEST}"]);
  assert.deepEqual(await codes(text, { buildArgs: { DIGEST: PIN.slice(1) } }), []);
  assert.deepEqual(await codes(text, { buildArgs: { DIGEST: PIN.slice(1), BASE: "quay.io/x/static" } }), [`3:error:untrusted-registry:quay.io/x/static${PIN}`]);
  const r = await checkBaseImages(text, "Dockerfile", { allowedRegistries: allowed });
  assert.equal(r.findings[0]!.message, "${BASE}@${DIGEST} uses $DIGEST with no value (give a default in ARG or --build-arg)");
});

test("FROM scratch needs nothing and is minimal", async () => {
  assert.deepEqual(await codes(`FROM scratch\nCOPY app /app\n`), []);
});

test("multi-stage: builder images are checked, stage references are not, --from images are", async () => {
  const text = `FROM registry.example.com/base/golang:1.22${PIN} AS build
RUN go build -o /app
FROM build AS test
COPY --from=docker.io/library/busybox:1.36 /bin/busybox /bin/
FROM mirror.internal/debian:12-slim${PIN}
COPY --from=build /app /app
COPY --from=1 /report /report
`;
  assert.deepEqual(await codes(text), ["4:error:untrusted-registry:docker.io/library/busybox:1.36", "4:error:not-pinned:docker.io/library/busybox:1.36", `5:advice:not-minimal:mirror.internal/debian:12-slim${PIN}`]);
  const r = await checkBaseImages(text, "Dockerfile", { allowedRegistries: allowed });
  assert.equal(r.passed, false);
  assert.deepEqual(r.images.filter((i) => i.kind === "stage").map((i) => i.image), ["build", "build", "1"]);
});

test("verify failures are findings; each image is verified once; a throwing verifier becomes a finding", async () => {
  const seen: string[] = [];
  const text = `FROM mirror.internal/a${PIN} AS x\nFROM mirror.internal/a${PIN}\nCOPY --from=mirror.internal/b${PIN} / /\n`;
  const out = await codes(text, {
    verify: async (ref) => {
      seen.push(ref);
      if (ref.includes("/b")) throw new Error("registry down");
      return ["no signature found"];
    },
  });
  assert.deepEqual(seen, [`mirror.internal/a${PIN}`, `mirror.internal/b${PIN}`]);
  assert.deepEqual(out, [`1:error:verify-failed:mirror.internal/a${PIN}`, `2:error:verify-failed:mirror.internal/a${PIN}`, `3:error:verify-failed:mirror.internal/b${PIN}`, `2:advice:not-minimal:mirror.internal/a${PIN}`]);
});

test("looksMinimal: distroless, chainguard, static, chiseled are minimal; full distributions are not", () => {
  for (const m of ["gcr.io/distroless/static-debian12", "cgr.dev/chainguard/node", "registry.example.com/base/static:1", "ubuntu/dotnet-runtime:8.0-24.04_chiseled", "busybox"]) assert.equal(looksMinimal(parseReference(m)), true, m);
  for (const m of ["debian:12", "ubuntu:24.04", "alpine:3.19", "registry.example.com/base/python:3.12-slim"]) assert.equal(looksMinimal(parseReference(m)), false, m);
});

test("notes: no FROM, no allow list", async () => {
  const r = await checkBaseImages("RUN true\n", "Dockerfile", { allowedRegistries: [] });
  assert.deepEqual(r.notes, ["Dockerfile: no FROM instruction", "no allowed registry list given (--allowed-registry or baseImages.allowedRegistries in the trust policy): registries not checked"]);
  assert.equal(r.passed, true);
});
