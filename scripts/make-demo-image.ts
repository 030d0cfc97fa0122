// Builds demo/debian-12.oci.tar, the small image `npm start` inventories: the real package
// databases of the Debian 12 test image (os-release, dpkg status, DEP-5 copyright files) in one
// layer, as an OCI archive. Regenerate after changing the test image: `tsx scripts/make-demo-image.ts`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { debianImage } from "../test/support/debian-image.js";
import { tarBytes, writeLayout, type TarEntrySpec } from "../test/support/oci-builder.js";

const img = debianImage();
const entries: TarEntrySpec[] = [
  { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
  { name: "usr/lib/os-release", data: readFileSync(join(img.rootfs, "usr/lib/os-release")) },
  { name: "etc/debian_version", data: readFileSync(join(img.rootfs, "etc/debian_version")) },
  { name: "var/lib/dpkg/status", data: readFileSync(join(img.rootfs, "var/lib/dpkg/status")) },
];
for (const pkg of readdirSync(join(img.rootfs, "usr/share/doc")).sort()) {
  const f = join(img.rootfs, "usr/share/doc", pkg, "copyright");
  if (existsSync(f)) entries.push({ name: `usr/share/doc/${pkg}/copyright`, data: readFileSync(f) });
}
const dir = mkdtempSync(join(tmpdir(), "berth-demo-"));
writeLayout(dir, [{ tar: await tarBytes(entries) }], {
  config: {
    created: "2026-11-01T00:00:00Z",
    config: { Labels: { "org.opencontainers.image.source": "https://github.com/example/berth-demo", "org.opencontainers.image.revision": "4f2c1e0d9b7a" } },
    history: [{ created_by: "debootstrap --variant=minbase --include=openssl,ca-certificates,curl bookworm (package databases only)" }],
  },
});
execFileSync("tar", ["--sort=name", "--mtime=2026-11-01", "--owner=0", "--group=0", "--numeric-owner", "-cf", join(process.cwd(), "demo/debian-12.oci.tar"), "-C", dir, "."]);
console.log("wrote demo/debian-12.oci.tar");
