// SARIF 2.1.0 for GitHub code scanning (docs: "SARIF support for code scanning"). One run per file
// (GitHub rejects several runs with the same category), one rule per vulnerability id, one result per
// finding, located at the target's artifactPath (e.g. "Dockerfile") or the file that recorded the
// package. GitHub's upload limits are enforced here by keeping the most severe results and saying so
// in a tool execution notification, so an upload is never rejected as a whole. Deterministic: order
// comes from the document and ids, the only time is doc.timestamp.
import { gzipSync } from "node:zlib";
import type * as Sarif from "sarif";
import type { Finding, SeverityLabel } from "../model/finding.js";
import type { RenderOptions, ReportDocument, ReportTarget } from "./document.js";
import {
  compareText,
  formatScore,
  listedFindings,
  oneLine,
  packagePath,
  purlWithoutVersion,
  severityRank,
  severityScore,
  sha256Hex,
  targetIdentity,
  truncate,
  unique,
} from "./common.js";

export const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
export const FINGERPRINT_KEY = "berth/v1";

/** GitHub code scanning's documented hard limits for one uploaded SARIF file. */
export interface SarifLimits {
  readonly maxRuns: number;
  readonly maxResultsPerRun: number;
  readonly maxRulesPerRun: number;
  readonly maxTagsPerRule: number;
  readonly maxLocationsPerResult: number;
  /** The upload is rejected when the gzip-compressed file is larger than this. */
  readonly maxGzipBytes: number;
}

export const githubLimits: SarifLimits = {
  maxRuns: 20,
  maxResultsPerRun: 25_000,
  maxRulesPerRun: 25_000,
  maxTagsPerRule: 20,
  maxLocationsPerResult: 1_000,
  maxGzipBytes: 10 * 1024 * 1024,
};

/** How many affected packages a rule's help lists before "… and N more". */
const HELP_ROWS = 20;

interface Item {
  readonly target: ReportTarget;
  readonly finding: Finding;
}

function level(s: SeverityLabel): Sarif.Result.level {
  switch (s) {
    case "critical":
    case "high":
      return "error";
    case "medium":
    case "unknown":
      return "warning";
    case "low":
    case "none":
      return "note";
  }
}

