// Shared test helpers for the version schemes: a seeded PRNG, running a real tool once over many
// pairs, and the golden tables (testdata/<scheme>.tsv) that keep the hand-picked edge cases and
// the real tool's answers reviewable. Not part of the build (testdata/ is excluded).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import type { VersionScheme } from "../scheme.js";

export const TESTDATA = dirname(fileURLToPath(import.meta.url));

/** A tool's answer for a pair: "<", "=", ">", or "!" (refused: invalid, or no order). */
export type Answer = "<" | "=" | ">" | "!";
export type Pair = readonly [string, string];

/** The field separator on the wire to every oracle (ASCII unit separator): no version contains it. */
export const SEP = "\u001f";

// ---- deterministic generation ----

/**
 * For deeper runs by hand: BERTH_VERSION_SCALE=10 multiplies the generated pairs, and
 * BERTH_VERSION_SEED=n shifts every generator's seed. CI runs the defaults (1 and 0).
 */
export const SCALE = Number(process.env.BERTH_VERSION_SCALE ?? "1");
const SEED_SHIFT = Number(process.env.BERTH_VERSION_SEED ?? "0");

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Gen {
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  /** A small number as digits, sometimes with leading zeros, sometimes large. */
  num(): string;
}

export function gen(seed: number): Gen {
  const r = prng(seed + SEED_SHIFT);
  const g: Gen = {
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: (xs) => {
      const x = xs[Math.floor(r() * xs.length)];
      if (x === undefined) throw new Error("pick from an empty list");
      return x;
    },
    chance: (p) => r() < p,
    num: () => {
      const roll = r();
      if (roll < 0.55) return String(g.int(0, 12));
      if (roll < 0.7) return String(g.int(0, 3000));
      if (roll < 0.8) return `0${g.int(0, 9)}`;
      if (roll < 0.87) return `00${g.int(0, 99)}`;
      if (roll < 0.94) return String(g.int(20000101, 20991231));
      return `${g.int(1, 9)}${"0123456789".repeat(2).slice(g.int(0, 9), g.int(10, 20))}`;
    },
  };
  return g;
}

/** A random string of 1–12 characters from the alphabet: hostile input for the parsers. */
export function junk(g: Gen, alphabet: string): string {
  const chars = [...alphabet];
  let s = "";
  for (let i = g.int(1, 12); i > 0; i--) s += g.pick(chars);
  return s;
}

/**
 * Pairs from a list of generated versions: random pairs, each version against itself, and each
 * version against a close relative (so that equal and nearly equal pairs are common). With an
 * alphabet, one version in twelve is junk made of it.
 */
export function pairsFrom(g: Gen, make: () => string, mutate: (v: string) => string, count: number, alphabet?: string): Pair[] {
  const pool: string[] = [];
  const n = Math.round(count * SCALE);
  for (let i = 0; i < Math.ceil(n / 3); i++) pool.push(alphabet !== undefined && g.chance(1 / 12) ? junk(g, alphabet) : make());
  const out: Pair[] = [];
  while (out.length < n) {
    const a = g.pick(pool);
    const roll = g.int(0, 9);
    if (roll < 4) out.push([a, g.pick(pool)]);
    else if (roll < 5) out.push([a, a]);
    else out.push(g.chance(0.5) ? [a, mutate(a)] : [mutate(a), a]);
  }
  return out;
}

// ---- running real tools ----

/** Fails with a clear message when a tool the differential tests need is missing. */
export function requireTool(cmd: string, versionArgs: readonly string[], aptPackage: string): string {
  const r = spawnSync(cmd, versionArgs, { encoding: "utf8" });
  if (r.error !== undefined) {
    throw new Error(`the differential test needs \`${cmd}\` (Debian package ${aptPackage}: apt-get install -y ${aptPackage}); ${r.error.message}`);
  }
  return `${r.stdout}${r.stderr}`.trim().split("\n")[0] ?? "";
}

export function run(cmd: string, args: readonly string[], input: string, env?: NodeJS.ProcessEnv, cwd?: string): string {
  const r = spawnSync(cmd, args, { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: env ?? process.env, cwd });
  if (r.error !== undefined) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return r.stdout;
}

