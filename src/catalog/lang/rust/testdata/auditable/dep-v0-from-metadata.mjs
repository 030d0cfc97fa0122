// Writes the JSON that cargo-auditable embeds in a binary's .dep-v0 section, from
// `cargo metadata --format-version 1` on stdin, following cargo-auditable's documented format:
// {"packages":[{name, version, source, kind?, dependencies?, root?}]} where source is "crates.io",
// "git", "local" or "registry", kind is "build" for packages reached only through build
// dependencies (omitted for runtime), dev-only packages are left out, packages are sorted by name
// then version then id, and dependencies are indices into the list.
// (cargo-auditable itself cannot be installed here: crates.io is unreachable.)
import { readFileSync } from "node:fs";

const meta = JSON.parse(readFileSync(0, "utf8"));
const nodes = new Map(meta.resolve.nodes.map((n) => [n.id, n]));
const rank = { dev: 0, build: 1, runtime: 2 };
const kindOf = new Map([[meta.resolve.root, "runtime"]]);
let queue = [meta.resolve.root];
while (queue.length) {
  const next = [];
  for (const id of queue) {
    const parent = kindOf.get(id);
    for (const d of nodes.get(id).deps) {
      const strongest = d.dep_kinds.map((k) => (k.kind === null ? "runtime" : k.kind === "dev" ? "dev" : "build")).reduce((a, b) => (rank[a] >= rank[b] ? a : b), "dev");
      const kind = rank[strongest] < rank[parent] ? strongest : parent;
      const prev = kindOf.get(d.pkg);
      if (prev === undefined || rank[kind] > rank[prev]) {
        kindOf.set(d.pkg, kind);
        next.push(d.pkg);
      }
    }
  }
  queue = next;
}
const source = (s) => (s === null ? "local" : s.startsWith("registry+https://github.com/rust-lang/crates.io-index") || s.startsWith("sparse+https://index.crates.io/") ? "crates.io" : s.startsWith("git+") ? "git" : "registry");
const pkgs = meta.packages.filter((p) => kindOf.has(p.id) && kindOf.get(p.id) !== "dev");
pkgs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : a.version > b.version ? 1 : a.id < b.id ? -1 : 1));
const index = new Map(pkgs.map((p, i) => [p.id, i]));
const out = pkgs.map((p) => {
  const deps = nodes.get(p.id).dependencies.filter((d) => index.has(d)).map((d) => index.get(d)).sort((a, b) => a - b);
  return {
    name: p.name,
    version: p.version,
    source: source(p.source),
    ...(kindOf.get(p.id) === "build" ? { kind: "build" } : {}),
    ...(deps.length ? { dependencies: deps } : {}),
    ...(p.id === meta.resolve.root ? { root: true } : {}),
  };
});
process.stdout.write(JSON.stringify({ packages: out }));
