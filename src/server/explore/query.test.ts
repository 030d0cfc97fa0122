import { test } from "node:test";
import assert from "node:assert/strict";
import { formatQuery, parseQuery, parseQueryJson, QueryError, defaultQueryLimits } from "./query.js";
import type { QueryAst } from "./query.js";
import { EDGES, FIELDS, NODE_TYPES, edgeBetween } from "./schema.js";

test("parses the seeds' query into a typed AST", () => {
  const ast = parseQuery("workload[internetExposed] -> image[vuln.severity>=high] -> pipelinerun -> repository");
  assert.deepEqual(ast, {
    steps: [
      { type: "workload", filters: [{ field: "internetExposed", op: "exists", value: null }] },
      { type: "image", filters: [{ field: "vuln.severity", op: ">=", value: "high" }] },
      { type: "pipelinerun", filters: [] },
      { type: "repository", filters: [] },
    ],
  });
});

test("parses 'pushed by code repository' with a quoted glob, several filters, and unicode arrows", () => {
  assert.deepEqual(parseQuery('image[pushedBy=repository] -> repository[name~"acme/*"]'), {
    steps: [
      { type: "image", filters: [{ field: "pushedBy", op: "=", value: "repository" }] },
      { type: "repository", filters: [{ field: "name", op: "~", value: "acme/*" }] },
    ],
  });
  const ast = parseQuery('Image[ vuln.count > 3 , signed=false ][pushedAt>=now-30d]→workload[namespace!="kube-system", podCount<=10]');
  assert.deepEqual(ast.steps[0], {
    type: "image",
    filters: [
      { field: "vuln.count", op: ">", value: 3 },
      { field: "signed", op: "=", value: false },
      { field: "pushedAt", op: ">=", value: "now-30d" },
    ],
  });
  assert.deepEqual(ast.steps[1]?.filters, [
    { field: "namespace", op: "!=", value: "kube-system" },
    { field: "podCount", op: "<=", value: 10 },
  ]);
  // values are normalised to the field's kind
  const n = parseQuery('vulnerability[severity=HIGH, id=12345, kev=true] -> package[version="1.0"] -> image[pushedAt>=2026-01-01, vuln.count>=2]');
  assert.deepEqual(n.steps[0]?.filters.map((f) => f.value), ["high", "12345", true]);
  assert.deepEqual(n.steps[2]?.filters.map((f) => f.value), ["2026-01-01", 2]);
  assert.equal(parseQuery("service[type=loadbalancer]").steps[0]?.filters[0]?.value, "LoadBalancer");
});

function errorAt(q: string, column: number, re: RegExp): void {
  assert.throws(
    () => parseQuery(q),
    (e: unknown) => {
      assert.ok(e instanceof QueryError, String(e));
      assert.equal(e.column, column, e.message);
      assert.match(e.message, re);
      assert.match(e.message, new RegExp(`^query: column ${column}: `));
      return true;
    },
    q,
  );
}

test("each error names its column", () => {
  errorAt("", 1, /empty query/);
  errorAt("workload -> ", 13, /expected a node type .* found end of query/);
  errorAt("workload -> imag", 13, /unknown node type "imag"/);
  errorAt("workload -> repository", 13, /no edge between workload and repository \(workload connects to: image, ingress, internet, namespace, service\)/);
  errorAt("image[severity>=high]", 7, /unknown field "severity" for image .*known: .*vuln\.severity/);
  errorAt("image[Signed]", 7, /did you mean "signed"/);
  errorAt("image[vuln.severity>=extreme]", 22, /field vuln\.severity takes a severity \(unknown, negligible, low, medium, high, critical\), got "extreme"/);
  errorAt("image[signed~yes]", 13, /operator "~" does not apply to boolean field signed/);
  errorAt("image[vuln.count>many]", 18, /field vuln\.count takes a number/);
  errorAt("image[pushedAt>=yesterday]", 17, /ISO 8601 date or now-/);
  errorAt("image[signed", 13, /expected "," or "\]", found end of query/);
  errorAt("image[]", 7, /empty filter/);
  errorAt("image[signed=]", 14, /expected a value after "=", found "\]"/);
  errorAt('image[name="abc', 12, /unterminated string/);
  errorAt('image[name="a\\qb"]', 14, /unknown escape/);
  errorAt("image image", 7, /expected "->" or end of query, found "image"/);
  errorAt("image[name=a] # x", 15, /unexpected character "#"/);
  errorAt("image -> -> repository", 10, /expected a node type/);
  errorAt("workload[kind=Widget]", 15, /one of Deployment, StatefulSet/);
});