/** A repository-relative URI reference for a path ("app/node_modules/@scope/x/package.json"). */
function uriOf(path: string): string {
  return encodeURI(path).replace(/#/g, "%23").replace(/\?/g, "%3F");
}

function artifactUri(t: ReportTarget, f: Finding): string {
  const path = t.artifactPath?.replace(/^\.?\/+/, "") || packagePath(f) || targetIdentity(t).replace(/^[a-z-]+:\/*/i, "");
  return uriOf(path || ".");
}

function isHttpUrl(s: string | undefined): s is string {
  if (!s) return false;
  try {
    const u = new URL(s);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

function fixedText(f: Finding): string {
  return f.fixedVersions.length > 0 ? f.fixedVersions.join(", ") : "no fixed version";
}

function layerText(f: Finding): string | undefined {
  const l = f.layer;
  if (!l) return undefined;
  const which = l.index !== undefined ? `layer ${l.index}` : `layer ${l.diffId}`;
  return l.createdBy ? `${which} (${truncate(oneLine(l.createdBy), 120)})` : which;
}

function message(t: ReportTarget, f: Finding): string {
  const where = [f.package.locations[0]?.path, layerText(f)].filter(Boolean).join(", ");
  const fixed = f.fixedVersions.length > 0 ? `Fixed in ${fixedText(f)}.` : "No fixed version is available.";
  return [
    `${f.package.name} ${f.installedVersion} in ${t.name} is affected by ${f.id} (${f.severity}${f.kev ? ", known exploited" : ""}).`,
    fixed,
    `Remediation: ${f.remediation}.`,
    where ? `Found in ${where}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

export function fingerprint(t: ReportTarget, f: Finding): string {
  return sha256Hex(`${targetIdentity(t)}\n${purlWithoutVersion(f.package.purl)}\n${f.id}`);
}

function mdCell(s: string): string {
  // GitHub renders single "~" pairs as strikethrough ("3.0.11-1~deb12u2"), so escape it with the rest.
  return oneLine(s).replace(/[\\`*_~|]/g, "\\$&").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function shortDescription(f: Finding): string {
  const title = f.title ? oneLine(f.title) : "";
  if (!title) return `${f.id}: vulnerability in ${f.package.name}`;
  return truncate(title.includes(f.id) ? title : `${f.id}: ${title}`, 160);
}

function buildRule(id: string, items: readonly Item[], limits: SarifLimits): Sarif.ReportingDescriptor {
  const top = items[0]!.finding;
  const score = Math.max(...items.map((i) => severityScore(i.finding)));
  const remediations = unique(items.map((i) => i.finding.remediation));
  const aliases = unique(items.flatMap((i) => [...i.finding.aliases, ...i.finding.advisories])).filter((a) => a !== id).sort(compareText);
  const url = items.map((i) => i.finding.url).find(isHttpUrl);
  const description = top.description ?? top.title ?? id;
  const rows = items.slice(0, HELP_ROWS);
  const more = items.length - rows.length;

  const text = [
    shortDescription(top),
    "",
    description.trim(),
    "",
    "Affected packages:",
    ...rows.map((i) => `- ${i.finding.package.name} ${i.finding.installedVersion} in ${i.target.name}: ${i.finding.fixedVersions.length ? `fixed in ${fixedText(i.finding)}` : "no fixed version"}`),
    ...(more > 0 ? [`- … and ${more} more`] : []),
    "",
    `Remediation: ${remediations.join("; ")}`,
    ...(url ? [`Advisory: ${url}`] : []),
    ...(aliases.length ? [`Also known as: ${aliases.join(", ")}`] : []),
  ].join("\n");

  const markdown = [
    `**${mdCell(shortDescription(top))}**`,
    "",
    description.trim(),
    "",
    "| Package | Installed | Fixed version | Target |",
    "| --- | --- | --- | --- |",
    ...rows.map((i) => `| ${mdCell(i.finding.package.name)} | ${mdCell(i.finding.installedVersion)} | ${mdCell(i.finding.fixedVersions.join(", ") || "none")} | ${mdCell(i.target.name)} |`),
    ...(more > 0 ? [`| … and ${more} more | | | |`] : []),
    "",
    `**Remediation:** ${remediations.map(mdCell).join("; ")}`,
    ...(url ? ["", `**Advisory:** [${mdCell(url)}](${url.replace(/\(/g, "%28").replace(/\)/g, "%29").replace(/ /g, "%20")})`] : []),
    ...(aliases.length ? ["", `**Also known as:** ${aliases.map(mdCell).join(", ")}`] : []),
  ].join("\n");

  const tags = ["security", "vulnerability", top.severity, ...(items.some((i) => i.finding.kev) ? ["known-exploited"] : [])].slice(0, limits.maxTagsPerRule);
  return {
    id,
    shortDescription: { text: shortDescription(top) },
    fullDescription: { text: truncate(description.trim(), 4000) },
    ...(url ? { helpUri: url } : {}),
    help: { text, markdown },
    defaultConfiguration: { level: level(top.severity) },
    properties: { "security-severity": formatScore(score), tags, precision: "very-high" },
  };
}

function buildResult(item: Item, ruleIndex: number, limits: SarifLimits): Sarif.Result {
  const { target: t, finding: f } = item;
  const locations: Sarif.Location[] = [
    { physicalLocation: { artifactLocation: { uri: artifactUri(t, f) }, region: { startLine: 1 } } },
  ].slice(0, limits.maxLocationsPerResult);
  return {
    ruleId: f.id,
    ruleIndex,
    level: level(f.severity),
    message: { text: message(t, f) },
    locations,
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(t, f) },
    ...(f.suppressed ? { suppressions: [{ kind: "external", status: "accepted", justification: `${f.suppressed.by}: ${f.suppressed.reason} (${f.suppressed.source})` }] } : {}),
    properties: {
      target: t.name,
      purl: f.package.purl,
      installedVersion: f.installedVersion,
      fixedVersions: [...f.fixedVersions],
      severity: f.severity,
      kev: f.kev,
      ...(f.layer ? { layerDiffId: f.layer.diffId } : {}),
    },
  };
}

function notification(id: string, lvl: Sarif.Notification.level, text: string): Sarif.Notification {
  return { descriptor: { id }, level: lvl, message: { text } };
}

function category(doc: ReportDocument): string {
  const base = doc.category ?? `berth/${doc.targets.map(targetIdentity).sort(compareText).join("+") || "scan"}`;
  return base.endsWith("/") ? base : `${base}/`;
}

/** Highest severity first, known-exploited before others, then document order. */
function prioritised(doc: ReportDocument, opts: RenderOptions): Item[] {
  const items = doc.targets.flatMap((target, ti) => listedFindings(target, opts).map((finding, fi) => ({ target, finding, ti, fi })));
  items.sort(
    (a, b) =>
      severityRank(a.finding.severity) - severityRank(b.finding.severity) ||
      Number(b.finding.kev) - Number(a.finding.kev) ||
      a.ti - b.ti ||
      a.fi - b.fi,
  );
  return items.map(({ target, finding }) => ({ target, finding }));
}

function buildLog(doc: ReportDocument, all: readonly Item[], maxResults: number, limits: SarifLimits): { log: Sarif.Log; kept: number } {
  const kept: Item[] = [];
  const ruleIds = new Set<string>();
  let droppedForRules = 0;
  for (const item of all) {
    if (kept.length >= maxResults) break;
    if (!ruleIds.has(item.finding.id) && ruleIds.size >= limits.maxRulesPerRun) {
      droppedForRules++;
      continue;
    }
    ruleIds.add(item.finding.id);
    kept.push(item);
  }
  const byRule = new Map<string, Item[]>();
  for (const item of kept) {
    const list = byRule.get(item.finding.id) ?? [];
    list.push(item);
    byRule.set(item.finding.id, list);
  }
  const ids = [...byRule.keys()].sort(compareText);
  const ruleIndex = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => buildRule(id, byRule.get(id)!, limits));
  const results = kept.map((item) => buildResult(item, ruleIndex.get(item.finding.id)!, limits));

  const notes: Sarif.Notification[] = [];
  const omitted = all.length - kept.length;
  if (omitted > 0) {
    const n = (x: number) => x.toLocaleString("en-US");
    const why =
      droppedForRules > 0
        ? `at most ${n(limits.maxRulesPerRun)} rules per run`
        : maxResults < limits.maxResultsPerRun
          ? `a gzip-compressed file of at most ${Math.round(limits.maxGzipBytes / 1024 / 1024)} MB`
          : `at most ${n(limits.maxResultsPerRun)} results per run`;
    notes.push(
      notification(
        "berth/limit",
        "warning",
        `${n(omitted)} of ${n(all.length)} findings were left out: GitHub code scanning accepts ${why}. The most severe findings are included; the JSON report lists all of them.`,
      ),
    );
  }
  for (const t of doc.targets)
    for (const u of t.undecided)
      notes.push(notification("berth/undecided", "warning", `${t.name}: could not decide whether ${u.package.name} ${u.package.version} is affected by ${u.advisory}: ${oneLine(u.reasons.join("; "))}`));

  const semver = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.test(doc.tool.version);
  const run: Sarif.Run = {
    tool: {
      driver: {
        name: "Berth",
        fullName: "Berth container supply-chain scanner",
        version: doc.tool.version,
        ...(semver ? { semanticVersion: doc.tool.version } : {}),
        informationUri: doc.tool.informationUri,
        rules,
      },
    },
    automationDetails: { id: category(doc) },
    invocations: [{ executionSuccessful: true, endTimeUtc: doc.timestamp.toISOString(), ...(notes.length ? { toolExecutionNotifications: notes } : {}) }],
    results,
    properties: {
      targets: doc.targets.map((t) => t.name),
      ...(doc.db ? { db: { builtAt: doc.db.builtAt, updatedAt: doc.db.updatedAt, sources: doc.db.sources.map((s) => ({ ...s })) } } : {}),
    },
  };
  return { log: { $schema: SARIF_SCHEMA, version: "2.1.0", runs: [run].slice(0, limits.maxRuns) }, kept: kept.length };
}

function serialize(log: Sarif.Log): string {
  return JSON.stringify(log, null, 2) + "\n";
}

/** Renders with explicit limits (tests use small ones); `render` uses GitHub's. */
export function renderWithLimits(doc: ReportDocument, opts: RenderOptions, limits: SarifLimits): string {
  const all = prioritised(doc, opts);
  let maxResults = limits.maxResultsPerRun;
  let { log, kept } = buildLog(doc, all, maxResults, limits);
  let text = serialize(log);
  // The compressed size is only worth measuring when the text itself is over the limit.
  for (let attempt = 0; attempt < 8 && Buffer.byteLength(text) > limits.maxGzipBytes; attempt++) {
    // Fastest level: its output is never smaller than the default level's, so the estimate errs safe.
    const gz = gzipSync(text, { level: 1 }).length;
    if (gz <= limits.maxGzipBytes) break;
    maxResults = Math.max(0, Math.floor(kept * (limits.maxGzipBytes / gz) * 0.9));
    ({ log, kept } = buildLog(doc, all, maxResults, limits));
    text = serialize(log);
  }
  return text;
}

/** Suppressed findings are left out unless opts.showSuppressed (then they carry SARIF suppressions). */
export function render(doc: ReportDocument, opts: RenderOptions): string {
  return renderWithLimits(doc, opts, githubLimits);
}
