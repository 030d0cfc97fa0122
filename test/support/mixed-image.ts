// The mixed real image of the language-catalogers issue: the real Debian 12 test image plus one
// layer per application, the way a Dockerfile builds them — a Python app (Debian's python3-requests
// and its dependencies, as installed files), a Node app (the npm-installed tree committed under
// src/catalog/lang/javascript/testdata), a Go binary (Debian's docker-registry), Java jars (Debian's
// libcommons-lang3-java) and a Ruby gem (Debian's ruby-rack). Built with umoci, cached.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { debianImage, testCacheRoot } from "./debian-image.js";
import { debianPackage } from "./debian-debs.js";

export interface MixedImage {
  readonly dir: string;
  readonly ociDir: string;
  readonly ociRef: string;
  readonly rootfs: string;
}

const VERSION = "v1";
export const PYTHON_DEBS = ["python3-requests", "python3-urllib3", "python3-idna", "python3-certifi", "python3-chardet"];
export const JAVA_DEBS = ["libcommons-lang3-java"];
export const RUBY_DEBS = ["ruby-rack"];
export const GO_DEBS = ["docker-registry"];

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
}

function addLayer(layout: string, bundle: string, createdBy: string, add: (rootfs: string) => void): void {
  add(join(bundle, "rootfs"));
  run("umoci", ["repack", "--refresh-bundle", "--image", layout, "--history.created_by", createdBy, bundle]);
}

function copyDeb(name: string, rootfs: string): void {
  // --keep-directory-symlink: Debian 12 is merged-/usr (/lib → usr/lib); files land through the link, as dpkg does.
  run("sh", ["-c", 'tar -C "$1" -cf - . | tar -C "$2" --keep-directory-symlink -xf -', "copy", debianPackage(name).root, rootfs]);
}

/** nodeApp: a directory holding package.json, a lockfile and node_modules, copied to /app. */
export function mixedImage(nodeApp?: string): MixedImage {
  const dir = join(testCacheRoot(), `debian12-mixed-${VERSION}`);
  const out = { dir, ociDir: join(dir, "oci"), ociRef: "mixed", rootfs: join(dir, "bundle", "rootfs") };
  if (existsSync(join(dir, ".done"))) return out;
  const base = debianImage();
  const work = `${dir}.building-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const layoutDir = join(work, "oci");
  cpSync(base.ociDir, layoutDir, { recursive: true });
  const layout = `${layoutDir}:mixed`;
  run("umoci", ["tag", "--image", `${layoutDir}:${base.ociRef}`, "mixed"]);
  const bundle = join(work, "bundle");
  run("umoci", ["unpack", "--rootless", "--image", layout, bundle]);
  addLayer(layout, bundle, `RUN apt-get install -y ${PYTHON_DEBS.join(" ")}  # files only`, (r) => PYTHON_DEBS.forEach((d) => copyDeb(d, r)));
  if (nodeApp) addLayer(layout, bundle, "COPY app /app  # npm ci", (r) => cpSync(nodeApp, join(r, "app"), { recursive: true }));
  addLayer(layout, bundle, "COPY --from=build /usr/bin/docker-registry /usr/bin/", (r) => GO_DEBS.forEach((d) => copyDeb(d, r)));
  addLayer(layout, bundle, "ADD lib/*.jar /opt/app/lib/", (r) => {
    for (const d of JAVA_DEBS) {
      const src = join(debianPackage(d).root, "usr/share/java");
      mkdirSync(join(r, "opt/app/lib"), { recursive: true });
      for (const f of readdirSync(src)) if (f.endsWith(".jar")) cpSync(join(src, f), join(r, "opt/app/lib", f), { dereference: true });
    }
  });
  addLayer(layout, bundle, `RUN gem install rack  # ${RUBY_DEBS.join(" ")}`, (r) => RUBY_DEBS.forEach((d) => copyDeb(d, r)));
  writeFileSync(join(work, ".done"), new Date().toISOString());
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(mixedImage(process.argv[2]));
