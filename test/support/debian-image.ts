// Builds (once, then from cache) the real Debian 12 test image: debootstrap --variant=minbase
// bookworm from the machine's configured Debian mirror plus a few real packages, packed with
// umoci into two layers (the second deletes files, so whiteouts are exercised), and written as OCI
// layout, OCI archive and docker archive with skopeo. dpkg-query's view of the same rootfs is saved
// as the expected inventory. Run directly (`tsx test/support/debian-image.ts`) to build ahead.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, renameSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface DebianImage {
  readonly dir: string;
  /** The squashed root filesystem (for dir: targets and dpkg-query). */
  readonly rootfs: string;
  readonly ociDir: string;
  readonly ociRef: string;
  readonly ociArchive: string;
  readonly dockerArchive: string;
  /** dpkg-query rows of installed packages: name, version, arch, source (sorted). */
  readonly expected: readonly { name: string; version: string; arch: string; source: string }[];
}

const VERSION = "v1";
const EXTRA = ["openssl", "ca-certificates", "curl", "zlib1g"];

export function testCacheRoot(): string {
  return process.env.BERTH_TEST_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "berth-test");
}

function debianMirror(): string {
  const files = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const text = readFileSync(f, "utf8");
    const deb822 = /^URIs:\s*(\S+debian)\s*$/m.exec(text);
    if (deb822) return deb822[1]!;
    const legacy = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s+bookworm\b/m.exec(text);
    if (legacy) return legacy[1]!;
  }
  return "http://deb.debian.org/debian";
}

function run(cmd: string, args: string[], opts: { cwd?: string } = {}): string {
  return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024, ...opts }).toString();
}

function paths(dir: string): Omit<DebianImage, "expected"> {
  return {
    dir,
    rootfs: join(dir, "rootfs"),
    ociDir: join(dir, "oci"),
    ociRef: "12",
    ociArchive: join(dir, "debian12.oci.tar"),
    dockerArchive: join(dir, "debian12.docker.tar"),
  };
}

function loadExpected(dir: string): DebianImage["expected"] {
  return readFileSync(join(dir, "expected.tsv"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [name, version, arch, source] = l.split("\t") as [string, string, string, string];
      return { name, version, arch, source };
    });
}

function build(dir: string): void {
  const work = `${dir}.building-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const p = paths(work);
  const bundle = join(work, "bundle");
  const layout = `${p.ociDir}:${p.ociRef}`;
  run("umoci", ["init", "--layout", p.ociDir]);
  run("umoci", ["new", "--image", layout]);
  run("umoci", ["unpack", "--rootless", "--image", layout, bundle]);
  // Layer 1: the debootstrapped system.
  run("debootstrap", ["--variant=minbase", `--include=${EXTRA.join(",")}`, "bookworm", join(bundle, "rootfs"), debianMirror()]);
  run("umoci", ["repack", "--refresh-bundle", "--image", layout, "--history.created_by", `debootstrap --variant=minbase --include=${EXTRA.join(",")} bookworm`, bundle]);
  // Layer 2: clean caches (whiteouts) and add a marker, as a Dockerfile RUN would.
  const rootfs = join(bundle, "rootfs");
  rmSync(join(rootfs, "var/cache/apt"), { recursive: true, force: true });
  for (const f of readdirSync(join(rootfs, "var/lib/apt/lists"))) if (f !== "partial" && f !== "lock") rmSync(join(rootfs, "var/lib/apt/lists", f), { force: true });
  rmSync(join(rootfs, "usr/share/doc/curl/changelog.Debian.gz"), { force: true });
  writeFileSync(join(rootfs, "etc/berth-test"), "layer 2\n");
  run("umoci", ["repack", "--image", layout, "--history.created_by", "RUN rm -rf /var/cache/apt /var/lib/apt/lists/* && echo layer 2 > /etc/berth-test", bundle]);
  run("umoci", ["config", "--image", layout, "--config.label", "org.opencontainers.image.source=https://example.com/berth/test-image", "--config.label", "org.opencontainers.image.revision=0123456789abcdef"]);
  run("umoci", ["gc", "--layout", p.ociDir]);
  run("skopeo", ["copy", "--quiet", `oci:${layout}`, `oci-archive:${p.ociArchive}:${p.ociRef}`]);
  run("skopeo", ["copy", "--quiet", `oci:${layout}`, `docker-archive:${p.dockerArchive}:debian:12`]);
  renameSync(rootfs, p.rootfs);
  rmSync(bundle, { recursive: true, force: true });
  const rows = run("dpkg-query", [`--admindir=${join(p.rootfs, "var/lib/dpkg")}`, "-W", "-f", "${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\n"])
    .split("\n")
    .filter((l) => l.startsWith("installed\t"))
    .map((l) => l.slice("installed\t".length))
    .sort();
  writeFileSync(join(work, "expected.tsv"), rows.join("\n") + "\n");
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
}

/** The cached image, built on first use (needs root, debootstrap, umoci, skopeo and the mirror). */
export function debianImage(): DebianImage {
  const dir = join(testCacheRoot(), `debian12-${VERSION}`);
  if (!existsSync(join(dir, "expected.tsv"))) {
    mkdirSync(testCacheRoot(), { recursive: true });
    const lock = `${dir}.lock`;
    // One builder at a time: mkdir is atomic; others wait for the result.
    for (let i = 0; ; i++) {
      try {
        mkdirSync(lock);
        break;
      } catch {
        if (existsSync(join(dir, "expected.tsv"))) return { ...paths(dir), expected: loadExpected(dir) };
        if (i > 600) throw new Error(`timed out waiting for ${lock} (remove it if no build is running)`);
        execFileSync("sleep", ["1"]);
      }
    }
    try {
      if (!existsSync(join(dir, "expected.tsv"))) build(dir);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return { ...paths(dir), expected: loadExpected(dir) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const img = debianImage();
  console.log(`debian test image ready in ${img.dir} (${img.expected.length} packages)`);
}
