// Test helper: build tiny OCI images without a container engine (umoci) and push them to a
// registry (skopeo). Shared by every test that needs a real image in a real registry.
//
//   const layout = await tinyLayout();                               // temp OCI layout dir
//   await buildTinyImage(layout.dir, { tag: "amd", platform: { os: "linux", architecture: "amd64" } });
//   await pushTinyImage(layout.dir, "amd", `${reg.host}/test/app:1`);
//
// Needs the Debian packages `umoci` and `skopeo`; a missing tool fails with a clear message.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TinyPlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface TinyImageSpec {
  /** Tag (ref name) of the image inside the layout. */
  readonly tag: string;
  /** Default linux/amd64. */
  readonly platform?: TinyPlatform;
  /** One layer per entry: path (relative, e.g. "etc/hello") → file content. Default: one small layer. */
  readonly layers?: readonly Readonly<Record<string, string>>[];
  /** created_by of each layer's history entry (default "tiny-image layer N"). */
  readonly createdBy?: readonly string[];
  /** Extra config: labels, env, cmd. */
  readonly labels?: Readonly<Record<string, string>>;
  readonly env?: readonly string[];
  readonly cmd?: readonly string[];
}

const FIXED_DATE = "2024-01-01T00:00:00Z";
const FIXED_TIME = new Date(FIXED_DATE);

