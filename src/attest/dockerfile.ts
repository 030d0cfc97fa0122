// A Dockerfile reader for what base-image policy needs: every image a build pulls — each FROM
// (multi-stage, with global ARG substitution), `COPY --from=<image>` and `RUN --mount=…,from=<image>`
// — with its line. It follows the Dockerfile grammar where it matters here: parser directives
// (`# escape=`), line continuations (comment lines inside them dropped), heredocs (`RUN <<EOF` bodies
// skipped, so a body line starting with FROM is not an instruction), and ARG scoping (FROM sees only
// the ARGs declared before the first FROM; a stage sees the ARGs it declares).
// Hand-written rather than dockerfile-ast: that parser does not substitute ARGs, and substitution
// plus these few instructions are most of the work.

export type ImageUseKind = "from" | "copy-from" | "mount-from";

export interface ImageUse {
  /** 1-based line where the instruction starts. */
  readonly line: number;
  readonly use: ImageUseKind;
  /** The reference as written, e.g. "${REGISTRY}/base:${TAG}". */
  readonly raw: string;
  /** After ARG substitution. */
  readonly value: string;
  /** What it names: an image, `scratch`, or an earlier build stage. */
  readonly kind: "image" | "scratch" | "stage";
  /** Index of the stage it belongs to (for FROM: the stage it starts). */
  readonly stage: number;
  /** Variables that had no value (no default and no --build-arg). */
  readonly unresolved: readonly string[];
}

export interface Stage {
  readonly index: number;
  readonly name?: string;
  readonly from: ImageUse;
}

export interface ParsedDockerfile {
  readonly stages: readonly Stage[];
  readonly uses: readonly ImageUse[];
  readonly warnings: readonly string[];
}

type Vars = Map<string, string | undefined>;

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Expands $VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word}; escape-char-$ is a literal $. */
export function expand(s: string, vars: Vars, escape = "\\"): { value: string; unresolved: string[] } {
  const unresolved: string[] = [];
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === escape && s[i + 1] === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (c !== "$") {
      out += c;
      i++;
      continue;
    }
    if (s[i + 1] === "{") {
      // find the matching brace (words may nest ${…})
      let depth = 1;
      let j = i + 2;
      while (j < s.length && depth > 0) {
        if (s[j] === "{") depth++;
        else if (s[j] === "}") depth--;
        if (depth > 0) j++;
      }
      if (depth > 0) {
        out += s.slice(i);
        break;
      }
      const body = s.slice(i + 2, j);
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([\s\S]*))?$/.exec(body);
      if (!m) {
        out += s.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      const [, name, op, word] = m;
      const has = vars.has(name!) && vars.get(name!) !== undefined;
      const val = has ? vars.get(name!)! : undefined;
      if (op === ":-" || op === "-") {
        const useWord = op === ":-" ? !has || val === "" : !has;
        if (useWord) {
          const w = expand(word ?? "", vars, escape);
          unresolved.push(...w.unresolved);
          out += w.value;
        } else out += val;
      } else if (op === ":+" || op === "+") {
        const useWord = op === ":+" ? has && val !== "" : has;
        if (useWord) {
          const w = expand(word ?? "", vars, escape);
          unresolved.push(...w.unresolved);
          out += w.value;
        }
      } else if (has) out += val;
      else unresolved.push(name!);
      i = j + 1;
      continue;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(s);
    if (!m) {
      out += "$";
      i++;
      continue;
    }
    const name = m[0];
    if (vars.has(name) && vars.get(name) !== undefined) out += vars.get(name);
    else unresolved.push(name);
    i += 1 + name.length;
  }
  return { value: out, unresolved: [...new Set(unresolved)] };
}

