// The yarn v1 lockfile syntax (classic yarn's own format, not YAML): "#" comments; an unindented
// line lists the entry's descriptors ("a@^1.0.0, a@^1.1.0:"); lines indented by two spaces are
// fields ("version \"1.2.0\""), a field ending in ":" opens a map whose lines are indented by four
// ("dependencies:" → "  b \"^2.0.0\""). Strings are JSON-quoted or bare words.
import { BerthError } from "../../../util/errors.js";

export interface YarnV1Entry {
  readonly descriptors: readonly string[];
  readonly fields: Map<string, string>;
  readonly maps: Map<string, Map<string, string>>;
  readonly line: number;
}

/** One token at `pos`: a JSON-quoted string or a bare word; returns [value, next position]. */
function token(line: string, pos: number): [string, number] | undefined {
  while (line[pos] === " ") pos++;
  if (pos >= line.length) return undefined;
  if (line[pos] === '"') {
    let i = pos + 1;
    while (i < line.length && line[i] !== '"') i += line[i] === "\\" ? 2 : 1;
    if (i >= line.length) throw new Error("unterminated string");
    let v: unknown;
    try {
      v = JSON.parse(line.slice(pos, i + 1));
    } catch {
      throw new Error("bad string escape");
    }
    return [String(v), i + 1];
  }
  let i = pos;
  while (i < line.length && line[i] !== " ") i++;
  return [line.slice(pos, i), i];
}

/** "a@^1, \"@s/b@^2\":" → ["a@^1", "@s/b@^2"]. */
function descriptorList(text: string): string[] {
  const out: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    while (text[pos] === " " || text[pos] === ",") pos++;
    if (pos >= text.length) break;
    if (text[pos] === '"') {
      const t = token(text, pos);
      if (!t) break;
      out.push(t[0]);
      pos = t[1];
    } else {
      let i = pos;
      while (i < text.length && text[i] !== ",") i++;
      out.push(text.slice(pos, i).trim());
      pos = i;
    }
  }
  return out.filter((d) => d !== "");
}

export function parseYarnV1(text: string, what: string, maxEntries: number): YarnV1Entry[] {
  const lines = text.split("\n");
  const out: YarnV1Entry[] = [];
  let cur: YarnV1Entry | undefined;
  let map: Map<string, string> | undefined;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, "");
    const trimmed = line.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const indent = line.length - trimmed.length;
    const fail = (msg: string): never => {
      throw new BerthError("corrupt", `${what}: line ${n + 1}: ${msg}`);
    };
    try {
      if (indent === 0) {
        if (!line.endsWith(":")) fail("entry line does not end with ':'");
        if (out.length >= maxEntries) throw new BerthError("limit", `${what}: more than ${maxEntries} entries`);
        cur = { descriptors: descriptorList(line.slice(0, -1)), fields: new Map(), maps: new Map(), line: n + 1 };
        out.push(cur);
        map = undefined;
      } else if (indent === 2) {
        if (!cur) fail("field outside an entry");
        const k = token(line, 2);
        if (!k) continue;
        let key = k[0];
        const pos = k[1];
        if (pos >= line.length && key.endsWith(":")) {
          key = key.slice(0, -1);
          map = new Map();
          cur!.maps.set(key, map);
          continue;
        }
        map = undefined;
        if (key.endsWith(":")) key = key.slice(0, -1);
        const v = token(line, pos);
        cur!.fields.set(key, v ? v[0] : "");
      } else if (indent === 4) {
        if (!map) fail("map entry outside a map");
        const k = token(line, 4);
        if (!k) continue;
        const key = k[0].endsWith(":") ? k[0].slice(0, -1) : k[0];
        const v = token(line, k[1]);
        map!.set(key, v ? v[0] : "");
      } else fail(`unexpected indentation ${indent}`);
    } catch (e) {
      if (e instanceof BerthError) throw e;
      fail(e instanceof Error ? e.message : String(e));
    }
  }
  return out;
}
