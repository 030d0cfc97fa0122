// CVSS base scores computed from the vector string, per the FIRST specifications:
//   v2.0  https://www.first.org/cvss/v2/guide (section 3.2.1, base equation)
//   v3.0  https://www.first.org/cvss/v3.0/specification-document (section 8.1, Roundup = ceiling to 0.1)
//   v3.1  https://www.first.org/cvss/v3.1/specification-document (section 7.1 and Appendix A Roundup)
//   v4.0  https://www.first.org/cvss/v4.0/specification-document (section 8.2, MacroVector lookup
//         table with interpolation by severity distance)
// Base score only: for v2/v3 temporal and environmental metrics in a vector are validated but do not
// change the base score. For v4 `baseScore` uses the base metrics only (CVSS-B); `cvss4Score(…,
// { allMetrics: true })` also applies threat/environmental metrics (CVSS-BT/BE/BTE).
// Pure functions; an invalid vector yields a typed error value, never a throw.

export type CvssVersion = "2.0" | "3.0" | "3.1" | "4.0";
export type QualitativeSeverity = "none" | "low" | "medium" | "high" | "critical";

export interface CvssScore {
  readonly version: CvssVersion;
  readonly vector: string;
  readonly baseScore: number;
  readonly severity: QualitativeSeverity;
}

export type CvssResult = { readonly ok: true; readonly score: CvssScore } | { readonly ok: false; readonly error: string };

/** Parses a CVSS vector of any supported version and computes its base score. */
export function scoreCvss(vector: string): CvssResult {
  const v = vector.trim();
  if (v.startsWith("CVSS:3.0/") || v.startsWith("CVSS:3.1/")) return cvss3(v);
  if (v.startsWith("CVSS:4.0/")) {
    const r = cvss4Score(v);
    return r.ok ? { ok: true, score: { version: "4.0", vector: v, baseScore: r.score, severity: severityOf(r.score, "4.0") } } : r;
  }
  if (v.startsWith("CVSS:")) return { ok: false, error: `unsupported CVSS version in "${short(v)}"` };
  return cvss2(v.startsWith("(") && v.endsWith(")") ? v.slice(1, -1) : v);
}

/** FIRST qualitative rating. v2 has no "critical" or "none": low < 4, medium < 7, else high. */
export function severityOf(score: number, version: CvssVersion): QualitativeSeverity {
  if (version === "2.0") return score < 4 ? "low" : score < 7 ? "medium" : "high";
  if (score === 0) return "none";
  if (score < 4) return "low";
  if (score < 7) return "medium";
  if (score < 9) return "high";
  return "critical";
}

function short(v: string): string {
  return v.length > 80 ? `${v.slice(0, 80)}…` : v;
}

type Metrics = Map<string, string>;

/** Splits "K:V/K:V" into a map; rejects duplicates, unknown keys and unknown values. */
function parseMetrics(body: string, allowed: Readonly<Record<string, readonly string[]>>): Metrics | string {
  const m: Metrics = new Map();
  if (body === "") return "empty vector";
  for (const part of body.split("/")) {
    const i = part.indexOf(":");
    if (i <= 0) return `malformed metric "${part}"`;
    const k = part.slice(0, i);
    const val = part.slice(i + 1);
    const values = Object.prototype.hasOwnProperty.call(allowed, k) ? allowed[k] : undefined;
    if (values === undefined) return `unknown metric "${k}"`;
    if (!values.includes(val)) return `invalid value "${val}" for metric ${k}`;
    if (m.has(k)) return `metric ${k} given twice`;
    m.set(k, val);
  }
  return m;
}

function need(m: Metrics, keys: readonly string[]): string | undefined {
  const missing = keys.filter((k) => !m.has(k));
  return missing.length > 0 ? `missing base metric(s) ${missing.join(", ")}` : undefined;
}

/** Looks up a metric value's weight; the value was validated, so a miss is a programming error. */
function w(table: Readonly<Record<string, number>>, key: string | undefined): number {
  const x = key === undefined ? undefined : table[key];
  if (x === undefined) throw new Error(`cvss: no weight for ${String(key)}`);
  return x;
}

/** Rounds half up to one decimal, absorbing binary floating-point noise (7.1499999… → 7.2). */
function round1(x: number): number {
  return Math.round(Number((x * 10).toFixed(6))) / 10;
}

// ---------------------------------------------------------------- v2.0