/** Splits on whitespace outside quotes, removing the quotes. */
function words(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let inWord = false;
  for (const c of s) {
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
}

const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

/** The instructions of a Dockerfile (logical lines, continuations joined, heredoc bodies skipped). */
export function instructions(text: string): { escape: string; list: Instruction[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let escape = "\\";
  let i = 0;
  // parser directives: only at the very top, before any blank line, comment or instruction
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) break;
    if (m[1]!.toLowerCase() === "escape" && (m[2] === "`" || m[2] === "\\")) escape = m[2];
  }
  const list: Instruction[] = [];
  const isSkippable = (l: string): boolean => l.trim() === "" || l.trimStart().startsWith("#");
  while (i < lines.length) {
    if (isSkippable(lines[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let cur = lines[i]!;
    i++;
    while (cur.trimEnd().endsWith(escape)) {
      cur = cur.trimEnd().slice(0, -1);
      while (i < lines.length && lines[i]!.trimStart().startsWith("#")) i++;
      if (i >= lines.length) break;
      cur += lines[i]!;
      i++;
    }
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(cur);
    if (!m) continue;
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === "RUN" || keyword === "COPY" || keyword === "ADD") {
      for (const h of args.matchAll(HEREDOC)) {
        const strip = h[1] === "-";
        const delim = h[3]!;
        while (i < lines.length && (strip ? lines[i]!.replace(/^\t+/, "") : lines[i]!) !== delim) i++;
        i++; // the delimiter line
      }
    }
    list.push({ line: start + 1, keyword, args });
  }
  return { escape, list };
}

/** The flags at the start of an instruction's arguments (`--name=value`), and the rest. */
function flags(args: string): { flags: Map<string, string[]>; rest: string[] } {
  const ws = words(args);
  const f = new Map<string, string[]>();
  let k = 0;
  for (; k < ws.length && ws[k]!.startsWith("--"); k++) {
    const w = ws[k]!;
    const eq = w.indexOf("=");
    const name = (eq < 0 ? w.slice(2) : w.slice(2, eq)).toLowerCase();
    f.set(name, [...(f.get(name) ?? []), eq < 0 ? "" : w.slice(eq + 1)]);
  }
  return { flags: f, rest: ws.slice(k) };
}

export function parseDockerfile(text: string, buildArgs: Readonly<Record<string, string>> = {}): ParsedDockerfile {
  const { escape, list } = instructions(text);
  const globals: Vars = new Map();
  const warnings: string[] = [];
  const stages: Stage[] = [];
  const uses: ImageUse[] = [];
  const stageNames = new Map<string, number>();
  let stageVars: Vars | undefined;

  const declare = (vars: Vars, args: string, line: number): void => {
    for (const w of words(args)) {
      const eq = w.indexOf("=");
      const name = eq < 0 ? w : w.slice(0, eq);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        warnings.push(`line ${line}: ARG "${name}" is not a valid name`);
        continue;
      }
      if (buildArgs[name] !== undefined) vars.set(name, buildArgs[name]);
      else if (eq >= 0) vars.set(name, expand(w.slice(eq + 1), vars, escape).value);
      else if (vars === stageVars && globals.get(name) !== undefined) vars.set(name, globals.get(name));
      else vars.set(name, undefined);
    }
  };

  const classify = (value: string): { kind: ImageUse["kind"] } => {
    if (value.toLowerCase() === "scratch") return { kind: "scratch" };
    if (stageNames.has(value.toLowerCase())) return { kind: "stage" };
    return { kind: "image" };
  };

  for (const ins of list) {
    if (ins.keyword === "ARG") {
      declare(stageVars ?? globals, ins.args, ins.line);
    } else if (ins.keyword === "FROM") {
      const { rest } = flags(ins.args);
      const raw = rest[0];
      if (!raw) {
        warnings.push(`line ${ins.line}: FROM without an image`);
        continue;
      }
      let name: string | undefined;
      if (rest.length >= 3 && rest[1]!.toUpperCase() === "AS") name = rest[2]!.toLowerCase();
      else if (rest.length > 1) warnings.push(`line ${ins.line}: unexpected words after the image in FROM`);
      const { value, unresolved } = expand(raw, globals, escape);
      const index = stages.length;
      const use: ImageUse = { line: ins.line, use: "from", raw, value, ...classify(value), stage: index, unresolved };
      stages.push({ index, ...(name ? { name } : {}), from: use });
      uses.push(use);
      if (name) stageNames.set(name, index);
      stageVars = new Map();
    } else if ((ins.keyword === "COPY" || ins.keyword === "RUN") && stages.length > 0) {
      const f = flags(ins.args);
      const vars: Vars = new Map([...globals.entries()].filter(([k]) => !stageVars?.has(k)).map(([k]) => [k, undefined] as [string, undefined]));
      for (const [k, x] of stageVars ?? []) vars.set(k, x);
      const sources: { raw: string; use: ImageUseKind }[] = [];
      if (ins.keyword === "COPY") for (const x of f.flags.get("from") ?? []) sources.push({ raw: x, use: "copy-from" });
      else
        for (const mount of f.flags.get("mount") ?? [])
          for (const kv of mount.split(",")) {
            const [k, x] = kv.split("=", 2);
            if (k?.trim() === "from" && x) sources.push({ raw: x.trim(), use: "mount-from" });
          }
      for (const s of sources) {
        const { value, unresolved } = expand(s.raw, vars, escape);
        const isIndex = /^\d+$/.test(value) && Number(value) < stages.length;
        uses.push({ line: ins.line, use: s.use, raw: s.raw, value, kind: isIndex ? "stage" : classify(value).kind, stage: stages.length - 1, unresolved });
      }
    }
  }
  return { stages, uses, warnings };
}

/** The image (or scratch) the final stage is ultimately built on, following stage-to-stage FROMs. */
export function finalBase(p: ParsedDockerfile): ImageUse | undefined {
  let stage = p.stages[p.stages.length - 1];
  for (let hops = 0; stage && hops <= p.stages.length; hops++) {
    if (stage.from.kind !== "stage") return stage.from;
    const target = stage.from.value.toLowerCase();
    stage = p.stages.find((s) => s.name === target && s.index < stage!.index);
  }
  return undefined;
}
