// Is a version inside an OSV `affected` entry? The OSV schema's evaluation algorithm
// (docs/schema.md, "Evaluation"), followed step by step:
//
//   affected  = v is in `versions`, or some SEMVER/ECOSYSTEM range includes v   (ranges are OR-ed)
//   a range includes v when BeforeLimits(v) and, walking its events sorted by version,
//     introduced ≤ v → vulnerable; else fixed ≤ v → not; else last_affected < v → not
//   BeforeLimits: no limit event, or v < some limit ("*" is infinity)
//   introduced "0" sorts before every version
//
// Berth adds only what the pseudocode leaves open, always on the side of being told:
// - A comparison the scheme cannot make (a version or event that does not parse, a pair with no
//   order) makes that range "incomparable". The entry is then incomparable unless another range
//   or the versions list says affected — never silently "not affected".
// - Events with equal versions keep the order the record lists them in (a stable sort).
// - GIT ranges are skipped (they need the repository's commit graph); an entry with nothing else
//   to evaluate (no SEMVER/ECOSYSTEM range, no versions list) is incomparable.
// - `versions` matches a listed string exactly, or a listed version the scheme orders as equal.
import { isIncomparable, type Incomparable, type Ordering, type SchemeId } from "./scheme.js";
import { schemes } from "./registry.js";

export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface OsvRange {
  readonly type: string;
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
}

/** The parts of an OSV `affected[]` entry that decide which versions it covers. */
export interface OsvAffectedVersions {
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
}

export type AffectedResult =
  | {
      readonly status: "affected";
      /** Fixed versions that end the affected intervals holding the version, lowest first (may be empty). */
      readonly fixed: readonly string[];
    }
  | { readonly status: "not-affected" }
  | {
      readonly status: "incomparable";
      /** One line per range or comparison that could not be decided. */
      readonly reasons: readonly string[];
    };

type Kind = "introduced" | "fixed" | "last_affected" | "limit";

interface Event {
  readonly kind: Kind;
  readonly version: string;
}

type RangeOutcome = { readonly affected: true; readonly fixed: string | undefined } | { readonly affected: false } | Incomparable;

class Unordered extends Error {
  constructor(readonly result: Incomparable) {
    super(result.reason);
  }
}

function eventOf(e: OsvEvent): Event | undefined {
  if (e.introduced !== undefined) return { kind: "introduced", version: e.introduced };
  if (e.fixed !== undefined) return { kind: "fixed", version: e.fixed };
  if (e.last_affected !== undefined) return { kind: "last_affected", version: e.last_affected };
  if (e.limit !== undefined) return { kind: "limit", version: e.limit };
  return undefined;
}

const isZero = (e: Event): boolean => e.kind === "introduced" && e.version === "0";

function evaluateRange(range: OsvRange, version: string, scheme: SchemeId): RangeOutcome {
  const s = schemes[scheme];
  const cmp = (a: string, b: string): Ordering => {
    const r = s.tryCompare(a, b);
    if (isIncomparable(r)) throw new Unordered(r);
    return r;
  };
  try {
    const events: Event[] = [];
    for (const raw of range.events) {
      const e = eventOf(raw);
      if (e === undefined) return { incomparable: true, scheme, reason: `${range.type} range has an event with no introduced, fixed, last_affected or limit` };
      events.push(e);
    }
    // BeforeLimits.
    const limits = events.filter((e) => e.kind === "limit");
    if (limits.length > 0 && !limits.some((e) => e.version === "*" || cmp(version, e.version) < 0)) return { affected: false };
    // Sorted walk ("0" first; equal versions keep their order).
    const sorted = events
      .filter((e) => e.kind !== "limit")
      .map((e, i) => ({ e, i }))
      .sort((x, y) => {
        const zx = isZero(x.e);
        const zy = isZero(y.e);
        if (zx || zy) return zx && zy ? x.i - y.i : zx ? -1 : 1;
        return cmp(x.e.version, y.e.version) || x.i - y.i;
      })
      .map((x) => x.e);
    let vulnerable = false;
    for (const e of sorted) {
      if (e.kind === "introduced" && (isZero(e) || cmp(version, e.version) >= 0)) vulnerable = true;
      else if (e.kind === "fixed" && cmp(version, e.version) >= 0) vulnerable = false;
      else if (e.kind === "last_affected" && cmp(version, e.version) > 0) vulnerable = false;
    }
    if (!vulnerable) return { affected: false };
    // The fix that ends this interval: the first fixed event above the version.
    const fixed = sorted.find((e) => e.kind === "fixed" && cmp(version, e.version) < 0);
    return { affected: true, fixed: fixed?.version };
  } catch (err) {
    if (err instanceof Unordered) return err.result;
    throw err;
  }
}

/**
 * Decides whether `version` is affected by one OSV `affected[]` entry, ordering versions with
 * `scheme` for ECOSYSTEM ranges and the versions list, and with "semver" for SEMVER ranges.
 * `scheme` undefined (an ecosystem Berth cannot order, see schemeForEcosystem): the versions list
 * matches exact strings only, and ECOSYSTEM ranges are incomparable.
 */
export function evaluateAffected(entry: OsvAffectedVersions, version: string, scheme: SchemeId | undefined): AffectedResult {
  const reasons: string[] = [];
  let affected = false;
  const fixed = new Set<string>();

  for (const listed of entry.versions ?? []) {
    if (listed === version) {
      affected = true;
      break;
    }
    const r = scheme === undefined ? undefined : schemes[scheme].tryCompare(version, listed);
    if (r === 0) {
      affected = true;
      break;
    }
  }

  let evaluated = entry.versions !== undefined && entry.versions.length > 0;
  for (const range of entry.ranges ?? []) {
    if (range.type === "GIT") continue;
    evaluated = true;
    if (range.type !== "SEMVER" && range.type !== "ECOSYSTEM") {
      reasons.push(`unsupported range type ${JSON.stringify(range.type)}`);
      continue;
    }
    const rangeScheme = range.type === "SEMVER" ? "semver" : scheme;
    if (rangeScheme === undefined) {
      reasons.push("ECOSYSTEM range of an ecosystem Berth has no version scheme for");
      continue;
    }
    const outcome = evaluateRange(range, version, rangeScheme);
    if ("incomparable" in outcome) reasons.push(outcome.reason);
    else if (outcome.affected) {
      affected = true;
      if (outcome.fixed !== undefined) fixed.add(outcome.fixed);
    }
  }

  if (affected) return { status: "affected", fixed: sortVersions([...fixed], scheme ?? "semver") };
  if (!evaluated) reasons.push("no SEMVER or ECOSYSTEM range and no versions list to evaluate");
  if (reasons.length > 0) return { status: "incomparable", reasons };
  return { status: "not-affected" };
}

function sortVersions(vs: string[], scheme: SchemeId): string[] {
  const s = schemes[scheme];
  return vs.sort((a, b) => {
    const r = s.tryCompare(a, b);
    return isIncomparable(r) ? (a < b ? -1 : a > b ? 1 : 0) : r;
  });
}