/** Runs a tool; a missing binary fails with the apt package to install. */
export async function tool(bin: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const r = await run(bin, [...args], { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024 });
    return r.stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") throw new Error(`${bin} is not installed (apt-get install -y ${bin})`);
    throw new Error(`${bin} ${args.join(" ")} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** A fresh temp directory holding an empty OCI layout at `dir`. */
export async function tinyLayout(): Promise<{ dir: string; root: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "berth-tiny-"));
  const dir = join(root, "layout");
  await tool("umoci", ["init", "--layout", dir]);
  return { dir, root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Adds one image (tag) to an OCI layout made by tinyLayout(). */
export async function buildTinyImage(layoutDir: string, spec: TinyImageSpec): Promise<void> {
  const image = `${layoutDir}:${spec.tag}`;
  const platform = spec.platform ?? { os: "linux", architecture: "amd64" };
  await tool("umoci", ["new", "--image", image]);
  const cfg = ["config", "--image", image, "--os", platform.os, "--architecture", platform.architecture, "--created", FIXED_DATE, "--history.created", FIXED_DATE, "--history.created_by", "tiny-image config"];
  for (const [k, v] of Object.entries(spec.labels ?? {})) cfg.push("--config.label", `${k}=${v}`);
  for (const e of spec.env ?? []) cfg.push("--config.env", e);
  for (const c of spec.cmd ?? []) cfg.push("--config.cmd", c);
  await tool("umoci", cfg);
  const layers = spec.layers ?? [{ "etc/hello": `hello from ${platform.os}/${platform.architecture}\n` }];
  const scratch = await mkdtemp(join(tmpdir(), "berth-tiny-rootfs-"));
  try {
    for (const [i, files] of layers.entries()) {
      const rootfs = join(scratch, `layer${i}`);
      await mkdir(rootfs, { recursive: true });
      const dirs = new Set<string>([rootfs]);
      for (const [path, content] of Object.entries(files)) {
        const p = join(rootfs, path);
        await mkdir(dirname(p), { recursive: true });
        await writeFile(p, content);
        await utimes(p, FIXED_TIME, FIXED_TIME);
        for (let d = dirname(p); d.length > rootfs.length; d = dirname(d)) dirs.add(d);
      }
      // fixed mtimes everywhere, so the same spec always gives the same digests
      for (const d of dirs) await utimes(d, FIXED_TIME, FIXED_TIME);
      const createdBy = spec.createdBy?.[i] ?? `tiny-image layer ${i}`;
      const rootless = process.getuid?.() === 0 ? [] : ["--rootless"];
      await tool("umoci", ["insert", ...rootless, "--image", image, "--history.created", FIXED_DATE, "--history.created_by", createdBy, rootfs, "/"]);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (platform.variant) await setVariant(layoutDir, spec.tag, platform.variant);
}

interface LayoutIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: { mediaType: string; digest: string; size: number; platform?: TinyPlatform; annotations?: Record<string, string> }[];
}

const REF_NAME = "org.opencontainers.image.ref.name";

async function readLayoutIndex(layoutDir: string): Promise<LayoutIndex> {
  return JSON.parse(await readFile(join(layoutDir, "index.json"), "utf8")) as LayoutIndex;
}

async function writeBlob(layoutDir: string, bytes: Buffer): Promise<string> {
  const hex = createHash("sha256").update(bytes).digest("hex");
  await writeFile(join(layoutDir, "blobs", "sha256", hex), bytes);
  return `sha256:${hex}`;
}

async function readBlobJson(layoutDir: string, digest: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(layoutDir, "blobs", "sha256", digest.slice("sha256:".length)), "utf8")) as Record<string, unknown>;
}

/** umoci has no --variant: rewrite config + manifest with the variant and retag. */
async function setVariant(layoutDir: string, tag: string, variant: string): Promise<void> {
  const index = await readLayoutIndex(layoutDir);
  const entry = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (!entry) throw new Error(`tag ${tag} not in layout`);
  const manifest = await readBlobJson(layoutDir, entry.digest);
  const configDesc = manifest.config as { digest: string; size: number };
  const config = await readBlobJson(layoutDir, configDesc.digest);
  const configBytes = Buffer.from(JSON.stringify({ ...config, variant }));
  const newManifest = { ...manifest, config: { ...configDesc, digest: await writeBlob(layoutDir, configBytes), size: configBytes.length } };
  const manifestBytes = Buffer.from(JSON.stringify(newManifest));
  entry.digest = await writeBlob(layoutDir, manifestBytes);
  entry.size = manifestBytes.length;
  await writeFile(join(layoutDir, "index.json"), JSON.stringify(index));
}

/**
 * Writes an OCI image index naming the given tags (each with its config's platform) and tags it
 * `indexTag` in the layout. Push it with pushTinyImage(..., { all: true }). Returns its digest.
 */
export async function buildTinyIndex(layoutDir: string, indexTag: string, imageTags: readonly string[]): Promise<string> {
  const index = await readLayoutIndex(layoutDir);
  const manifests = [];
  for (const tag of imageTags) {
    const entry = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
    if (!entry) throw new Error(`tag ${tag} not in layout`);
    const manifest = await readBlobJson(layoutDir, entry.digest);
    const config = await readBlobJson(layoutDir, (manifest.config as { digest: string }).digest);
    const platform: TinyPlatform = {
      os: String(config.os),
      architecture: String(config.architecture),
      ...(typeof config.variant === "string" ? { variant: config.variant } : {}),
    };
    manifests.push({ mediaType: entry.mediaType, digest: entry.digest, size: entry.size, platform });
  }
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests }));
  const digest = await writeBlob(layoutDir, bytes);
  index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME] !== indexTag);
  index.manifests.push({ mediaType: "application/vnd.oci.image.index.v1+json", digest, size: bytes.length, annotations: { [REF_NAME]: indexTag } });
  await writeFile(join(layoutDir, "index.json"), JSON.stringify(index));
  return digest;
}

export interface PushOptions {
  /** "oci" (default: as built) or "v2s2" (Docker schema 2 manifest / manifest list). */
  readonly format?: "oci" | "v2s2";
  /** Push every image of an index (needed for indexes). */
  readonly all?: boolean;
  /** "user:password" for a registry with basic or token auth. */
  readonly creds?: string;
}

/** skopeo copy oci:LAYOUT:TAG docker://DEST over plain HTTP; returns the pushed manifest digest. */
export async function pushTinyImage(layoutDir: string, tag: string, dest: string, opts: PushOptions = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "berth-skopeo-"));
  const digestFile = join(root, "digest");
  try {
    const args = ["copy", "--quiet", "--dest-tls-verify=false", "--digestfile", digestFile];
    if (opts.format) args.push("--format", opts.format);
    if (opts.all) args.push("--all");
    if (opts.creds) args.push("--dest-creds", opts.creds);
    // skopeo keeps auth state and policy lookups under HOME; isolate it from the machine.
    const policy = join(root, "policy.json");
    await writeFile(policy, JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }));
    args.push("--policy", policy, `oci:${layoutDir}:${tag}`, `docker://${dest}`);
    await tool("skopeo", args, { env: { ...process.env, HOME: root, XDG_RUNTIME_DIR: root, REGISTRY_AUTH_FILE: join(root, "auth.json") } });
    return (await readFile(digestFile, "utf8")).trim();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The manifest digest of a tag inside a layout. */
export async function layoutDigest(layoutDir: string, tag: string): Promise<string> {
  const entry = (await readLayoutIndex(layoutDir)).manifests.find((m) => m.annotations?.[REF_NAME] === tag);
  if (!entry) throw new Error(`tag ${tag} not in layout`);
  return entry.digest;
}
