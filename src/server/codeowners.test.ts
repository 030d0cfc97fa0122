import { test } from "node:test";
import assert from "node:assert/strict";
import { ownersOf, parseCodeowners, patternRegExp, rootOwners } from "./codeowners.js";

const TEXT = `# Default owners
*       @acme/platform @alice

# front end
*.js    @acme/web   # trailing comment
/build/ @acme/build
docs/** @acme/docs
[Section name]
apps/api/ @bob
/empty
`;

test("parses rules, skipping comments and section headers", () => {
  const rules = parseCodeowners(TEXT);
  assert.deepEqual(
    rules.map((r) => [r.pattern, r.owners]),
    [
      ["*", ["@acme/platform", "@alice"]],
      ["*.js", ["@acme/web"]],
      ["/build/", ["@acme/build"]],
      ["docs/**", ["@acme/docs"]],
      ["apps/api/", ["@bob"]],
      ["/empty", []],
    ],
  );
  assert.deepEqual(rootOwners(rules), ["@acme/platform", "@alice"]);
});

test("the last matching rule wins", () => {
  const rules = parseCodeowners(TEXT);
  assert.deepEqual(ownersOf(rules, "README.md"), ["@acme/platform", "@alice"]);
  assert.deepEqual(ownersOf(rules, "src/deep/app.js"), ["@acme/web"]);
  assert.deepEqual(ownersOf(rules, "build/x.js"), ["@acme/build"]);
  assert.deepEqual(ownersOf(rules, "src/build/x.txt"), ["@acme/platform", "@alice"]);
  assert.deepEqual(ownersOf(rules, "docs/a/b.md"), ["@acme/docs"]);
  assert.deepEqual(ownersOf(rules, "apps/api/main.go"), ["@bob"]);
  assert.deepEqual(ownersOf(rules, "empty"), []);
  assert.deepEqual(ownersOf([], "x"), []);
});

test("patterns", () => {
  assert.ok(patternRegExp("*").test("a/b/c"));
  assert.ok(patternRegExp("/dir/").test("dir/x"));
  assert.ok(!patternRegExp("/dir/").test("dir"));
  assert.ok(!patternRegExp("/dir/").test("a/dir/x"));
  assert.ok(patternRegExp("dir/").test("a/dir/x"));
  assert.ok(patternRegExp("a/**/b").test("a/x/y/b"));
  assert.ok(patternRegExp("a/**/b").test("a/b"));
  assert.ok(patternRegExp("*.md").test("x/y.md"));
});

test("oversized CODEOWNERS is refused", () => {
  assert.throws(() => parseCodeowners("* @a\n".repeat(20000)), /larger than/);
});