const V2_ALLOWED: Record<string, readonly string[]> = {
  AV: ["L", "A", "N"], AC: ["H", "M", "L"], Au: ["M", "S", "N"], C: ["N", "P", "C"], I: ["N", "P", "C"], A: ["N", "P", "C"],
  E: ["U", "POC", "F", "H", "ND"], RL: ["OF", "TF", "W", "U", "ND"], RC: ["UC", "UR", "C", "ND"],
  CDP: ["N", "L", "LM", "MH", "H", "ND"], TD: ["N", "L", "M", "H", "ND"], CR: ["L", "M", "H", "ND"], IR: ["L", "M", "H", "ND"], AR: ["L", "M", "H", "ND"],
};
const V2_AV = { L: 0.395, A: 0.646, N: 1.0 };
const V2_AC = { H: 0.35, M: 0.61, L: 0.71 };
const V2_AU = { M: 0.45, S: 0.56, N: 0.704 };
const V2_CIA = { N: 0, P: 0.275, C: 0.66 };

function cvss2(vector: string): CvssResult {
  const m = parseMetrics(vector, V2_ALLOWED);
  if (typeof m === "string") return { ok: false, error: `CVSS v2 "${short(vector)}": ${m}` };
  const miss = need(m, ["AV", "AC", "Au", "C", "I", "A"]);
  if (miss) return { ok: false, error: `CVSS v2 "${short(vector)}": ${miss}` };
  const impact = 10.41 * (1 - (1 - w(V2_CIA, m.get("C"))) * (1 - w(V2_CIA, m.get("I"))) * (1 - w(V2_CIA, m.get("A"))));
  const exploitability = 20 * w(V2_AV, m.get("AV")) * w(V2_AC, m.get("AC")) * w(V2_AU, m.get("Au"));
  const f = impact === 0 ? 0 : 1.176;
  const base = Math.max(0, round1((0.6 * impact + 0.4 * exploitability - 1.5) * f));
  return { ok: true, score: { version: "2.0", vector, baseScore: base, severity: severityOf(base, "2.0") } };
}

// ---------------------------------------------------------------- v3.0 / v3.1

const V3_ALLOWED: Record<string, readonly string[]> = {
  AV: ["N", "A", "L", "P"], AC: ["L", "H"], PR: ["N", "L", "H"], UI: ["N", "R"], S: ["U", "C"], C: ["H", "L", "N"], I: ["H", "L", "N"], A: ["H", "L", "N"],
  E: ["X", "U", "P", "F", "H"], RL: ["X", "O", "T", "W", "U"], RC: ["X", "U", "R", "C"],
  CR: ["X", "L", "M", "H"], IR: ["X", "L", "M", "H"], AR: ["X", "L", "M", "H"],
  MAV: ["X", "N", "A", "L", "P"], MAC: ["X", "L", "H"], MPR: ["X", "N", "L", "H"], MUI: ["X", "N", "R"], MS: ["X", "U", "C"],
  MC: ["X", "N", "L", "H"], MI: ["X", "N", "L", "H"], MA: ["X", "N", "L", "H"],
};
const V3_AV = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const V3_AC = { L: 0.77, H: 0.44 };
const V3_PR_U = { N: 0.85, L: 0.62, H: 0.27 };
const V3_PR_C = { N: 0.85, L: 0.68, H: 0.5 };
const V3_UI = { N: 0.85, R: 0.62 };
const V3_CIA = { H: 0.56, L: 0.22, N: 0 };

/** v3.1 Roundup (Appendix A): exact to one decimal, immune to floating-point error. */
function roundup31(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}
/** v3.0 Roundup: the smallest one-decimal number ≥ x. */
function roundup30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