export function withTempDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "berth-version-"));
  try {
    return f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pairs on the wire: one pair per line, fields separated by SEP. */
export function wire(pairs: readonly Pair[]): string {
  for (const [a, b] of pairs) {
    for (const v of [a, b]) if (/[\n\r\u001f]/.test(v)) throw new Error(`cannot send ${JSON.stringify(v)} to a tool`);
  }
  return pairs.map(([a, b]) => `${a}${SEP}${b}\n`).join("");
}

/** Parses a tool's answers: exactly one of < = > ! per pair, in order. */
export function answers(out: string, n: number, tool: string): Answer[] {
  const lines = out.split("\n").filter((l) => l.length > 0);
  const got = lines.slice(0, n);
  assert.equal(got.length, n, `${tool} answered ${got.length} of ${n} pairs`);
  for (const a of got) assert.ok(a === "<" || a === "=" || a === ">" || a === "!", `${tool} gave an unexpected answer ${JSON.stringify(a)}`);
  return got as Answer[];
}

export function berthAnswer(scheme: VersionScheme, a: string, b: string): Answer {
  const r = scheme.tryCompare(a, b);
  if (typeof r === "object") return "!";
  return r < 0 ? "<" : r > 0 ? ">" : "=";
}

/** Asserts Berth agrees with the tool on every pair, listing the first disagreements. */
export function assertAgrees(scheme: VersionScheme, pairs: readonly Pair[], expected: readonly Answer[], tool: string): void {
  const bad: string[] = [];
  pairs.forEach(([a, b], i) => {
    const want = expected[i];
    const got = berthAnswer(scheme, a, b);
    if (got !== want) bad.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${tool} says ${want}, Berth says ${got}`);
  });
  assert.equal(bad.length, 0, `${bad.length} of ${pairs.length} pairs disagree with ${tool}:\n${bad.slice(0, 25).join("\n")}`);
}

// ---- golden tables ----

export interface Golden {
  readonly header: readonly string[];
  readonly rows: readonly (readonly [string, string, Answer])[];
}

/** Reads testdata/<name>.tsv: "#" header lines, then `a<TAB>b<TAB>answer` rows. */
export function readGolden(name: string): Golden {
  const text = readFileSync(join(TESTDATA, `${name}.tsv`), "utf8");
  const header: string[] = [];
  const rows: [string, string, Answer][] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) header.push(line);
    else if (line.length > 0) {
      const [a, b, ans] = line.split("\t").map(unescapeField);
      assert.ok(a !== undefined && b !== undefined && ans !== undefined, `bad golden row ${JSON.stringify(line)}`);
      rows.push([a, b, ans as Answer]);
    }
  }
  return { header, rows };
}

/** Golden fields escape "\\" and TAB as \\\\ and \\t, so any version fits in a TSV cell. */
function escapeField(s: string): string {
  return s.replaceAll("\\", "\\\\").replaceAll("\t", "\\t");
}

function unescapeField(s: string): string {
  return s.replace(/\\(.)/g, (_m, c: string) => (c === "t" ? "\t" : c));
}

export function writeGolden(name: string, header: readonly string[], pairs: readonly Pair[], ans: readonly Answer[]): void {
  const lines = header.map((h) => `# ${h}`);
  lines.push("# columns: a, b, answer (< = > ; ! = the tool refuses the pair: an invalid version, or no order)");
  pairs.forEach(([a, b], i) => {
    if (/[\n\r]/.test(a + b)) throw new Error(`cannot store ${JSON.stringify([a, b])} in a TSV golden`);
    lines.push(`${escapeField(a)}\t${escapeField(b)}\t${ans[i]}`);
  });
  writeFileSync(join(TESTDATA, `${name}.tsv`), `${lines.join("\n")}\n`);
}

export const updateGolden = process.env.UPDATE_GOLDEN === "1";

/**
 * The common shape of a differential test: the golden edge cases must match Berth (and, when
 * UPDATE_GOLDEN=1, are rewritten from the tool's answers); every edge case and generated pair
 * must match the tool.
 */
export function differential(opts: {
  readonly name: string;
  readonly scheme: VersionScheme;
  readonly tool: string;
  /** The tool's version; a function is called after `ask`, for oracles that report it themselves. */
  readonly toolVersion: string | (() => string);
  readonly edgeCases: readonly Pair[];
  readonly generated: readonly Pair[];
  readonly ask: (pairs: readonly Pair[]) => Answer[];
}): { readonly total: number; readonly summary: string } {
  const all = [...opts.edgeCases, ...opts.generated];
  const expected = opts.ask(all);
  const edgeAnswers = expected.slice(0, opts.edgeCases.length);
  const toolVersion = typeof opts.toolVersion === "string" ? opts.toolVersion : opts.toolVersion();
  if (updateGolden) {
    writeGolden(opts.name, [`produced by ${opts.tool} (${toolVersion}); regenerate with UPDATE_GOLDEN=1 node scripts/test.mjs src/version/${opts.name}`], opts.edgeCases, edgeAnswers);
  }
  const golden = readGolden(opts.name);
  assert.deepEqual(
    golden.rows.map(([a, b]) => [a, b]),
    opts.edgeCases.map(([a, b]) => [a, b]),
    `testdata/${opts.name}.tsv is out of date with the edge cases: regenerate with UPDATE_GOLDEN=1`,
  );
  assertAgrees(opts.scheme, golden.rows.map(([a, b]) => [a, b] as const), golden.rows.map((r) => r[2]), `testdata/${opts.name}.tsv`);
  assertAgrees(opts.scheme, all, expected, opts.tool);
  const count = (a: Answer): number => expected.filter((x) => x === a).length;
  const summary = `${all.length} pairs agree with ${opts.tool} (${toolVersion}): < ${count("<")}, = ${count("=")}, > ${count(">")}, refused ${count("!")}`;
  return { total: all.length, summary };
}
