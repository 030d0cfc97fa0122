import { test } from "node:test";
import assert from "node:assert/strict";
import { expand, finalBase, instructions, parseDockerfile } from "./dockerfile.js";

const vars = (o: Record<string, string | undefined>): Map<string, string | undefined> => new Map(Object.entries(o));

test("expand: $VAR, ${VAR}, defaults and alternatives, escapes, unresolved names", () => {
  assert.deepEqual(expand("${REG}/base:$TAG", vars({ REG: "r.example", TAG: "1" })), { value: "r.example/base:1", unresolved: [] });
  assert.deepEqual(expand("base:${TAG:-latest}", vars({ TAG: "" })), { value: "base:latest", unresolved: [] });
  assert.deepEqual(expand("base:${TAG-latest}", vars({ TAG: "" })), { value: "base:", unresolved: [] });
  assert.deepEqual(expand("base${SUFFIX:+-$SUFFIX}", vars({ SUFFIX: "slim" })), { value: "base-slim", unresolved: [] });
  assert.deepEqual(expand("base${SUFFIX:+-$SUFFIX}", vars({})), { value: "base", unresolved: [] });
  assert.deepEqual(expand("x:${V:-${W}}", vars({ W: "w" })), { value: "x:w", unresolved: [] });
  assert.deepEqual(expand("a:$NOPE-${ALSO}", vars({ DECLARED: undefined })), { value: "a:-", unresolved: ["NOPE", "ALSO"] });
  assert.deepEqual(expand("cost \\$5 and `$5", vars({}), "`"), { value: "cost \\$5 and $5", unresolved: [] });
  assert.deepEqual(expand("${unterminated", vars({})), { value: "${unterminated", unresolved: [] });
});

test("instructions: continuations, comments inside them, heredocs and the escape directive", () => {
  const text = [
    "# syntax=docker/dockerfile:1",
    "# escape=`",
    "",
    "FROM `",
    "  # a comment inside the continuation",
    "  alpine:3.19 AS base",
    "RUN <<EOF",
    "FROM evil.example/not-an-instruction",
    "EOF",
    "COPY <<-CONF /etc/app.conf",
    "\tFROM also-not",
    "\tCONF",
    "from scratch",
  ].join("\n");
  const { escape, list } = instructions(text);
  assert.equal(escape, "`");
  assert.deepEqual(
    list.map((i) => [i.line, i.keyword, i.args.replace(/\s+/g, " ")]),
    [
      [4, "FROM", "alpine:3.19 AS base"],
      [7, "RUN", "<<EOF"],
      [10, "COPY", "<<-CONF /etc/app.conf"],
      [13, "FROM", "scratch"],
    ],
  );
});

test("parseDockerfile: multi-stage with ARG-templated FROMs, stage references and --from copies", () => {
  const text = `ARG REGISTRY=registry.example.com
ARG GO_VERSION=1.22
ARG RUNTIME
FROM --platform=$BUILDPLATFORM \${REGISTRY}/golang:\${GO_VERSION} AS build
ARG GO_VERSION
RUN --mount=type=cache,target=/root/.cache --mount=type=bind,from=\${REGISTRY}/tools:1,source=/x,target=/x go build
COPY --from=docker.io/library/busybox:1.36 /bin/busybox /busybox
FROM build AS test
COPY --from=0 /out /out
FROM \${RUNTIME:-gcr.io/distroless/static}:nonroot
COPY --from=build /out/app /app
COPY --from=test /report /report
`;
  const p = parseDockerfile(text, {});
  assert.deepEqual(
    p.uses.map((u) => [u.line, u.use, u.value, u.kind, u.stage, u.unresolved]),
    [
      [4, "from", "registry.example.com/golang:1.22", "image", 0, []],
      // ${REGISTRY} is a global ARG not redeclared in the stage: empty inside it, as in Docker
      [6, "mount-from", "/tools:1", "image", 0, ["REGISTRY"]],
      [7, "copy-from", "docker.io/library/busybox:1.36", "image", 0, []],
      [8, "from", "build", "stage", 1, []],
      [9, "copy-from", "0", "stage", 1, []],
      [10, "from", "gcr.io/distroless/static:nonroot", "image", 2, []],
      [11, "copy-from", "build", "stage", 2, []],
      [12, "copy-from", "test", "stage", 2, []],
    ],
  );
  assert.deepEqual(p.stages.map((s) => s.name), ["build", "test", undefined]);
  assert.equal(finalBase(p)?.value, "gcr.io/distroless/static:nonroot");
  // --build-arg overrides a declared global ARG, not an undeclared one
  const q = parseDockerfile(text, { REGISTRY: "mirror.internal", RUNTIME: "mirror.internal/debian", UNDECLARED: "x" });
  assert.equal(q.uses[0]!.value, "mirror.internal/golang:1.22");
  assert.equal(q.uses[5]!.value, "mirror.internal/debian:nonroot");
});

test("parseDockerfile: an ARG without a value leaves FROM unresolved; the final base follows stage chains", () => {
  const p = parseDockerfile("ARG TAG\nFROM alpine:${TAG}\nFROM debian:12 AS a\nFROM a AS b\nFROM b\n", {});
  assert.deepEqual(p.uses[0]!.unresolved, ["TAG"]);
  assert.equal(finalBase(p)?.value, "debian:12");
  assert.equal(finalBase(parseDockerfile("FROM scratch\n", {}))?.kind, "scratch");
  assert.equal(parseDockerfile("", {}).stages.length, 0);
  assert.match(parseDockerfile("FROM\n", {}).warnings[0] ?? "", /FROM without an image/);
});