function cvss3(vector: string): CvssResult {
  const version: CvssVersion = vector.startsWith("CVSS:3.1/") ? "3.1" : "3.0";
  const m = parseMetrics(vector.slice("CVSS:3.x/".length), V3_ALLOWED);
  if (typeof m === "string") return { ok: false, error: `CVSS v${version} "${short(vector)}": ${m}` };
  const miss = need(m, ["AV", "AC", "PR", "UI", "S", "C", "I", "A"]);
  if (miss) return { ok: false, error: `CVSS v${version} "${short(vector)}": ${miss}` };
  const changed = m.get("S") === "C";
  const iss = 1 - (1 - w(V3_CIA, m.get("C"))) * (1 - w(V3_CIA, m.get("I"))) * (1 - w(V3_CIA, m.get("A")));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability =
    8.22 * w(V3_AV, m.get("AV")) * w(V3_AC, m.get("AC")) * w(changed ? V3_PR_C : V3_PR_U, m.get("PR")) * w(V3_UI, m.get("UI"));
  const roundup = version === "3.1" ? roundup31 : roundup30;
  let base = 0;
  if (impact > 0) base = roundup(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
  return { ok: true, score: { version, vector, baseScore: base, severity: severityOf(base, version) } };
}

// ---------------------------------------------------------------- v4.0

const V4_BASE_KEYS = ["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"] as const;
const V4_ALLOWED: Record<string, readonly string[]> = {
  AV: ["N", "A", "L", "P"], AC: ["L", "H"], AT: ["N", "P"], PR: ["N", "L", "H"], UI: ["N", "P", "A"],
  VC: ["H", "L", "N"], VI: ["H", "L", "N"], VA: ["H", "L", "N"], SC: ["H", "L", "N"], SI: ["H", "L", "N"], SA: ["H", "L", "N"],
  E: ["X", "A", "P", "U"], CR: ["X", "H", "M", "L"], IR: ["X", "H", "M", "L"], AR: ["X", "H", "M", "L"],
  MAV: ["X", "N", "A", "L", "P"], MAC: ["X", "L", "H"], MAT: ["X", "N", "P"], MPR: ["X", "N", "L", "H"], MUI: ["X", "N", "P", "A"],
  MVC: ["X", "H", "L", "N"], MVI: ["X", "H", "L", "N"], MVA: ["X", "H", "L", "N"], MSC: ["X", "H", "L", "N"],
  MSI: ["X", "S", "H", "L", "N"], MSA: ["X", "S", "H", "L", "N"],
  S: ["X", "N", "P"], AU: ["X", "N", "Y"], R: ["X", "A", "U", "I"], V: ["X", "D", "C"], RE: ["X", "L", "M", "H"],
  U: ["X", "Clear", "Green", "Amber", "Red"],
};

/**
 * Scores of the 270 MacroVectors (EQ1…EQ6 digits), from the CVSS v4.0 specification's lookup table
 * (FIRST, "CVSS v4.0 Specification Document", section 8.2 and its published lookup data).
 * Written as rows: the key prefix, then the scores of its suffixes in the listed order.
 */
const MACRO_SCORES: ReadonlyMap<string, number> = buildMacroTable();

function buildMacroTable(): Map<string, number> {
  // Each EQ3/EQ4/EQ5/EQ6 block lists suffixes in this order; EQ3=2 only exists with EQ6=1.
  const full = ["0000", "0001", "0010", "0011", "0020", "0021", "0100", "0101", "0110", "0111", "0120", "0121", "0200", "0201", "0210", "0211", "0220", "0221",
    "1000", "1001", "1010", "1011", "1020", "1021", "1100", "1101", "1110", "1111", "1120", "1121", "1200", "1201", "1210", "1211", "1220", "1221",
    "2001", "2011", "2021", "2101", "2111", "2121", "2201", "2211", "2221"];
  const rows: Record<string, number[]> = {
    "00": [10, 9.9, 9.8, 9.5, 9.5, 9.2, 10, 9.6, 9.3, 8.7, 9.1, 8.1, 9.3, 9, 8.9, 8, 8.1, 6.8,
      9.8, 9.5, 9.5, 9.2, 9, 8.4, 9.3, 9.2, 8.9, 8.1, 8.1, 6.5, 8.8, 8, 7.8, 7, 6.9, 4.8,
      9.2, 8.2, 7.2, 7.9, 6.9, 5, 6.9, 5.5, 2.7],
    "01": [9.9, 9.7, 9.5, 9.2, 9.2, 8.5, 9.5, 9.1, 9, 8.3, 8.4, 7.1, 9.2, 8.1, 8.2, 7.1, 7.2, 5.3,
      9.5, 9.3, 9.2, 8.5, 8.5, 7.3, 9.2, 8.2, 8, 7.2, 7, 5.9, 8.4, 7, 7.1, 5.2, 5, 3,
      8.6, 7.5, 5.2, 7.1, 5.2, 2.9, 6.3, 2.9, 1.7],
    "10": [9.8, 9.5, 9.4, 8.7, 9.1, 8.1, 9.4, 8.9, 8.6, 7.4, 7.7, 6.4, 8.7, 7.5, 7.4, 6.3, 6.3, 4.9,
      9.4, 8.9, 8.8, 7.7, 7.6, 6.7, 8.6, 7.6, 7.4, 5.8, 5.9, 5, 7.2, 5.7, 5.7, 5.2, 5.2, 2.5,
      8.3, 7, 5.4, 6.5, 5.8, 2.6, 5.3, 2.1, 1.3],
    "11": [9.5, 9, 8.8, 7.6, 7.6, 7, 9, 7.7, 7.5, 6.2, 6.1, 5.3, 7.7, 6.6, 6.8, 5.9, 5.2, 3,
      8.9, 7.8, 7.6, 6.7, 6.2, 5.8, 7.4, 5.9, 5.7, 5.7, 4.7, 2.3, 6.1, 5.2, 5.7, 2.9, 2.4, 1.6,
      7.1, 5.9, 3, 5.8, 2.6, 1.5, 2.3, 1.3, 0.6],
    "20": [9.3, 8.7, 8.6, 7.2, 7.5, 5.8, 8.6, 7.4, 7.4, 6.1, 5.6, 3.4, 7, 5.4, 5.2, 4, 4, 2.2,
      8.5, 7.5, 7.4, 5.5, 6.2, 5.1, 7.2, 5.7, 5.5, 4.1, 4.6, 1.9, 5.3, 3.6, 3.4, 1.9, 1.9, 0.8,
      6.4, 5.1, 2, 4.7, 2.1, 1.1, 2.4, 0.9, 0.4],
    "21": [8.8, 7.5, 7.3, 5.3, 6, 5, 7.3, 5.5, 5.9, 4, 4.1, 2, 5.4, 4.3, 4.5, 2.2, 2, 1.1,
      7.5, 5.5, 5.8, 4.5, 4, 2.1, 6.1, 5.1, 4.8, 1.8, 2, 0.9, 4.6, 1.8, 1.7, 0.7, 0.8, 0.2,
      5.3, 2.4, 1.4, 2.4, 1.2, 0.5, 1, 0.3, 0.1],
  };
  const t = new Map<string, number>();
  for (const [prefix, scores] of Object.entries(rows)) {
    if (scores.length !== full.length) throw new Error(`cvss: macro table row ${prefix} has ${scores.length} scores`);
    full.forEach((suffix, i) => t.set(prefix + suffix, scores[i] as number));
  }
  return t;
}

/** Severity levels of each metric value used for the distance within a MacroVector (× 0.1 steps). */
const LEVELS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  AV: { N: 0, A: 1, L: 2, P: 3 }, PR: { N: 0, L: 1, H: 2 }, UI: { N: 0, P: 1, A: 2 },
  AC: { L: 0, H: 1 }, AT: { N: 0, P: 1 },
  VC: { H: 0, L: 1, N: 2 }, VI: { H: 0, L: 1, N: 2 }, VA: { H: 0, L: 1, N: 2 },
  SC: { H: 1, L: 2, N: 3 }, SI: { S: 0, H: 1, L: 2, N: 3 }, SA: { S: 0, H: 1, L: 2, N: 3 },
  CR: { H: 0, M: 1, L: 2 }, IR: { H: 0, M: 1, L: 2 }, AR: { H: 0, M: 1, L: 2 },
};

