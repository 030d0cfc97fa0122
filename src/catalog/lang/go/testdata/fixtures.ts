// Go test inputs made by the real Go toolchain (Debian golang-go), cached under the test cache:
// a small module "example.com/berth/hello" built from a git repository, requiring
//   example.com/dep      v1.2.3 replaced by the local directory ./dep
//   example.net/liba     v1.0.0 (from a file:// module proxy written here, so no network)
//   example.net/libb     v0.3.1 // indirect, replaced by example.net/fork v1.1.0
// built for linux/amd64 (with -ldflags "-X main.version=1.4.2", and once without), darwin/arm64
// and windows/amd64. Old-format (Go < 1.18) build information cannot be produced by the Go 1.19
// toolchain here, so pointerBuildInfoElf() writes it into a minimal ELF; tests check it with the
// real `go version -m`, which still reads that format.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { testCacheRoot } from "../../../../../test/support/debian-image.js";
import { buildElf } from "../../binary/testdata/synth.js";
import { tool } from "../../binary/testdata/testkit.js";

const GO_MOD = `module example.com/berth/hello

go 1.19

require (
	example.com/dep v1.2.3
	example.net/liba v1.0.0
)

require example.net/libb v0.3.1 // indirect

replace example.com/dep => ./dep

replace example.net/libb => example.net/fork v1.1.0
`;

const MAIN_GO = `package main

import (
	"fmt"

	"example.com/dep"
	"example.net/liba"
	libb "example.net/libb"
)

var version = "dev"

func main() { fmt.Println(dep.Hello(), liba.V, libb.V, version) }
`;

const PROXY_MODULES: readonly [string, string][] = [
  ["example.net/liba", "v1.0.0"],
  ["example.net/libb", "v0.3.1"],
  ["example.net/fork", "v1.1.0"],
];

export interface GoFixtures {
  /** The source tree (go.mod, go.sum, main.go, dep/); a git repository. */
  readonly src: string;
  readonly linux: string;
  readonly linuxDevel: string;
  readonly darwin: string;
  readonly windows: string;
  /** `git rev-parse HEAD` of src. */
  readonly revision: string;
}

function goVersion(): string {
  return tool("go", ["version"], { aptPackage: "golang-go" }).stdout.trim();
}

/** Builds (once, cached) the fixture binaries with the real Go toolchain. */
export function goFixtures(): GoFixtures {
  const key = createHash("sha256").update(`${goVersion()}\n${GO_MOD}\n${MAIN_GO}\nv1`).digest("hex").slice(0, 16);
  const base = join(testCacheRoot(), "go-fixtures", key);
  const result = (): GoFixtures => ({
    src: join(base, "src"),
    linux: join(base, "out", "hello-linux-amd64"),
    linuxDevel: join(base, "out", "hello-devel"),
    darwin: join(base, "out", "hello-darwin-arm64"),
    windows: join(base, "out", "hello-windows-amd64.exe"),
    revision: readFileSync(join(base, "out", "revision"), "utf8").trim(),
  });
  if (existsSync(join(base, ".done"))) return result();
  const work = `${base}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  const src = join(work, "src");
  const proxy = join(work, "proxy");
  const out = join(work, "out");
  mkdirSync(join(src, "dep"), { recursive: true });
  mkdirSync(out, { recursive: true });
  // A file:// module proxy: <path>/@v/{list,<v>.info,<v>.mod,<v>.zip}, zips holding <path>@<v>/….
  for (const [path, version] of PROXY_MODULES) {
    const stage = join(work, "stage", `${path}@${version}`);
    mkdirSync(stage, { recursive: true });
    const name = path.slice(path.lastIndexOf("/") + 1);
    writeFileSync(join(stage, "go.mod"), `module ${path}\n\ngo 1.19\n`);
    writeFileSync(join(stage, "x.go"), `package ${name}\n\nconst V = "${version}"\n`);
    const dir = join(proxy, path, "@v");
    mkdirSync(dir, { recursive: true });
    tool("zip", ["-q", "-r", "-X", join(dir, `${version}.zip`), `${path}@${version}`], { aptPackage: "zip", cwd: join(work, "stage") });
    writeFileSync(join(dir, `${version}.mod`), `module ${path}\n\ngo 1.19\n`);
    writeFileSync(join(dir, `${version}.info`), JSON.stringify({ Version: version, Time: "2023-01-02T03:04:05Z" }));
    writeFileSync(join(dir, "list"), `${version}\n`);
  }
  writeFileSync(join(src, "go.mod"), GO_MOD);
  writeFileSync(join(src, "main.go"), MAIN_GO);
  writeFileSync(join(src, "dep", "go.mod"), "module example.com/dep\n\ngo 1.19\n");
  writeFileSync(join(src, "dep", "dep.go"), 'package dep\n\nfunc Hello() string { return "hi" }\n');
  const env = {
    ...process.env,
    GOFLAGS: "-mod=mod",
    GOPROXY: `file://${proxy}`,
    GOSUMDB: "off",
    GONOSUMDB: "*",
    GOPATH: join(work, "gopath"),
    GOMODCACHE: join(work, "modcache"),
    GOCACHE: join(testCacheRoot(), "go-build-cache"),
    CGO_ENABLED: "0",
    GIT_AUTHOR_DATE: "2024-05-06T07:08:09Z",
    GIT_COMMITTER_DATE: "2024-05-06T07:08:09Z",
  };
  const git = (...args: string[]) => tool("git", ["-c", "user.email=test@berth.invalid", "-c", "user.name=berth test", ...args], { aptPackage: "git", cwd: src, env });
  // Resolve go.sum first so the committed tree is clean (vcs.modified=false).
  tool("go", ["mod", "download", "all"], { aptPackage: "golang-go", cwd: src, env });
  tool("go", ["build", "-o", join(work, "probe"), "."], { aptPackage: "golang-go", cwd: src, env });
  rmSync(join(work, "probe"));
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "fixture");
  writeFileSync(join(out, "revision"), git("rev-parse", "HEAD").stdout);
  const build = (o: string, extra: Record<string, string>, ...args: string[]) => tool("go", ["build", ...args, "-o", join(out, o), "."], { aptPackage: "golang-go", cwd: src, env: { ...env, ...extra } });
  build("hello-linux-amd64", { GOOS: "linux", GOARCH: "amd64" }, "-ldflags", "-X main.version=1.4.2");
  build("hello-devel", { GOOS: "linux", GOARCH: "amd64" });
  build("hello-darwin-arm64", { GOOS: "darwin", GOARCH: "arm64" });
  build("hello-windows-amd64.exe", { GOOS: "windows", GOARCH: "amd64" });
  tool("go", ["clean", "-modcache"], { aptPackage: "golang-go", cwd: src, env }); // read-only files; not needed after the build
  writeFileSync(join(work, ".done"), "ok\n");
  mkdirSync(join(base, ".."), { recursive: true });
  // Test files run in parallel processes: the first finished build wins, the others are dropped.
  try {
    renameSync(work, base);
  } catch {
    rmSync(work, { recursive: true, force: true });
  }
  return result();
}

