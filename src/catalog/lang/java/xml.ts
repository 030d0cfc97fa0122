// A small XML reader for Maven POMs: elements (namespace prefixes dropped), character data,
// CDATA, comments, processing instructions and the five predefined entities plus character
// references. Attributes are skipped (a POM keeps its data in elements). A DOCTYPE with an internal
// subset is refused, so no entity is ever defined or expanded. Depth and element count are bounded.
import { BerthError } from "../../../util/errors.js";

export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  /** Character data directly inside the element, concatenated. */
  text: string;
}

export const MAX_XML_DEPTH = 64;
export const MAX_XML_ELEMENTS = 200_000;

function bad(msg: string): BerthError {
  return new BerthError("corrupt", `malformed XML: ${msg}`);
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeText(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (m, e: string) => {
    if (e.startsWith("#x") || e.startsWith("#")) {
      const cp = e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: "#document", children: [], text: "" };
  const stack: XmlElement[] = [root];
  let count = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const top = stack[stack.length - 1]!;
    if (lt < 0) {
      if (text.slice(i).trim() !== "" && stack.length > 1) throw bad("text after the last tag");
      break;
    }
    if (lt > i && stack.length > 1) top.text += decodeText(text.slice(i, lt));
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      if (end < 0) throw bad("unterminated comment");
      i = end + 3;
    } else if (text.startsWith("<![CDATA[", lt)) {
      const end = text.indexOf("]]>", lt + 9);
      if (end < 0) throw bad("unterminated CDATA section");
      top.text += text.slice(lt + 9, end);
      i = end + 3;
    } else if (text.startsWith("<?", lt)) {
      const end = text.indexOf("?>", lt + 2);
      if (end < 0) throw bad("unterminated processing instruction");
      i = end + 2;
    } else if (text.startsWith("<!DOCTYPE", lt)) {
      const end = text.indexOf(">", lt);
      if (end < 0) throw bad("unterminated DOCTYPE");
      if (text.slice(lt, end).includes("[")) throw new BerthError("unsupported", "XML with a DOCTYPE internal subset (entity definitions) is not read");
      i = end + 1;
    } else if (text.startsWith("</", lt)) {
      const end = text.indexOf(">", lt);
      if (end < 0) throw bad("unterminated end tag");
      const raw = text.slice(lt + 2, end).trim();
      const name = raw.slice(raw.indexOf(":") + 1);
      if (stack.length <= 1 || top.name !== name) throw bad(`end tag </${raw}> does not match <${top.name}>`);
      stack.pop();
      i = end + 1;
    } else {
      // A start tag; attribute values may hold ">" inside quotes.
      let j = lt + 1;
      let quote = "";
      while (j < text.length) {
        const c = text[j]!;
        if (quote) {
          if (c === quote) quote = "";
        } else if (c === '"' || c === "'") quote = c;
        else if (c === ">") break;
        j++;
      }
      if (j >= text.length) throw bad("unterminated start tag");
      const body = text.slice(lt + 1, j);
      const selfClosing = body.endsWith("/");
      const m = /^([A-Za-z_][\w.:-]*)/.exec(body);
      if (!m) throw bad(`bad tag <${body.slice(0, 40)}>`);
      const qname = m[1]!;
      const el: XmlElement = { name: qname.slice(qname.indexOf(":") + 1), children: [], text: "" };
      if (++count > MAX_XML_ELEMENTS) throw new BerthError("limit", `XML with more than ${MAX_XML_ELEMENTS} elements`);
      if (stack.length === 1 && root.children.length > 0) throw bad("more than one root element");
      top.children.push(el);
      if (!selfClosing) {
        if (stack.length > MAX_XML_DEPTH) throw new BerthError("limit", `XML nested deeper than ${MAX_XML_DEPTH} elements`);
        stack.push(el);
      }
      i = j + 1;
    }
  }
  if (stack.length > 1) throw bad(`<${stack[stack.length - 1]!.name}> is never closed`);
  const doc = root.children[0];
  if (!doc) throw bad("no root element");
  return doc;
}

/** The first child element with this name. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Trimmed text of a child element, undefined when absent or empty. */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const t = child(el, name)?.text.trim();
  return t ? t : undefined;
}
