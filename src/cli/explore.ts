// `berth explore --server URL --token T '<query>'`: runs an explorer path query on a Berth server
// (POST /api/v1/explore) and prints the answer's JSON; `--all` follows the cursor and prints every
// path in one document. `berth explore --fields [type]` prints the node types, fields and edges
// (from the server's schema, offline).
import { Command } from "commander";
import { parseQuery } from "../server/explore/query.js";
import { EDGES, FIELDS, NODE_TYPES, isNodeType, type NodeType } from "../server/explore/schema.js";
import { BerthError } from "../util/errors.js";
import type { Io } from "./common.js";
import { fetchBounded, parseAnswer } from "./record.js";

/** --all stops after this many pages (at the server's maximum page size, 100 000 paths). */
const MAX_PAGES = 200;

const KIND_HELP: Record<string, string> = {
  string: "= != ~glob exists",
  number: "= != > >= < <= exists",
  timestamp: "= != > >= < <= exists (ISO 8601 or now-<n>m|h|d)",
  severity: "= != > >= < <= exists (unknown < negligible < low < medium < high < critical)",
  boolean: "bare field (true), =true, =false",
  enum: "= != exists",
};

/** Help text for node types, their fields and edges: every type, or one. */
export function fieldsHelp(type?: string): string {
  if (type !== undefined && !isNodeType(type.toLowerCase())) throw new BerthError("usage", `unknown node type "${type}" (known: ${NODE_TYPES.join(", ")})`);
  const types: readonly NodeType[] = type !== undefined ? [type.toLowerCase() as NodeType] : NODE_TYPES;
  const out: string[] = [];
  if (type === undefined) {
    out.push("Query: step -> step -> …   step: type[field op value, …]   e.g.");
    out.push("  internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository", "");
  }
  for (const t of types) {
    out.push(`${t}`);
    const fields = Object.entries(FIELDS[t]);
    if (fields.length === 0) out.push("  (no fields)");
    for (const [name, spec] of fields) {
      const kind = spec.type.kind === "enum" ? `enum ${spec.type.values.join("|")}` : spec.type.kind;
      out.push(`  ${name.padEnd(16)} ${kind.padEnd(12)} ${spec.doc}  [${KIND_HELP[spec.type.kind] ?? ""}]`);
    }
    const edges = EDGES.filter((e) => e.a === t || e.b === t);
    for (const e of edges) {
      const dir = e.a === t ? `-${e.name}-> ${e.b}` : `<-${e.name}- ${e.a}`;
      out.push(`  edge ${dir}${e.details.length > 0 ? `  (details: ${e.details.join(", ")})` : ""}`);
    }
    out.push("");
  }
  return out.join("\n");
}

export interface ExploreCallOptions {
  readonly server: string;
  readonly token: string;
  readonly query: string;
  readonly limit?: number;
  readonly cursor?: string;
}

/** One page from the server (its JSON answer). */
export async function explorePage(o: ExploreCallOptions): Promise<Record<string, unknown>> {
  let base: URL;
  try {
    base = new URL(o.server);
  } catch {
    throw new BerthError("usage", `--server: not a URL: ${o.server}`);
  }
  const url = new URL("api/v1/explore", base.toString().replace(/\/*$/, "/")).toString();
  const body = JSON.stringify({ query: o.query, ...(o.limit !== undefined ? { limit: o.limit } : {}), ...(o.cursor !== undefined ? { cursor: o.cursor } : {}) });
  const r = await fetchBounded(url, { method: "POST", headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json", accept: "application/json" }, body }, `POST ${url}`);
  const answer = parseAnswer(r.text);
  if (r.status !== 200) {
    const msg = typeof answer.message === "string" ? answer.message : r.text.slice(0, 200);
    throw new BerthError(r.status === 401 || r.status === 403 ? "auth" : r.status === 400 ? "input" : "network", `server refused the query: HTTP ${r.status}: ${msg}`);
  }
  return answer;
}

/** Every page, merged: nodes united, paths concatenated, nextCursor null. */
export async function exploreAll(o: ExploreCallOptions, log: (m: string) => void): Promise<Record<string, unknown>> {
  let page = await explorePage(o);
  const nodes: Record<string, unknown> = { ...(page.nodes as Record<string, unknown>) };
  const paths: unknown[] = [...(page.paths as unknown[])];
  for (let n = 1; typeof page.nextCursor === "string"; n++) {
    if (n >= MAX_PAGES) throw new BerthError("limit", `more than ${MAX_PAGES} pages; narrow the query or page with --cursor`);
    page = await explorePage({ ...o, cursor: page.nextCursor });
    Object.assign(nodes, page.nodes);
    paths.push(...(page.paths as unknown[]));
    log(`berth explore: ${paths.length} paths`);
  }
  return { ...page, nodes, paths, nextCursor: null };
}

interface ExploreFlags {
  server?: string;
  token?: string;
  limit?: string;
  cursor?: string;
  all?: boolean;
  fields?: string | boolean;
}

export function exploreCommand(io: Io): Command {
  return new Command("explore")
    .description("query the inventory graph of a Berth server with a path query and print the matching paths as JSON")
    .argument("[query]", "path query, e.g. 'internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository'")
    .option("--server <url>", "the Berth server (env BERTH_SERVER)")
    .option("--token <token>", "API token, any role (env BERTH_TOKEN)")
    .option("--limit <n>", "paths per page, 1-500 (server default 50)")
    .option("--cursor <c>", "continue after a previous page (its nextCursor)")
    .option("--all", "follow nextCursor and print every path in one document")
    .option("--fields [type]", "print node types, their fields, operators and edges (offline), for one type or all")
    .addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  berth explore --fields image",
        "  berth explore 'image[pushedBy=repository] -> repository[name~\"acme/*\"]'",
        "  berth explore --all 'workload[internetExposed] -> image[vuln.kev] -> pipelinerun -> repository'",
        "",
        "Output: { query, ast, nodes: { \"<type>:<id>\": { type, id, label, props } }, paths: [ { nodes, edges } ], nextCursor }.",
      ].join("\n"),
    )
    .action(async (query: string | undefined, f: ExploreFlags) => {
      if (f.fields !== undefined) {
        io.stdout.write(`${fieldsHelp(typeof f.fields === "string" ? f.fields : undefined)}\n`);
        return;
      }
      if (query === undefined || query.trim() === "") throw new BerthError("usage", "berth explore: give a query (berth explore --fields lists types and fields)");
      // Check the query here first: a syntax error is reported with its column without a round trip.
      parseQuery(query);
      const server = f.server ?? io.env.BERTH_SERVER;
      if (!server) throw new BerthError("usage", "berth explore: --server (or BERTH_SERVER) is required");
      const token = f.token ?? io.env.BERTH_TOKEN;
      if (!token) throw new BerthError("usage", "berth explore: --token (or BERTH_TOKEN) is required");
      let limit: number | undefined;
      if (f.limit !== undefined) {
        limit = Number(f.limit);
        if (!/^\d{1,3}$/.test(f.limit) || limit < 1 || limit > 500) throw new BerthError("usage", "--limit: an integer from 1 to 500");
      }
      const o: ExploreCallOptions = { server, token, query, ...(limit !== undefined ? { limit } : {}), ...(f.cursor !== undefined ? { cursor: f.cursor } : {}) };
      const answer = f.all ? await exploreAll(o, (m) => io.stderr.write(`${m}\n`)) : await explorePage(o);
      io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    });
}