/** Highest-severity vectors of each EQ level (spec Table 24–29), as metric→value records. */
type Partial4 = Readonly<Record<string, string>>;
const p = (s: string): Partial4 => Object.fromEntries(s.split("/").map((kv) => kv.split(":") as [string, string]));
const MAX_EQ1: Readonly<Record<number, readonly Partial4[]>> = {
  0: [p("AV:N/PR:N/UI:N")],
  1: [p("AV:A/PR:N/UI:N"), p("AV:N/PR:L/UI:N"), p("AV:N/PR:N/UI:P")],
  2: [p("AV:P/PR:N/UI:N"), p("AV:A/PR:L/UI:P")],
};
const MAX_EQ2: Readonly<Record<number, readonly Partial4[]>> = { 0: [p("AC:L/AT:N")], 1: [p("AC:H/AT:N"), p("AC:L/AT:P")] };
const MAX_EQ3EQ6: Readonly<Record<string, readonly Partial4[]>> = {
  "00": [p("VC:H/VI:H/VA:H/CR:H/IR:H/AR:H")],
  "01": [p("VC:H/VI:H/VA:L/CR:M/IR:M/AR:H"), p("VC:H/VI:H/VA:H/CR:M/IR:M/AR:M")],
  "10": [p("VC:L/VI:H/VA:H/CR:H/IR:H/AR:H"), p("VC:H/VI:L/VA:H/CR:H/IR:H/AR:H")],
  "11": [p("VC:L/VI:H/VA:L/CR:H/IR:M/AR:H"), p("VC:L/VI:H/VA:H/CR:H/IR:M/AR:M"), p("VC:H/VI:L/VA:H/CR:M/IR:H/AR:M"),
    p("VC:H/VI:L/VA:L/CR:M/IR:H/AR:H"), p("VC:L/VI:L/VA:H/CR:H/IR:H/AR:M")],
  "21": [p("VC:L/VI:L/VA:L/CR:H/IR:H/AR:H")],
};
const MAX_EQ4: Readonly<Record<number, readonly Partial4[]>> = { 0: [p("SC:H/SI:S/SA:S")], 1: [p("SC:H/SI:H/SA:H")], 2: [p("SC:L/SI:L/SA:L")] };
/** Depth (in 0.1 steps) of each EQ level: the largest severity distance inside it, plus one. */
const DEPTH_EQ1: Readonly<Record<number, number>> = { 0: 1, 1: 4, 2: 5 };
const DEPTH_EQ2: Readonly<Record<number, number>> = { 0: 1, 1: 2 };
const DEPTH_EQ3EQ6: Readonly<Record<string, number>> = { "00": 7, "01": 6, "10": 8, "11": 8, "21": 10 };
const DEPTH_EQ4: Readonly<Record<number, number>> = { 0: 6, 1: 5, 2: 4 };

