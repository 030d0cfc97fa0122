// VEX in: OpenVEX (0.2.0) and CycloneDX VEX (vulnerabilities[].analysis) statements that a
// vulnerability does not affect a product. A `not_affected` (or `fixed`) statement suppresses the
// findings it names — matched by vulnerability id or any alias, and by product: the package's purl
// (version and qualifiers compared only when the statement gives them) or the image's purl/digest.
import type { Finding } from "../model/finding.js";
import { BerthError } from "../util/errors.js";

export interface VexStatement {
  readonly vulnerability: string;
  /** Products (purls, digests) the statement is about; empty = every product. */
  readonly products: readonly string[];
  /** Subcomponents (package purls) when the product is an image. */
  readonly subcomponents: readonly string[];
  readonly status: "not_affected" | "fixed" | "affected" | "under_investigation";
  readonly justification?: string;
  readonly source: string;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const MAX_STATEMENTS = 100_000;

function productIds(list: unknown): string[] {
  return arr(list).flatMap((p) => {
    if (typeof p === "string") return [p];
    if (!isObj(p)) return [];
    const ids = [str(p["@id"])];
    if (isObj(p.identifiers)) ids.push(str(p.identifiers.purl));
    if (isObj(p.hashes)) for (const [alg, v] of Object.entries(p.hashes)) if (typeof v === "string") ids.push(`${alg.replace("sha-", "sha")}:${v}`);
    return ids.filter((x): x is string => !!x);
  });
}

const CDX_STATE: Record<string, VexStatement["status"]> = {
  not_affected: "not_affected",
  false_positive: "not_affected",
  resolved: "fixed",
  resolved_with_pedigree: "fixed",
  exploitable: "affected",
  in_triage: "under_investigation",
};

/** Parses an OpenVEX or CycloneDX VEX JSON document. */
export function parseVex(bytes: Uint8Array, source: string): VexStatement[] {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new BerthError("input", `${source}: VEX document is not valid JSON`);
  }
  if (!isObj(doc)) throw new BerthError("input", `${source}: VEX document is not a JSON object`);
  const out: VexStatement[] = [];
  if (typeof doc["@context"] === "string" && doc["@context"].includes("openvex")) {
    for (const s of arr(doc.statements)) {
      if (!isObj(s)) continue;
      const v = isObj(s.vulnerability) ? str(s.vulnerability.name) ?? str(s.vulnerability["@id"]) : str(s.vulnerability);
      const status = str(s.status);
      if (!v || (status !== "not_affected" && status !== "fixed" && status !== "affected" && status !== "under_investigation")) continue;
      const aliases = isObj(s.vulnerability) ? arr(s.vulnerability.aliases).filter((a): a is string => typeof a === "string") : [];
      const products = productIds(s.products);
      const subcomponents = arr(s.products).flatMap((p) => (isObj(p) ? productIds(p.subcomponents) : []));
      for (const id of [v, ...aliases]) out.push({ vulnerability: id, products, subcomponents, status, ...(str(s.justification) ? { justification: str(s.justification)! } : {}), source });
      if (out.length > MAX_STATEMENTS) throw new BerthError("limit", `${source}: more than ${MAX_STATEMENTS} VEX statements`);
    }
    return out;
  }
  if (doc.bomFormat === "CycloneDX") {
    const refs = new Map<string, string>();
    const stack = [...arr(doc.components)];
    if (isObj(doc.metadata) && isObj(doc.metadata.component)) stack.push(doc.metadata.component);
    while (stack.length) {
      const c = stack.pop();
      if (!isObj(c)) continue;
      stack.push(...arr(c.components));
      const ref = str(c["bom-ref"]);
      if (ref) refs.set(ref, str(c.purl) ?? ref);
    }
    for (const v of arr(doc.vulnerabilities)) {
      if (!isObj(v) || !str(v.id) || !isObj(v.analysis)) continue;
      const status = CDX_STATE[str(v.analysis.state) ?? ""];
      if (!status) continue;
      const products = arr(v.affects).flatMap((a) => (isObj(a) && str(a.ref) ? [refs.get(str(a.ref)!) ?? str(a.ref)!] : []));
      out.push({ vulnerability: str(v.id)!, products, subcomponents: [], status, ...(str(v.analysis.justification) ? { justification: str(v.analysis.justification)! } : {}), source });
      if (out.length > MAX_STATEMENTS) throw new BerthError("limit", `${source}: more than ${MAX_STATEMENTS} VEX statements`);
    }
    return out;
  }
  throw new BerthError("input", `${source}: not an OpenVEX or CycloneDX VEX document`);
}

/** purl equality for VEX: type/namespace/name must match; version and qualifiers only when the statement gives them. */
export function purlMatches(statement: string, actual: string): boolean {
  if (!statement.startsWith("pkg:")) return statement === actual;
  const split = (p: string) => {
    const [main, query] = p.split("?") as [string, string | undefined];
    const at = main.lastIndexOf("@");
    return { base: decodeURIComponent(at > 4 ? main.slice(0, at) : main), version: at > 4 ? decodeURIComponent(main.slice(at + 1)) : undefined, query: new URLSearchParams(query ?? "") };
  };
  const s = split(statement);
  const a = split(actual);
  if (s.base !== a.base) return false;
  if (s.version !== undefined && s.version !== a.version) return false;
  for (const [k, v] of s.query) if (a.query.get(k) !== v) return false;
  return true;
}

function appliesTo(s: VexStatement, f: Finding, imageIds: readonly string[]): boolean {
  if (s.vulnerability !== f.id && !f.aliases.includes(s.vulnerability)) return false;
  if (s.products.length === 0) return true;
  const pkgHit = s.products.some((p) => purlMatches(p, f.package.purl));
  if (pkgHit) return true;
  const imageHit = s.products.some((p) => imageIds.some((i) => i === p || purlMatches(p, i)));
  if (!imageHit) return false;
  return s.subcomponents.length === 0 || s.subcomponents.some((c) => purlMatches(c, f.package.purl));
}

/** Marks findings that a not_affected or fixed statement covers as suppressed. */
export function applyVex(findings: readonly Finding[], statements: readonly VexStatement[], imageIds: readonly string[]): Finding[] {
  return findings.map((f) => {
    if (f.suppressed) return f;
    const s = statements.find((x) => (x.status === "not_affected" || x.status === "fixed") && appliesTo(x, f, imageIds));
    if (!s) return f;
    return { ...f, ...(s.status === "not_affected" ? { status: "not_affected" as const } : {}), suppressed: { by: "vex", reason: s.justification ?? s.status, source: s.source } };
  });
}
