// JSON with comments and trailing commas (what bun.lock is written in) → plain JSON text, in one
// linear pass that knows strings, so "//" inside a URL string stays. The result goes to JSON.parse.
import { BerthError } from "../../../util/errors.js";

export function jsoncToJson(text: string, what: string): string {
  const out: string[] = [];
  let start = 0; // first character not yet copied
  let i = 0;
  const n = text.length;
  const flush = (end: number) => {
    if (end > start) out.push(text.slice(start, end));
  };
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      if (i >= n) throw new BerthError("corrupt", `${what}: unterminated string`);
      i++;
      continue;
    }
    if (c === "/" && text[i + 1] === "/") {
      flush(i);
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl;
      start = i;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      flush(i);
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new BerthError("corrupt", `${what}: unterminated comment`);
      i = end + 2;
      start = i;
      continue;
    }
    if (c === ",") {
      // A trailing comma: only whitespace and comments before "}" or "]".
      let j = i + 1;
      for (;;) {
        while (j < n && " \t\r\n".includes(text[j]!)) j++;
        if (text[j] === "/" && text[j + 1] === "/") {
          const nl = text.indexOf("\n", j);
          j = nl < 0 ? n : nl;
        } else if (text[j] === "/" && text[j + 1] === "*") {
          const end = text.indexOf("*/", j + 2);
          j = end < 0 ? n : end + 2;
        } else break;
      }
      if (text[j] === "}" || text[j] === "]") {
        flush(i);
        start = i + 1;
      }
      i++;
      continue;
    }
    i++;
  }
  flush(n);
  return out.join("");
}
