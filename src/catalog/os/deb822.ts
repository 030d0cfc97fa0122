// Debian control-file paragraphs (deb822): "Field: value" lines, continuation lines starting with
// white space, paragraphs separated by blank lines. Used by the dpkg status database.

export type Paragraph = Map<string, string>;

export function parseParagraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let cur: Paragraph = new Map();
  let last: string | undefined;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (cur.size) out.push(cur);
      cur = new Map();
      last = undefined;
      continue;
    }
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== undefined) {
      cur.set(last, `${cur.get(last)}\n${line.slice(1)}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue; // not a field: ignored (reported by the caller if nothing parses)
    last = line.slice(0, colon).trim();
    cur.set(last, line.slice(colon + 1).trim());
  }
  if (cur.size) out.push(cur);
  return out;
}
