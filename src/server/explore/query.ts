// The explorer's path query language. Text form (CLI, API):
//
//   workload[internetExposed] -> image[vuln.severity>=high] -> pipelinerun -> repository
//   image[pushedBy=repository] -> repository[name~"acme/*"]
//
// Grammar (hand-written tokenizer + recursive descent; `→` is accepted for `->`):
//   query  := step ( "->" step )*
//   step   := TYPE ( "[" filter ( "," filter )* "]" )*
//   filter := FIELD ( OP value )?          a bare FIELD is `exists` (for booleans: "is true")
//   OP     := "=" | "!=" | ">=" | "<=" | ">" | "<" | "~"
//   value  := WORD | "quoted string"       WORD: true/false → boolean, digits → number, else string
//
// The JSON form is the AST itself. Both forms are validated against the graph schema (schema.ts):
// consecutive types must share an edge, each field must exist for its type, each operator and value
// must suit the field; values are normalised to the field's kind, so formatQuery(ast) parses back
// to the same AST. Errors name the 1-based column (text) or the JSON path.
import { BerthError } from "../../util/errors.js";
import { FIELDS, NODE_TYPES, SEVERITY_ORDER, edgeBetween, isNodeType, neighbours } from "./schema.js";
import type { FieldKind, NodeType } from "./schema.js";

export type { NodeType } from "./schema.js";

export const FILTER_OPS = ["=", "!=", ">=", "<=", ">", "<", "~", "exists"] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export type FilterValue = string | number | boolean | null;

export interface Filter {
  readonly field: string;
  readonly op: FilterOp;
  /** null exactly when op is "exists". */
  readonly value: FilterValue;
}

export interface QueryStep {
  readonly type: NodeType;
  readonly filters: readonly Filter[];
}

export interface QueryAst {
  readonly steps: readonly QueryStep[];
}

export interface QueryLimits {
  readonly maxLength: number;
  readonly maxSteps: number;
  readonly maxFiltersPerStep: number;
  readonly maxValueLength: number;
}

export const defaultQueryLimits: QueryLimits = { maxLength: 2048, maxSteps: 8, maxFiltersPerStep: 16, maxValueLength: 512 };

export class QueryError extends BerthError {
  constructor(
    message: string,
    /** 1-based column in the text form, when the query was text. */
    readonly column?: number,
    /** JSON path ("steps[1].filters[0].op"), when the query was JSON. */
    readonly path?: string,
    code: "input" | "limit" = "input",
  ) {
    super(code, `query: ${column !== undefined ? `column ${column}: ` : path !== undefined ? `${path}: ` : ""}${message}`);
    this.name = "QueryError";
  }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer.

type TokKind = "word" | "string" | "op" | "arrow" | "lbrack" | "rbrack" | "comma" | "eof";

interface Token {
  readonly kind: TokKind;
  readonly text: string;
  /** 1-based column of the first character. */
  readonly col: number;
}

const WORD_CHAR = /[A-Za-z0-9_.\-:/@*+?%]/;

function tokenize(src: string, limits: QueryLimits): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] ?? "";
    const col = i + 1;
    if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      i++;
    } else if (src.startsWith("->", i)) {
      out.push({ kind: "arrow", text: "->", col });
      i += 2;
    } else if (ch === "→") {
      out.push({ kind: "arrow", text: "→", col });
      i++;
    } else if (ch === "[") {
      out.push({ kind: "lbrack", text: ch, col });
      i++;
    } else if (ch === "]") {
      out.push({ kind: "rbrack", text: ch, col });
      i++;
    } else if (ch === ",") {
      out.push({ kind: "comma", text: ch, col });
      i++;
    } else if (src.startsWith("!=", i) || src.startsWith(">=", i) || src.startsWith("<=", i) || src.startsWith("≥", i) || src.startsWith("≤", i)) {
      const text = ch === "≥" ? ">=" : ch === "≤" ? "<=" : src.slice(i, i + 2);
      out.push({ kind: "op", text, col });
      i += ch === "≥" || ch === "≤" ? 1 : 2;
    } else if (ch === "=" || ch === ">" || ch === "<" || ch === "~") {
      out.push({ kind: "op", text: ch, col });
      i++;
    } else if (ch === '"') {
      let j = i + 1;
      let s = "";
      for (;;) {
        if (j >= src.length) throw new QueryError("unterminated string", col);
        const c = src[j] ?? "";
        if (c === '"') break;
        if (c === "\\") {
          const n = src[j + 1];
          if (n !== '"' && n !== "\\") throw new QueryError(`unknown escape "\\${n ?? ""}" in string (only \\" and \\\\)`, j + 1);
          s += n;
          j += 2;
        } else {
          s += c;
          j++;
        }
        if (s.length > limits.maxValueLength) throw new QueryError(`string longer than ${limits.maxValueLength} characters (limit maxValueLength)`, col, undefined, "limit");
      }
      out.push({ kind: "string", text: s, col });
      i = j + 1;
    } else if (WORD_CHAR.test(ch)) {
      let j = i;
      while (j < src.length && WORD_CHAR.test(src[j] ?? "") && !src.startsWith("->", j)) j++;
      const text = src.slice(i, j);
      if (text.length > limits.maxValueLength) throw new QueryError(`word longer than ${limits.maxValueLength} characters (limit maxValueLength)`, col, undefined, "limit");
      out.push({ kind: "word", text, col });
      i = j;
    } else {
      throw new QueryError(`unexpected character ${JSON.stringify(ch)}`, col);
    }
  }
  out.push({ kind: "eof", text: "", col: src.length + 1 });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parser (text → AST with positions) and validation.

