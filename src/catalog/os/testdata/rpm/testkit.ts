// Test helpers for the rpm cataloger:
// - buildHeaderBlob writes an rpm header blob (il, dl, index, data store) from typed entries, each
//   value aligned as rpm aligns it; tests then damage the bytes to exercise the parser's checks.
// - rpmRows/berthRows put rpm's own `rpm -qa` listing and Berth's packages in one comparable form.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import type { Package } from "../../../../model/package.js";
import { RpmTag, RpmType } from "../../rpm-header.js";
import { BerthError } from "../../../../util/errors.js";

export type BuildValue =
  | { readonly type: typeof RpmType.STRING | typeof RpmType.I18NSTRING; readonly value: string | readonly string[] }
  | { readonly type: typeof RpmType.STRING_ARRAY; readonly value: readonly string[] }
  | {
      readonly type: typeof RpmType.INT8 | typeof RpmType.INT16 | typeof RpmType.INT32 | typeof RpmType.INT64;
      readonly value: readonly number[];
    }
  | { readonly type: typeof RpmType.BIN; readonly value: Buffer };

export interface BuildEntry {
  readonly tag: number;
  readonly v: BuildValue;
}

const ALIGN: Record<number, number> = { [RpmType.INT16]: 2, [RpmType.INT32]: 4, [RpmType.INT64]: 8 };

function encode(v: BuildValue): { bytes: Buffer; count: number } {
  switch (v.type) {
    case RpmType.STRING:
    case RpmType.I18NSTRING:
    case RpmType.STRING_ARRAY: {
      const list = typeof v.value === "string" ? [v.value] : v.value;
      return { bytes: Buffer.concat(list.map((s) => Buffer.from(`${s}\0`, "utf8"))), count: list.length };
    }
    case RpmType.BIN:
      return { bytes: v.value, count: v.value.length };
    default: {
      const size = v.type === RpmType.INT8 ? 1 : v.type === RpmType.INT16 ? 2 : v.type === RpmType.INT32 ? 4 : 8;
      const b = Buffer.alloc(size * v.value.length);
      v.value.forEach((n, i) => {
        if (size === 1) b.writeUInt8(n, i);
        else if (size === 2) b.writeUInt16BE(n, i * 2);
        else if (size === 4) b.writeUInt32BE(n, i * 4);
        else b.writeBigUInt64BE(BigInt(n), i * 8);
      });
      return { bytes: b, count: v.value.length };
    }
  }
}

export function buildHeaderBlob(entries: readonly BuildEntry[]): Buffer {
  const index = Buffer.alloc(entries.length * 16);
  const chunks: Buffer[] = [];
  let dl = 0;
  entries.forEach((e, i) => {
    const { bytes, count } = encode(e.v);
    const align = ALIGN[e.v.type] ?? 1;
    const pad = (align - (dl % align)) % align;
    if (pad) chunks.push(Buffer.alloc(pad));
    dl += pad;
    index.writeInt32BE(e.tag, i * 16);
    index.writeUInt32BE(e.v.type, i * 16 + 4);
    index.writeInt32BE(dl, i * 16 + 8);
    index.writeUInt32BE(count, i * 16 + 12);
    chunks.push(bytes);
    dl += bytes.length;
  });
  const head = Buffer.alloc(8);
  head.writeUInt32BE(entries.length, 0);
  head.writeUInt32BE(dl, 4);
  return Buffer.concat([head, index, ...chunks]);
}

export const str = (tag: number, value: string): BuildEntry => ({ tag, v: { type: RpmType.STRING, value } });
export const strs = (tag: number, value: readonly string[]): BuildEntry => ({ tag, v: { type: RpmType.STRING_ARRAY, value } });
export const int32 = (tag: number, value: readonly number[]): BuildEntry => ({ tag, v: { type: RpmType.INT32, value } });

/** A plausible installed-package header. */
export function packageEntries(name: string, version: string, release: string, extra: readonly BuildEntry[] = []): BuildEntry[] {
  return [
    str(RpmTag.NAME, name),
    str(RpmTag.VERSION, version),
    str(RpmTag.RELEASE, release),
    str(RpmTag.ARCH, "x86_64"),
    str(RpmTag.SOURCERPM, `${name}-${version}-${release}.src.rpm`),
    str(RpmTag.LICENSE, "MIT"),
    ...extra,
  ];
}

// ---- the real tool as the oracle ----

/** Runs rpm or rpmbuild with HOME set to a scratch directory; a missing tool fails loudly. */
export function runRpm(cmd: "rpm" | "rpmbuild", args: readonly string[], home: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, HOME: home, LC_ALL: "C" } });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    assert.fail(`${cmd} is not installed: this test needs Debian's rpm package (apt-get install -y rpm)`);
  }
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

/** The columns compared with rpm, as `rpm -qa` prints them ("(none)" when unset). */
const QF = "%{NAME}\\t%{EVR}\\t%{ARCH}\\t%{SOURCERPM}\\t%{LICENSE}\\t%{VENDOR}\\n";

/** rpm's own listing of a database: the QF columns plus the owned files, one sorted row per package. */
export function rpmRows(home: string, dbArgs: readonly string[]): string[] {
  const files = new Map<string, string[]>();
  for (const line of runRpm("rpm", [...dbArgs, "-qa", "--qf", "[%{=NAME}\\t%{FILENAMES}\\n]"], home).trimEnd().split("\n")) {
    const [name = "", file = ""] = line.split("\t");
    if (file !== "(none)") files.set(name, [...(files.get(name) ?? []), file]);
  }
  return runRpm("rpm", [...dbArgs, "-qa", "--qf", QF], home)
    .trimEnd()
    .split("\n")
    .map((row) => `${row}\t${files.get(row.split("\t")[0] ?? "")?.sort().join(" ") ?? "(none)"}`)
    .sort();
}

/** Berth's packages in the rpmRows form. */
export function berthRows(packages: readonly Package[]): string[] {
  return packages
    .map((p) =>
      [
        p.name,
        p.version,
        p.arch ?? "(none)",
        p.metadata?.sourceRpm ?? "(none)",
        p.licenses[0] ?? "(none)",
        p.metadata?.vendor ?? "(none)",
        p.files && p.files.length > 0 ? p.files.map((f) => `/${f}`).sort().join(" ") : "(none)",
      ].join("\t"),
    )
    .sort();
}

/** A copy of a fixture with bytes changed by `edit` (to make it malformed). */
export function patchedCopy(fixture: Buffer, edit: (b: Buffer) => void): Buffer {
  const b = Buffer.from(fixture);
  edit(b);
  return b;
}

/** An assert.throws matcher: a BerthError with this code and a message matching `pattern`. */
export function refused(code: string, pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof BerthError, `expected a BerthError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, pattern);
    return true;
  };
}