export type Cvss4Result = { readonly ok: true; readonly score: number; readonly macroVector: string } | { readonly ok: false; readonly error: string };

/**
 * CVSS v4.0 score. By default only the base metrics count (CVSS-B, what advisories call the base
 * score); with allMetrics the vector's threat and environmental metrics apply too.
 */
export function cvss4Score(vector: string, opts: { readonly allMetrics?: boolean } = {}): Cvss4Result {
  if (!vector.startsWith("CVSS:4.0/")) return { ok: false, error: `not a CVSS v4.0 vector: "${short(vector)}"` };
  const m = parseMetrics(vector.slice("CVSS:4.0/".length), V4_ALLOWED);
  if (typeof m === "string") return { ok: false, error: `CVSS v4.0 "${short(vector)}": ${m}` };
  const miss = need(m, V4_BASE_KEYS);
  if (miss) return { ok: false, error: `CVSS v4.0 "${short(vector)}": ${miss}` };
  const all = opts.allMetrics === true;
  // Effective value: a modified (M*) metric overrides its base metric; unset E and CR/IR/AR take
  // their worst case (E:A, xR:H), as the specification prescribes.
  const eff = (k: string): string => {
    if (all) {
      const mod = m.get(`M${k}`);
      if (mod !== undefined && mod !== "X") return mod;
      const own = m.get(k);
      if (own !== undefined && own !== "X") return own;
    } else if ((V4_BASE_KEYS as readonly string[]).includes(k)) {
      return m.get(k) as string;
    }
    if (k === "E") return "A";
    if (k === "CR" || k === "IR" || k === "AR") return "H";
    return m.get(k) as string;
  };
  if (["VC", "VI", "VA", "SC", "SI", "SA"].every((k) => eff(k) === "N")) return { ok: true, score: 0, macroVector: "" };

  const AV = eff("AV"), PR = eff("PR"), UI = eff("UI");
  const eq1 = AV === "N" && PR === "N" && UI === "N" ? 0 : (AV === "N" || PR === "N" || UI === "N") && AV !== "P" ? 1 : 2;
  const eq2 = eff("AC") === "L" && eff("AT") === "N" ? 0 : 1;
  const VC = eff("VC"), VI = eff("VI"), VA = eff("VA");
  const eq3 = VC === "H" && VI === "H" ? 0 : VC === "H" || VI === "H" || VA === "H" ? 1 : 2;
  const SI = eff("SI"), SA = eff("SA");
  const eq4 = SI === "S" || SA === "S" ? 0 : eff("SC") === "H" || SI === "H" || SA === "H" ? 1 : 2;
  const E = eff("E");
  const eq5 = E === "A" ? 0 : E === "P" ? 1 : 2;
  const eq6 = (eff("CR") === "H" && VC === "H") || (eff("IR") === "H" && VI === "H") || (eff("AR") === "H" && VA === "H") ? 0 : 1;
  const macro = `${eq1}${eq2}${eq3}${eq4}${eq5}${eq6}`;
  const value = MACRO_SCORES.get(macro);
  if (value === undefined) throw new Error(`cvss: no MacroVector ${macro}`);

  const at = (e1: number, e2: number, e3: number, e4: number, e5: number, e6: number): number | undefined =>
    MACRO_SCORES.get(`${e1}${e2}${e3}${e4}${e5}${e6}`);
  const lower1 = at(eq1 + 1, eq2, eq3, eq4, eq5, eq6);
  const lower2 = at(eq1, eq2 + 1, eq3, eq4, eq5, eq6);
  let lower36: number | undefined;
  if (eq3 === 0 && eq6 === 0) {
    const a = at(eq1, eq2, eq3, eq4, eq5, 1);
    const b = at(eq1, eq2, 1, eq4, eq5, eq6);
    lower36 = a === undefined ? b : b === undefined ? a : Math.max(a, b);
  } else if (eq3 === 1 && eq6 === 0) lower36 = at(eq1, eq2, eq3, eq4, eq5, 1);
  else if (eq6 === 1 && eq3 < 2) lower36 = at(eq1, eq2, eq3 + 1, eq4, eq5, eq6);
  else lower36 = undefined;
  const lower4 = at(eq1, eq2, eq3, eq4 + 1, eq5, eq6);
  const lower5 = at(eq1, eq2, eq3, eq4, eq5 + 1, eq6);

  // The first highest-severity vector of this MacroVector that the scored vector does not exceed.
  const level = (k: string, val: string): number => {
    const x = LEVELS[k]?.[val];
    if (x === undefined) throw new Error(`cvss: no level for ${k}:${val}`);
    return x;
  };
  const keys = ["AV", "PR", "UI", "AC", "AT", "VC", "VI", "VA", "SC", "SI", "SA", "CR", "IR", "AR"];
  const own = new Map(keys.map((k) => [k, level(k, eff(k))]));
  let dist: Map<string, number> | undefined;
  outer: for (const a of MAX_EQ1[eq1] ?? []) {
    for (const b of MAX_EQ2[eq2] ?? []) {
      for (const c of MAX_EQ3EQ6[`${eq3}${eq6}`] ?? []) {
        for (const d of MAX_EQ4[eq4] ?? []) {
          const max: Record<string, string> = { ...a, ...b, ...c, ...d };
          const ds = new Map(keys.map((k) => [k, (own.get(k) as number) - level(k, max[k] as string)]));
          if ([...ds.values()].every((x) => x >= 0)) {
            dist = ds;
            break outer;
          }
        }
      }
    }
  }
  if (dist === undefined) throw new Error(`cvss: no maximal vector for ${macro}`);
  const d = (ks: readonly string[]): number => ks.reduce((s, k) => s + (dist?.get(k) ?? 0), 0) * 0.1;

  const parts: Array<[number | undefined, number, number]> = [
    [lower1, d(["AV", "PR", "UI"]), (DEPTH_EQ1[eq1] as number) * 0.1],
    [lower2, d(["AC", "AT"]), (DEPTH_EQ2[eq2] as number) * 0.1],
    [lower36, d(["VC", "VI", "VA", "CR", "IR", "AR"]), (DEPTH_EQ3EQ6[`${eq3}${eq6}`] as number) * 0.1],
    [lower4, d(["SC", "SI", "SA"]), (DEPTH_EQ4[eq4] as number) * 0.1],
    [lower5, 0, 1], // EQ5's distance is always 0 (a single value per level)
  ];
  let n = 0;
  let sum = 0;
  for (const [lower, distance, depth] of parts) {
    if (lower === undefined) continue;
    n += 1;
    sum += (value - lower) * (distance / depth);
  }
  const score = Math.max(0, Math.min(10, value - (n === 0 ? 0 : sum / n)));
  return { ok: true, score: round1(score), macroVector: macro };
}