test("text and JSON round trip through formatQuery", () => {
  const texts = [
    "workload[internetExposed] -> image[vuln.severity>=high] -> pipelinerun -> repository",
    'image[pushedBy=repository] -> repository[name~"acme/*"]',
    "repository[name~acme/*, provider=github] -> pipelinerun[commit=0123abc, verified=true] -> image[digest=sha256:abcd] -> registry[host=ghcr.io]",
    'image[name="with space", os="debian \\"12\\"", vuln.id="123", tag.x="->"] -> image'.replace(', tag.x="->"', ', platform="a->b"'),
    "cluster -> namespace -> workload[podCount>2] -> service[type=LoadBalancer] -> ingress[host~*.acme.test]",
    'image -> finding[status=open, fixedAt<2026-11-01T10:00:00Z] -> vulnerability[kev, title~"*ssl*"] -> package[name="true"]',
    "image -> tag[name=latest] -> registry",
    "internet -> workload[removed=false] -> image[vuln.severity>=high] -> pipelinerun -> repository",
  ];
  for (const t of texts) {
    const ast = parseQuery(t);
    const formatted = formatQuery(ast);
    assert.deepEqual(parseQuery(formatted), ast, formatted);
    assert.equal(formatQuery(parseQuery(formatted)), formatted);
    // JSON form: the same AST, through JSON text
    const json = JSON.parse(JSON.stringify(ast)) as unknown;
    assert.deepEqual(parseQueryJson(json), ast);
  }
  assert.equal(formatQuery(parseQuery("workload[internetExposed]->image[vuln.severity>=high]")), "workload[internetExposed] -> image[vuln.severity>=high]");
  assert.equal(formatQuery(parseQuery('package[name="true", version="1.0"]')), 'package[name="true", version="1.0"]');
});

test("the JSON form is validated with JSON paths", () => {
  const bad: [unknown, RegExp][] = [
    [null, /^query: \$: must be an object/],
    [{ steps: [] }, /^query: steps: must be a non-empty array/],
    [{ steps: [{ type: "image", filters: [{ field: "vuln.severity", op: "≥", value: "high" }] }] }, /^query: steps\[0\]\.filters\[0\]\.op: must be one of/],
    [{ steps: [{ type: "image", filters: [{ field: "vuln.severity", op: ">=" }] }] }, /^query: steps\[0\]\.filters\[0\]\.value: operator ">=" needs a value/],
    [{ steps: [{ type: "image", filters: [{ field: "signed", op: "exists", value: true }] }] }, /^query: steps\[0\]\.filters\[0\]\.value: operator "exists" takes no value/],
    [{ steps: [{ type: "image" }, { type: "namespace" }] }, /^query: steps\[1\]\.type: no edge between image and namespace/],
    [{ steps: [{ type: "image", filters: [{ field: "nope", op: "=", value: 1 }] }] }, /^query: steps\[0\]\.filters\[0\]\.field: unknown field "nope"/],
    [{ steps: [{ type: "image", filters: [{ field: "name", op: "=", value: { x: 1 } }] }] }, /^query: steps\[0\]\.filters\[0\]\.value: must be a string, number, boolean or null/],
  ];
  for (const [input, re] of bad) {
    assert.throws(() => parseQueryJson(input), (e: unknown) => e instanceof QueryError && e.path !== undefined && re.test(e.message), JSON.stringify(input));
  }
  const ok: QueryAst = parseQueryJson({ steps: [{ type: "workload", filters: [{ field: "internetExposed", op: "exists" }] }, { type: "image" }] });
  assert.deepEqual(ok.steps[0]?.filters[0], { field: "internetExposed", op: "exists", value: null });
});

test("bounds: length, steps, filters per step, value length", () => {
  const limitErr = (f: () => unknown, re: RegExp): void => {
    assert.throws(f, (e: unknown) => e instanceof QueryError && e.code === "limit" && re.test(e.message));
  };
  limitErr(() => parseQuery(`image[name="${"a".repeat(3000)}"]`), /longer than 2048 characters \(limit maxLength\)/);
  limitErr(() => parseQuery(Array.from({ length: 9 }, () => "image").join(" -> ")), /column 73: more than 8 steps \(limit maxSteps\)/);
  limitErr(() => parseQuery(`image[${Array.from({ length: 17 }, () => "signed").join(",")}]`), /more than 16 filters on one step/);
  limitErr(() => parseQuery(`image[name=${"a".repeat(600)}]`), /column 12: word longer than 512 characters/);
  limitErr(() => parseQuery(`image[name="${"a".repeat(600)}"]`), /column 12: string longer than 512/);
  limitErr(() => parseQueryJson({ steps: Array.from({ length: 9 }, () => ({ type: "image" })) }), /steps: more than 8 steps/);
  limitErr(() => parseQueryJson({ steps: [{ type: "image", filters: [{ field: "name", op: "=", value: "a".repeat(600) }] }] }), /value longer than 512/);
  assert.equal(parseQuery(Array.from({ length: 8 }, () => "image").join("->"), defaultQueryLimits).steps.length, 8);
});

test("schema: every edge joins known types and every type has fields and an edge", () => {
  for (const e of EDGES) {
    assert.ok(NODE_TYPES.includes(e.a) && NODE_TYPES.includes(e.b));
  }
  for (const t of NODE_TYPES) {
    // internet is a pseudo node without fields
    assert.ok(Object.keys(FIELDS[t]).length > 0 || t === "internet", t);
    assert.ok(EDGES.some((e) => e.a === t || e.b === t), t);
  }
  assert.equal(edgeBetween("image", "workload")?.name, "runs");
  assert.equal(edgeBetween("repository", "pipelinerun")?.name, "built");
  assert.equal(edgeBetween("workload", "internet")?.name, "reaches");
  assert.throws(() => parseQuery("internet[exposed]"), /internet has no fields/);
});