/** Where each part of the AST came from, for error messages. */
interface StepPos {
  readonly type: Located;
  readonly filters: { field: Located; op: Located; value: Located }[];
}
/** A column (text form) or a JSON path. */
type Located = { col: number } | { path: string };

function err(at: Located, message: string, code: "input" | "limit" = "input"): QueryError {
  return "col" in at ? new QueryError(message, at.col, undefined, code) : new QueryError(message, undefined, at.path, code);
}

function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "end of query";
    case "string":
      return `string ${JSON.stringify(t.text)}`;
    default:
      return `"${t.text}"`;
  }
}

const FIELD_RE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;
const NUMBER_RE = /^-?\d+(\.\d+)?$/;

function literal(t: Token): FilterValue {
  if (t.kind === "string") return t.text;
  if (t.text === "true") return true;
  if (t.text === "false") return false;
  if (NUMBER_RE.test(t.text)) return Number(t.text);
  return t.text;
}

interface Draft {
  steps: { type: string; filters: { field: string; op: FilterOp; value: FilterValue }[] }[];
}

function parseTokens(tokens: Token[], limits: QueryLimits): { draft: Draft; pos: StepPos[] } {
  let k = 0;
  const peek = (): Token => tokens[k] ?? tokens[tokens.length - 1]!;
  const next = (): Token => {
    const t = peek();
    if (t.kind !== "eof") k++;
    return t;
  };
  const draft: Draft = { steps: [] };
  const pos: StepPos[] = [];

  const parseStep = (): void => {
    const t = next();
    if (t.kind !== "word") throw new QueryError(`expected a node type (${NODE_TYPES.join(", ")}), found ${describe(t)}`, t.col);
    if (draft.steps.length >= limits.maxSteps) throw new QueryError(`more than ${limits.maxSteps} steps (limit maxSteps)`, t.col, undefined, "limit");
    const step: Draft["steps"][number] = { type: t.text, filters: [] };
    const sp: StepPos = { type: { col: t.col }, filters: [] };
    draft.steps.push(step);
    pos.push(sp);
    while (peek().kind === "lbrack") {
      next();
      for (;;) {
        const f = next();
        if (f.kind !== "word" || !FIELD_RE.test(f.text)) {
          throw new QueryError(f.kind === "rbrack" ? "empty filter: expected a field name" : `expected a field name, found ${describe(f)}`, f.col);
        }
        if (step.filters.length >= limits.maxFiltersPerStep) throw new QueryError(`more than ${limits.maxFiltersPerStep} filters on one step (limit maxFiltersPerStep)`, f.col, undefined, "limit");
        const o = peek();
        if (o.kind === "op") {
          next();
          const v = next();
          if (v.kind !== "word" && v.kind !== "string") throw new QueryError(`expected a value after "${o.text}", found ${describe(v)}`, v.col);
          step.filters.push({ field: f.text, op: o.text as FilterOp, value: literal(v) });
          sp.filters.push({ field: { col: f.col }, op: { col: o.col }, value: { col: v.col } });
        } else {
          step.filters.push({ field: f.text, op: "exists", value: null });
          sp.filters.push({ field: { col: f.col }, op: { col: f.col }, value: { col: f.col } });
        }
        const sep = next();
        if (sep.kind === "rbrack") break;
        if (sep.kind !== "comma") throw new QueryError(`expected "," or "]", found ${describe(sep)}`, sep.col);
      }
    }
  };

  parseStep();
  for (;;) {
    const t = next();
    if (t.kind === "eof") break;
    if (t.kind !== "arrow") throw new QueryError(`expected "->" or end of query, found ${describe(t)}`, t.col);
    parseStep();
  }
  return { draft, pos };
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const RELATIVE_RE = /^now(-\d{1,6}[mhd])?$/;

const OPS_BY_KIND: Record<FieldKind["kind"], readonly FilterOp[]> = {
  string: ["=", "!=", "~", "exists"],
  number: ["=", "!=", ">", ">=", "<", "<=", "exists"],
  timestamp: ["=", "!=", ">", ">=", "<", "<=", "exists"],
  severity: ["=", "!=", ">", ">=", "<", "<=", "exists"],
  boolean: ["=", "!=", "exists"],
  enum: ["=", "!=", "exists"],
};

/** Normalise a value to its field's kind, or explain why it does not fit. */
type Coerced = { readonly ok: true; readonly value: FilterValue } | { readonly ok: false; readonly message: string };

function coerce(kind: FieldKind, field: string, v: FilterValue): Coerced {
  const fail = (want: string): Coerced => ({ ok: false, message: `field ${field} takes ${want}, got ${JSON.stringify(v)}` });
  const ok = (value: FilterValue): Coerced => ({ ok: true, value });
  switch (kind.kind) {
    case "string":
      return v === null ? fail("a string") : ok(String(v));
    case "number": {
      const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
      return Number.isFinite(n) ? ok(n) : fail("a number");
    }
    case "boolean":
      if (typeof v === "boolean") return ok(v);
      if (v === "true" || v === "false") return ok(v === "true");
      return fail("true or false");
    case "severity": {
      const s = typeof v === "string" ? v.toLowerCase() : "";
      return (SEVERITY_ORDER as readonly string[]).includes(s) ? ok(s) : fail(`a severity (${SEVERITY_ORDER.join(", ")})`);
    }
    case "timestamp": {
      if (typeof v !== "string") return fail("an ISO 8601 date or now-<n>(m|h|d)");
      if (RELATIVE_RE.test(v)) return ok(v);
      if (ISO_RE.test(v) && !Number.isNaN(Date.parse(v))) return ok(v);
      return fail("an ISO 8601 date or now-<n>(m|h|d)");
    }
    case "enum": {
      const s = typeof v === "string" ? v : String(v);
      const hit = kind.values.find((x) => x.toLowerCase() === s.toLowerCase());
      return hit !== undefined ? ok(hit) : fail(`one of ${kind.values.join(", ")}`);
    }
  }
}

function validateDraft(draft: Draft, pos: StepPos[], limits: QueryLimits): QueryAst {
  const steps: QueryStep[] = [];
  draft.steps.forEach((s, i) => {
    const p = pos[i]!;
    const typeName = s.type.toLowerCase();
    if (!isNodeType(typeName)) throw err(p.type, `unknown node type "${s.type}" (known: ${NODE_TYPES.join(", ")})`);
    const prev = steps[i - 1];
    if (prev && !edgeBetween(prev.type, typeName)) {
      throw err(p.type, `no edge between ${prev.type} and ${typeName} (${prev.type} connects to: ${neighbours(prev.type).join(", ")})`);
    }
    const known = FIELDS[typeName];
    const filters: Filter[] = s.filters.map((f, j) => {
      const fp = p.filters[j]!;
      const spec = Object.hasOwn(known, f.field) ? known[f.field] : undefined;
      if (!spec) {
        const near = Object.keys(known).find((k) => k.toLowerCase() === f.field.toLowerCase());
        throw err(fp.field, `unknown field "${f.field}" for ${typeName}${near ? ` (did you mean "${near}"?)` : ""} ${Object.keys(known).length > 0 ? ` (known: ${Object.keys(known).join(", ")})` : ` (${typeName} has no fields)`}`);
      }
      if (!OPS_BY_KIND[spec.type.kind].includes(f.op)) {
        throw err(fp.op, `operator "${f.op}" does not apply to ${spec.type.kind} field ${f.field} (use: ${OPS_BY_KIND[spec.type.kind].join(" ")})`);
      }
      if (f.op === "exists") {
        if (f.value !== null) throw err(fp.value, `operator "exists" takes no value (value must be null)`);
        return { field: f.field, op: f.op, value: null };
      }
      if (typeof f.value === "string" && f.value.length > limits.maxValueLength) throw err(fp.value, `value longer than ${limits.maxValueLength} characters (limit maxValueLength)`, "limit");
      const c = coerce(spec.type, f.field, f.value);
      if (!c.ok) throw err(fp.value, c.message);
      return { field: f.field, op: f.op, value: c.value };
    });
    steps.push({ type: typeName, filters });
  });
  return { steps };
}

/** Parse and validate the text form. Throws QueryError naming the column. */
export function parseQuery(text: string, limits: QueryLimits = defaultQueryLimits): QueryAst {
  if (typeof text !== "string") throw new QueryError("must be a string");
  if (text.length > limits.maxLength) throw new QueryError(`longer than ${limits.maxLength} characters (limit maxLength)`, limits.maxLength + 1, undefined, "limit");
  if (text.trim() === "") throw new QueryError("empty query: expected a node type", 1);
  const { draft, pos } = parseTokens(tokenize(text, limits), limits);
  return validateDraft(draft, pos, limits);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validate the JSON form (the AST as JSON). Throws QueryError naming the JSON path. */
export function parseQueryJson(input: unknown, limits: QueryLimits = defaultQueryLimits): QueryAst {
  if (!isRecord(input)) throw new QueryError("must be an object with a steps array", undefined, "$");
  const steps = input["steps"];
  if (!Array.isArray(steps) || steps.length === 0) throw new QueryError("must be a non-empty array", undefined, "steps");
  if (steps.length > limits.maxSteps) throw new QueryError(`more than ${limits.maxSteps} steps (limit maxSteps)`, undefined, "steps", "limit");
  const draft: Draft = { steps: [] };
  const pos: StepPos[] = [];
  steps.forEach((s: unknown, i: number) => {
    const at = `steps[${i}]`;
    if (!isRecord(s)) throw new QueryError("must be an object", undefined, at);
    const type = s["type"];
    if (typeof type !== "string") throw new QueryError("must be a string", undefined, `${at}.type`);
    const filters = s["filters"] ?? [];
    if (!Array.isArray(filters)) throw new QueryError("must be an array", undefined, `${at}.filters`);
    if (filters.length > limits.maxFiltersPerStep) throw new QueryError(`more than ${limits.maxFiltersPerStep} filters (limit maxFiltersPerStep)`, undefined, `${at}.filters`, "limit");
    const sp: StepPos = { type: { path: `${at}.type` }, filters: [] };
    const step: Draft["steps"][number] = { type, filters: [] };
    filters.forEach((f: unknown, j: number) => {
      const fat = `${at}.filters[${j}]`;
      if (!isRecord(f)) throw new QueryError("must be an object", undefined, fat);
      const field = f["field"];
      const op = f["op"];
      const value = f["value"] === undefined ? null : f["value"];
      if (typeof field !== "string" || !FIELD_RE.test(field)) throw new QueryError("must be a field name", undefined, `${fat}.field`);
      if (typeof op !== "string" || !(FILTER_OPS as readonly string[]).includes(op)) throw new QueryError(`must be one of ${FILTER_OPS.join(" ")}`, undefined, `${fat}.op`);
      if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        throw new QueryError("must be a string, number, boolean or null", undefined, `${fat}.value`);
      }
      if (op !== "exists" && value === null) throw new QueryError(`operator "${op}" needs a value`, undefined, `${fat}.value`);
      step.filters.push({ field, op: op as FilterOp, value });
      sp.filters.push({ field: { path: `${fat}.field` }, op: { path: `${fat}.op` }, value: { path: `${fat}.value` } });
    });
    draft.steps.push(step);
    pos.push(sp);
  });
  return validateDraft(draft, pos, limits);
}

// ---------------------------------------------------------------------------------------------
// Formatting (AST → text), the inverse of parseQuery on validated ASTs.

const BARE_RE = /^[A-Za-z0-9_.\-:/@*+?%]+$/;

function formatValue(v: FilterValue): string {
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return String(v);
  if (v === null) return "";
  const needsQuotes = !BARE_RE.test(v) || v.includes("->") || v === "true" || v === "false" || NUMBER_RE.test(v);
  return needsQuotes ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : v;
}

function formatFilter(f: Filter): string {
  return f.op === "exists" ? f.field : `${f.field}${f.op}${formatValue(f.value)}`;
}

export function formatQuery(ast: QueryAst): string {
  return ast.steps.map((s) => (s.filters.length === 0 ? s.type : `${s.type}[${s.filters.map(formatFilter).join(", ")}]`)).join(" -> ");
}
