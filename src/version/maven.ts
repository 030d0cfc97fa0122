// Maven versions, ordered as Maven 3.8's org.apache.maven.artifact.versioning.ComparableVersion
// orders them. The lower-cased string is split at "." and "-" and at every digit/letter change
// into a tree: "-", a digit/letter change and a qualifier after "." open a nested list. Numbers
// compare by value; qualifiers alpha < beta < milestone < rc = cr < snapshot < "" = ga = final =
// release < sp < any other qualifier (those alphabetically); "a1"/"b1"/"m1" mean
// alpha-1/beta-1/milestone-1; trailing zeros and empty qualifiers are dropped from each list.
// Every non-empty string is a Maven version. Proven against the maven-artifact jar's
// ComparableVersion (its corners have changed between Maven releases: the jar is the reference).
import { cmpDigits, cmpStr, defineScheme, fail, ok, type Ordering, type ParseResult, type VersionScheme } from "./scheme.js";

type Item =
  | { readonly kind: "int"; readonly digits: string; readonly size: IntSize }
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "list"; readonly items: Item[] };

/** IntItem (≤ 9 digits), LongItem (≤ 18) or BigIntegerItem: Maven orders across sizes by size alone. */
type IntSize = 0 | 1 | 2;
const ZERO: Item = { kind: "int", digits: "0", size: 0 };

const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const ALIASES: Readonly<Record<string, string>> = { ga: "", final: "", release: "", cr: "rc" };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(""));

/** Java's Character.isDigit for one UTF-16 unit: Unicode decimal digits (Nd). */
const ND = /\p{Nd}/u;
function isDigit(c: string): boolean {
  return c >= "0" && c <= "9" ? true : c.charCodeAt(0) >= 0x80 && ND.test(c);
}

/** Java's Character.digit for a decimal digit: its position in its run of ten. */
function digitValue(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  let zero = code;
  while (zero > 0 && ND.test(String.fromCharCode(zero - 1)) && code - (zero - 1) < 10) zero--;
  return code - zero;
}

function toAsciiDigits(s: string): string {
  let out = "";
  for (const c of s) out += String(digitValue(c));
  return out;
}

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === "a") v = "alpha";
    else if (v === "b") v = "beta";
    else if (v === "m") v = "milestone";
  }
  return { kind: "str", value: Object.hasOwn(ALIASES, v) ? (ALIASES[v] as string) : v };
}

function parseItem(isDigitRun: boolean, buf: string): Item {
  if (isDigitRun) {
    // Maven strips ASCII zeros only, and keeps an all-zero run whole; its length picks the item size.
    const stripped = /^0+$/.test(buf) ? buf : buf.replace(/^0+/, "");
    const size: IntSize = stripped.length <= 9 ? 0 : stripped.length <= 18 ? 1 : 2;
    return { kind: "int", digits: toAsciiDigits(stripped).replace(/^0+(?=.)/, ""), size };
  }
  return stringItem(buf, false);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case "int":
      return /^0+$/.test(item.digits);
    case "str":
      return comparableQualifier(item.value) === RELEASE_INDEX;
    case "list":
      return item.items.length === 0;
  }
}

/** Removes trailing null items, stepping over nothing but nested lists (ListItem.normalize). */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i] as Item;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== "list") break;
  }
}

export function parseMaven(version: string): ParseResult<Item> {
  if (version.length === 0) return fail("empty");
  const v = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let digitRun = false;
  let start = 0;
  const open = (): void => {
    const child: Item[] = [];
    list.push({ kind: "list", items: child });
    list = child;
    stack.push(child);
  };
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === ".") {
      list.push(i === start ? ZERO : parseItem(digitRun, v.slice(start, i)));
      start = i + 1;
    } else if (c === "-") {
      list.push(i === start ? ZERO : parseItem(digitRun, v.slice(start, i)));
      start = i + 1;
      open();
    } else if (isDigit(c)) {
      if (!digitRun && i > start) {
        // Maven 3.8: "1.0.X1" is read as "1.0-X1" — a qualifier after a "." opens a list.
        if (list.length > 0) open();
        list.push(stringItem(v.slice(start, i), true));
        start = i;
        open();
      }
      digitRun = true;
    } else {
      if (digitRun && i > start) {
        list.push(parseItem(true, v.slice(start, i)));
        start = i;
        open();
      }
      digitRun = false;
    }
  }
  if (v.length > start) {
    // …and so is a trailing qualifier: "1.X" is read as "1-X".
    if (!digitRun && list.length > 0) open();
    list.push(parseItem(digitRun, v.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop() as Item[]);
  return ok({ kind: "list", items: root });
}

function negate(o: Ordering): Ordering {
  return o === 0 ? 0 : o === 1 ? -1 : 1;
}

/** Item.compareTo(other); `other` undefined stands for Java's null (a missing item). */
function compareItem(a: Item, b: Item | undefined): Ordering {
  switch (a.kind) {
    case "int":
      if (b === undefined) return isNull(a) ? 0 : 1;
      if (b.kind === "int") return a.size !== b.size ? (a.size < b.size ? -1 : 1) : cmpDigits(a.digits, b.digits);
      return 1;
    case "str":
      if (b === undefined) return cmpStr(comparableQualifier(a.value), RELEASE_INDEX);
      if (b.kind === "str") return cmpStr(comparableQualifier(a.value), comparableQualifier(b.value));
      return -1;
    case "list": {
      if (b === undefined) {
        for (const item of a.items) {
          const r = compareItem(item, undefined);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.kind === "int") return -1;
      if (b.kind === "str") return 1;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i];
        const r = b.items[i];
        const res = l === undefined ? (r === undefined ? 0 : negate(compareItem(r, undefined))) : compareItem(l, r);
        if (res !== 0) return res;
      }
      return 0;
    }
  }
}

export const maven: VersionScheme = defineScheme("maven", parseMaven, (a, b) => compareItem(a, b));
