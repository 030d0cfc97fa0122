// The query builder's model: steps with conditions, as the user edits them, and their exact
// mapping to and from the explorer's query AST. The vocabulary (node types, fields and their
// kinds, edges) is the server's own schema module, so the builder can only offer what parses.
import { FIELDS, SEVERITY_ORDER, isNodeType, neighbours, type FieldKind, type NodeType } from "../../../src/server/explore/schema.js";
import type { FilterAst, FilterValue, QueryAst } from "../api.js";

export type Op = FilterAst["op"];

export interface Condition {
  readonly id: number;
  readonly field: string;
  readonly op: Op;
  /** Text as typed (string, number, timestamp, severity, enum), or the toggle's state (boolean). */
  readonly value: string | boolean;
}

export interface Step {
  readonly id: number;
  readonly type: NodeType;
  readonly conditions: readonly Condition[];
}

let nextId = 1;
export const newId = (): number => nextId++;

/** What the user reads for each node type; the query text keeps the schema's names. */
const TYPE_LABELS: Partial<Record<string, string>> = {
  internet: "Internet",
  repository: "Code repository",
  pipelinerun: "Pipeline run",
  image: "Container image",
  registry: "Registry repository",
  tag: "Tag",
  workload: "Workload",
  namespace: "Namespace",
  cluster: "Cluster",
  package: "Package",
  vulnerability: "Vulnerability",
  finding: "Finding",
  service: "Service",
  ingress: "Ingress",
};

export function typeLabel(t: string): string {
  return TYPE_LABELS[t] ?? t;
}

export function fieldsOf(t: NodeType): [string, FieldKind][] {
  const fields = (FIELDS as Partial<Record<string, Record<string, { type: FieldKind }>>>)[t] ?? {};
  return Object.entries(fields).map(([name, spec]) => [name, spec.type]);
}

export function fieldKind(t: NodeType, field: string): FieldKind | undefined {
  return fieldsOf(t).find(([n]) => n === field)?.[1];
}

export function fieldDoc(t: NodeType, field: string): string {
  const fields = (FIELDS as Partial<Record<string, Record<string, { doc: string }>>>)[t] ?? {};
  return fields[field]?.doc ?? "";
}

/** Operators a field kind accepts (schema.ts FieldKind), in the order the select lists them. */
export function opsFor(kind: FieldKind): Op[] {
  switch (kind.kind) {
    case "string":
      return ["=", "!=", "~", "exists"];
    case "boolean":
      return ["="];
    case "enum":
      return ["=", "!=", "exists"];
    case "number":
    case "timestamp":
    case "severity":
      return [">=", ">", "=", "!=", "<=", "<", "exists"];
  }
}

export const OP_LABELS: Record<Op, string> = {
  "=": "is",
  "!=": "is not",
  "~": "matches",
  ">=": "at least",
  ">": "more than",
  "<=": "at most",
  "<": "less than",
  exists: "is set",
};

export function defaultCondition(t: NodeType, field: string): Condition {
  const kind = fieldKind(t, field) ?? { kind: "string" };
  const op = opsFor(kind)[0] ?? "=";
  const value: string | boolean =
    kind.kind === "boolean" ? true : kind.kind === "severity" ? "high" : kind.kind === "enum" ? (kind.values[0] ?? "") : kind.kind === "timestamp" ? "now-7d" : "";
  return { id: newId(), field, op, value };
}

/** Types the "+" button offers after a step. */
export function nextTypes(t: NodeType): NodeType[] {
  return neighbours(t);
}

export function startTypes(): NodeType[] {
  // Every type can start a path; the schema lists them in graph order.
  return Object.keys(FIELDS).filter(isNodeType);
}

function valueFor(kind: FieldKind, c: Condition): FilterValue | undefined {
  if (c.op === "exists") return null;
  if (kind.kind === "boolean") return c.value === true || c.value === "true";
  const text = String(c.value).trim();
  if (text === "") return undefined;
  if (kind.kind === "number") {
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/** The AST the builder describes; conditions still without a value are left out. */
export function toAst(steps: readonly Step[]): QueryAst {
  return {
    steps: steps.map((s) => ({
      type: s.type,
      filters: s.conditions.flatMap((c) => {
        const kind = fieldKind(s.type, c.field) ?? { kind: "string" as const };
        const value = valueFor(kind, c);
        return value === undefined ? [] : [{ field: c.field, op: c.op, value }];
      }),
    })),
  };
}

/** The builder's steps for an AST the server returned (canonical, so always valid). */
export function fromAst(ast: QueryAst): Step[] {
  return ast.steps.map((s) => ({
    id: newId(),
    type: s.type,
    conditions: s.filters.map((f) => ({
      id: newId(),
      field: f.field,
      op: f.op,
      value: typeof f.value === "boolean" ? f.value : f.value === null ? "" : String(f.value),
    })),
  }));
}

export const SEVERITIES: readonly string[] = [...SEVERITY_ORDER].reverse();

export interface Template {
  readonly id: string;
  readonly title: string;
  readonly query: string;
}

/** The common questions (issue 8), as query text the server parses into the builder's steps. */
export function templates(): Template[] {
  const exposed = isNodeType("internet")
    ? "internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository"
    : "workload[internetExposed] -> image[vuln.severity>=high] -> pipelinerun -> repository";
  return [
    { id: "exposed", title: "Internet-exposed workloads with high-severity CVEs → code repository", query: exposed },
    { id: "pushed", title: "Images pushed by code repositories", query: "image[pushedBy=repository] -> pipelinerun -> repository" },
    { id: "prod", title: "Critical fixable vulnerabilities running in production", query: 'workload[namespace~"prod*"] -> image[vuln.severity>=critical, vuln.fixable=true]' },
  ];
}
