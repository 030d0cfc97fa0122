// Benchmark: `berth sbom` against the decompression floor (`gzip -dc` of the same layer blobs),
// measured in one run, on (1) the real Debian 12 test image and (2) a ~1 GiB synthetic image built
// here, to show that peak RSS does not grow with image size. Run: `npm run bench:sbom`.
// Prints a Markdown table for bench/README.md. Nothing leaves 127.0.0.1 (nothing uses the network).
import { execFileSync, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes, createHash } from "node:crypto";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { once } from "node:events";
import { debianImage, testCacheRoot } from "../test/support/debian-image.js";
import { mixedImage } from "../test/support/mixed-image.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Measure {
  seconds: number;
  rssKb: number;
}

/** Runs a command under GNU time; returns wall seconds and peak RSS. */
function timed(cmd: string, args: string[]): Measure {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], { stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr.toString().slice(-500)}`);
  const last = r.stderr.toString().trim().split("\n").pop()!;
  const [s, kb] = last.split(" ");
  return { seconds: Number(s), rssKb: Number(kb) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function layerBlobs(ociDir: string, ref: string): string[] {
  const index = JSON.parse(readFileSync(join(ociDir, "index.json"), "utf8")) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const m = index.manifests.find((d) => d.annotations?.["org.opencontainers.image.ref.name"] === ref) ?? index.manifests[0]!;
  const manifest = JSON.parse(readFileSync(join(ociDir, "blobs/sha256", m.digest.slice(7)), "utf8")) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => join(ociDir, "blobs/sha256", l.digest.slice(7)));
}

function bench(name: string, ociDir: string, ref: string): string {
  const blobs = layerBlobs(ociDir, ref);
  const berth: Measure[] = [];
  const floor: Measure[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, so both see the same page-cache and machine state.
    floor.push(timed("sh", ["-c", `gzip -dc ${blobs.join(" ")} > /dev/null`]));
    berth.push(timed(process.execPath, ["bin/berth.js", "sbom", "-q", "--no-cache", "-f", "cyclonedx", "-o", "/dev/null", `oci:${ociDir}:${ref}`]));
  }
  const b = median(berth.map((m) => m.seconds));
  const f = median(floor.map((m) => m.seconds));
  const rss = Math.max(...berth.map((m) => m.rssKb));
  const size = blobs.reduce((n, p) => n + readFileSync(p).length, 0);
  return `| ${name} | ${(size / 1024 / 1024).toFixed(0)} MiB | ${b.toFixed(2)} s | ${f.toFixed(2)} s | **${(b / f).toFixed(2)}×** | ${(rss / 1024).toFixed(0)} MiB |`;
}

/** ~1 GiB of tar layers (4 × 256 MiB of compressible pseudo-random text) + a dpkg status. */
async function syntheticImage(): Promise<{ dir: string; ref: string }> {
  const dir = join(testCacheRoot(), "bench-synthetic-1g");
  if (existsSync(join(dir, "index.json"))) return { dir, ref: "latest" };
  mkdirSync(join(dir, "blobs/sha256"), { recursive: true });
  const alphabet = Buffer.from("abcdefghijklmnop \n");
  const layers: { digest: string; diffId: string; size: number }[] = [];
  for (let l = 0; l < 4; l++) {
    const tmp = join(dir, `layer${l}.tmp`);
    const gz = createGzip({ level: 1 });
    const out = createWriteStream(tmp);
    const blobHash = createHash("sha256");
    const diffHash = createHash("sha256");
    let size = 0;
    gz.on("data", (c: Buffer) => {
      blobHash.update(c);
      size += c.length;
    });
    gz.pipe(out);
    const write = async (b: Buffer) => {
      diffHash.update(b);
      if (!gz.write(b)) await once(gz, "drain");
    };
    const header = (name: string, len: number) => {
      const h = Buffer.alloc(512);
      h.write(name, 0);
      h.write("0000644\0", 100);
      h.write("0000000\0", 108);
      h.write("0000000\0", 116);
      h.write(len.toString(8).padStart(11, "0") + "\0", 124);
      h.write("00000000000\0", 136);
      h.write("        ", 148);
      h.write("0", 156);
      h.write("ustar\0", 257);
      h.write("00", 263);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
      return h;
    };
    const pad = (len: number) => Buffer.alloc((512 - (len % 512)) % 512);
    if (l === 0) {
      const status = Buffer.from(Array.from({ length: 100 }, (_, i) => `Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}-1\nArchitecture: amd64\n\n`).join(""));
      await write(header("var/lib/dpkg/status", status.length));
      await write(status);
      await write(pad(status.length));
    }
    const fileSize = 16 * 1024 * 1024;
    for (let f = 0; f < 16; f++) {
      await write(header(`data/layer${l}/file${f}.txt`, fileSize));
      for (let off = 0; off < fileSize; off += 1 << 20) {
        const r = randomBytes(1 << 20);
        for (let i = 0; i < r.length; i++) r[i] = alphabet[r[i]! % alphabet.length]!;
        await write(r);
      }
    }
    await write(Buffer.alloc(1024));
    gz.end();
    await once(out, "finish");
    const digest = `sha256:${blobHash.digest("hex")}`;
    execFileSync("mv", [tmp, join(dir, "blobs/sha256", digest.slice(7))]);
    layers.push({ digest, diffId: `sha256:${diffHash.digest("hex")}`, size });
  }
  const put = (b: Buffer) => {
    const d = `sha256:${createHash("sha256").update(b).digest("hex")}`;
    writeFileSync(join(dir, "blobs/sha256", d.slice(7)), b);
    return { digest: d, size: b.length };
  };
  const config = put(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) } })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: layers.map((l) => ({ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: l.digest, size: l.size })),
      }),
    ),
  );
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...manifest, annotations: { "org.opencontainers.image.ref.name": "latest" } }] }));
  return { dir, ref: "latest" };
}

const deb = debianImage();
const synth = await syntheticImage();
console.log(`berth sbom vs gzip -dc, median of ${RUNS} interleaved runs, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
console.log("| image | layers (compressed) | berth sbom | gzip -dc floor | ratio | berth peak RSS |");
console.log("|---|---|---|---|---|---|");
console.log(bench("real Debian 12 (debootstrap minbase + curl, openssl)", deb.ociDir, deb.ociRef));
const mixed = mixedImage("src/catalog/lang/javascript/testdata/project");
console.log(bench("mixed real image (Debian + Python, Node, Go, Java, Ruby layers)", mixed.ociDir, mixed.ociRef));
console.log(bench("synthetic ~1 GiB (4 layers of text + dpkg status)", synth.dir, synth.ref));
