// OpenVEX 0.2.0 (https://github.com/openvex/spec): one statement per vulnerability, product and
// status. The product is the image (its pkg:oci purl) or the scanned target; the packages are its
// subcomponents.
//   affected            a finding (fixed upstream or not): action_statement = the remediation
//   not_affected        a finding suppressed by VEX, or one the distribution marks not affected,
//                       with the justification its reason names, else the reason as impact_statement
//   under_investigation a comparison Berth could not decide
// A finding Berth lists is never "fixed": OpenVEX's "fixed" says the product already contains the fix,
// while a finding means the installed version is still vulnerable. An ignore rule is policy, not a
// claim about exploitability, so ignored findings stay "affected" with the rule in status_notes.
// Deterministic: the @id derives from the content, the only time is doc.timestamp.
import type { Finding } from "../model/finding.js";
import type { RenderOptions, ReportDocument, ReportTarget } from "./document.js";
import { uuidFromHash } from "../sbom/document.js";
import { compareText, justificationOf, productId, reportContentHash, type VexJustification } from "./common.js";

export const OPENVEX_CONTEXT = "https://openvex.dev/ns/v0.2.0";

type Status = "not_affected" | "affected" | "fixed" | "under_investigation";

interface Subcomponent {
  "@id": string;
  identifiers: { purl: string };
}

export interface OpenVexStatement {
  vulnerability: { name: string; description?: string; aliases?: string[] };
  products: { "@id": string; identifiers?: { purl: string }; subcomponents: Subcomponent[] }[];
  status: Status;
  status_notes?: string;
  justification?: VexJustification;
  impact_statement?: string;
  action_statement?: string;
}

export interface OpenVexDocument {
  "@context": string;
  "@id": string;
  author: string;
  role: string;
  timestamp: string;
  version: number;
  tooling: string;
  statements: OpenVexStatement[];
}

interface Pending {
  readonly name: string;
  readonly product: string;
  readonly productIsPurl: boolean;
  readonly status: Status;
  readonly justification?: VexJustification;
  readonly impact?: string;
  readonly notes: string[];
  readonly actions: string[];
  readonly aliases: Set<string>;
  description?: string;
  readonly purls: Set<string>;
}

function classify(f: Finding): { status: Status; justification?: VexJustification; impact?: string; note?: string; action?: string } {
  const s = f.suppressed;
  if (s?.by === "vex") {
    const j = justificationOf(s.reason);
    return { status: "not_affected", ...(j ? { justification: j } : {}), impact: `${s.reason} (VEX: ${s.source})` };
  }
  if (f.status === "not_affected" && !s) return { status: "not_affected", impact: f.remediation };
  const fixed = f.fixedVersions.length ? `fixed in ${f.fixedVersions.join(", ")}` : "no fixed version yet";
  const note = s?.by === "ignore" ? `ignored by rule in ${s.source}: ${s.reason}` : `${f.package.name} ${f.installedVersion}: ${fixed}`;
  return { status: "affected", note, action: f.remediation };
}

export function buildOpenVex(doc: ReportDocument): OpenVexDocument {
  const pending = new Map<string, Pending>();
  const add = (t: ReportTarget, name: string, purl: string, c: ReturnType<typeof classify>, extra: { aliases?: readonly string[]; description?: string }) => {
    const product = productId(t);
    const key = [name, product, c.status, c.justification ?? "", c.status === "not_affected" ? (c.impact ?? "") : ""].join("\u0000");
    let p = pending.get(key);
    if (!p) {
      p = {
        name,
        product,
        productIsPurl: product.startsWith("pkg:"),
        status: c.status,
        ...(c.justification ? { justification: c.justification } : {}),
        ...(c.impact ? { impact: c.impact } : {}),
        notes: [],
        actions: [],
        aliases: new Set(),
        purls: new Set(),
      };
      pending.set(key, p);
    }
    p.purls.add(purl);
    if (c.note && !p.notes.includes(c.note)) p.notes.push(c.note);
    if (c.action && !p.actions.includes(c.action)) p.actions.push(c.action);
    for (const a of extra.aliases ?? []) if (a !== name) p.aliases.add(a);
    if (p.description === undefined && extra.description) p.description = extra.description;
  };
  for (const t of doc.targets) {
    for (const f of t.findings) add(t, f.id, f.package.purl, classify(f), { aliases: f.aliases, ...(f.title ? { description: f.title } : {}) });
    for (const u of t.undecided)
      add(t, u.advisory, u.package.purl, { status: "under_investigation", note: `${u.package.name} ${u.package.version}: Berth could not decide (${u.reasons.join("; ")})` }, {});
  }
  const statements = [...pending.values()]
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.product, b.product) || compareText(a.status, b.status) || compareText(a.justification ?? "", b.justification ?? "") || compareText(a.impact ?? "", b.impact ?? ""))
    .map((p): OpenVexStatement => {
      const aliases = [...p.aliases].sort(compareText);
      return {
        vulnerability: { name: p.name, ...(p.description ? { description: p.description } : {}), ...(aliases.length ? { aliases } : {}) },
        products: [
          {
            "@id": p.product,
            ...(p.productIsPurl ? { identifiers: { purl: p.product } } : {}),
            subcomponents: [...p.purls].sort(compareText).map((purl) => ({ "@id": purl, identifiers: { purl } })),
          },
        ],
        status: p.status,
        ...(p.notes.length ? { status_notes: p.notes.join("; ") } : {}),
        ...(p.justification ? { justification: p.justification } : {}),
        ...(p.status === "not_affected" && p.impact ? { impact_statement: p.impact } : {}),
        ...(p.status === "affected" ? { action_statement: p.actions.join("; ") || "upgrade the affected packages" } : {}),
      };
    });
  return {
    "@context": OPENVEX_CONTEXT,
    "@id": `urn:uuid:${uuidFromHash(reportContentHash(doc))}`,
    author: "Berth",
    role: "Document Creator",
    timestamp: doc.timestamp.toISOString(),
    version: 1,
    tooling: `${doc.tool.name} ${doc.tool.version}`,
    statements,
  };
}

/**
 * Every finding gives a statement (suppressed ones are what VEX is for). A scan with nothing to state
 * writes an empty `statements` list, which the OpenVEX JSON schema (minItems 1) does not accept.
 */
export function render(doc: ReportDocument, _opts: RenderOptions): string {
  return JSON.stringify(buildOpenVex(doc), null, 2) + "\n";
}
