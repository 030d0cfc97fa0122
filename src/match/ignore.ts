// The ignore file (.berthignore, YAML): findings a team has decided to accept, each with a reason
// and optionally a package and an expiry date. An expired entry no longer applies and is reported.
//
//   ignore:
//     - id: CVE-2023-12345          # or any alias (GHSA-…, DSA-…)
//       package: openssl            # optional: package name, source package name, or a purl
//       expires: 2026-12-31         # optional: applies through that day (UTC)
//       reason: not reachable: we never parse untrusted certificates
import { parse } from "yaml";
import type { Finding } from "../model/finding.js";
import { BerthError } from "../util/errors.js";
import { purlMatches } from "./vex.js";

export interface IgnoreRule {
  readonly id: string;
  readonly package?: string;
  readonly expires?: string;
  readonly reason: string;
}

export function parseIgnoreFile(text: string, source: string): IgnoreRule[] {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new BerthError("input", `${source}: not valid YAML (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  if (doc === null || doc === undefined) return [];
  const list = typeof doc === "object" && !Array.isArray(doc) ? (doc as Record<string, unknown>).ignore : undefined;
  if (!Array.isArray(list)) throw new BerthError("input", `${source}: expected a top-level "ignore:" list`);
  return list.map((e, i) => {
    if (typeof e !== "object" || e === null) throw new BerthError("input", `${source}: ignore[${i}] is not a mapping`);
    const o = e as Record<string, unknown>;
    const id = typeof o.id === "string" ? o.id.trim() : "";
    if (!id) throw new BerthError("input", `${source}: ignore[${i}] has no id`);
    const expires = o.expires instanceof Date ? o.expires.toISOString().slice(0, 10) : typeof o.expires === "string" ? o.expires : undefined;
    if (expires !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(expires)) throw new BerthError("input", `${source}: ignore[${i}].expires must be a date (YYYY-MM-DD)`);
    const reason = typeof o.reason === "string" ? o.reason : "";
    return { id, ...(typeof o.package === "string" ? { package: o.package } : {}), ...(expires ? { expires } : {}), reason };
  });
}

export function isExpired(rule: IgnoreRule, now: Date): boolean {
  return rule.expires !== undefined && now.toISOString().slice(0, 10) > rule.expires;
}

function matches(rule: IgnoreRule, f: Finding): boolean {
  if (rule.id !== f.id && !f.aliases.includes(rule.id) && !f.advisories.includes(rule.id)) return false;
  if (!rule.package) return true;
  return rule.package.startsWith("pkg:") ? purlMatches(rule.package, f.package.purl) : rule.package === f.package.name || rule.package === f.package.sourceName;
}

/** Suppresses findings covered by unexpired rules; returns the expired rules so the caller reports them. */
export function applyIgnore(findings: readonly Finding[], rules: readonly IgnoreRule[], source: string, now: Date): { findings: Finding[]; expired: IgnoreRule[] } {
  const active = rules.filter((r) => !isExpired(r, now));
  const expired = rules.filter((r) => isExpired(r, now));
  return {
    findings: findings.map((f) => {
      if (f.suppressed) return f;
      const r = active.find((x) => matches(x, f));
      return r ? { ...f, suppressed: { by: "ignore", reason: r.reason || "ignored", source } } : f;
    }),
    expired,
  };
}