/** `go version -m FILE`, parsed: the toolchain, and each record line as its tab-separated fields. */
export function goVersionM(file: string): { goVersion: string; records: string[][] } | { error: string } {
  const r = tool("go", ["version", "-m", file], { aptPackage: "golang-go", allowFail: true });
  const lines = r.stdout.split("\n").filter((l) => l !== "");
  const first = lines[0] ?? "";
  if (r.status !== 0 || !first.startsWith(`${file}: `)) return { error: `${r.stderr}${r.stdout}`.trim() };
  return { goVersion: first.slice(file.length + 2), records: lines.slice(1).map((l) => l.replace(/^\t/, "").split("\t")).filter((f) => f.some((x) => x !== "")) };
}

// The 16-byte sentinels cmd/go frames module information with (as found in real binaries).
const INFO_START = Buffer.from("3077af0c9274080241e1c107e6d618e6", "hex");
const INFO_END = Buffer.from("f932433186182072008242104116d8f2", "hex");

/**
 * An ELF whose .go.buildinfo uses the Go < 1.18 layout: pointer size and byte order in the header,
 * then the addresses of two Go string headers {data, len} for the version and the module text.
 */
export function pointerBuildInfoElf(bits: 32 | 64, littleEndian: boolean, goVersion: string, modinfo: string): Buffer {
  const p = bits / 8;
  const ver = Buffer.from(goVersion, "utf8");
  const mod = modinfo === "" ? Buffer.alloc(0) : Buffer.concat([INFO_START, Buffer.from(modinfo, "utf8"), INFO_END]);
  const size = 32 + 4 * p + ver.length + mod.length;
  return buildElf({
    bits,
    littleEndian,
    sections: [
      {
        name: ".go.buildinfo",
        size,
        writable: true,
        data: (addr) => {
          const b = Buffer.alloc(size);
          b.write("\xff Go buildinf:", 0, "latin1");
          b[14] = p;
          b[15] = littleEndian ? 0 : 1;
          const put = (at: number, v: bigint) => {
            if (p === 8) littleEndian ? b.writeBigUInt64LE(v, at) : b.writeBigUInt64BE(v, at);
            else littleEndian ? b.writeUInt32LE(Number(v), at) : b.writeUInt32BE(Number(v), at);
          };
          const verHdr = 32;
          const modHdr = 32 + 2 * p;
          const verData = 32 + 4 * p;
          const modData = verData + ver.length;
          put(16, addr + BigInt(verHdr));
          put(16 + p, addr + BigInt(modHdr));
          put(verHdr, addr + BigInt(verData));
          put(verHdr + p, BigInt(ver.length));
          put(modHdr, addr + BigInt(modData));
          put(modHdr + p, BigInt(mod.length));
          ver.copy(b, verData);
          mod.copy(b, modData);
          return b;
        },
      },
    ],
  });
}
