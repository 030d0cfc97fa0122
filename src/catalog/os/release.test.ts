import { test } from "node:test";
import assert from "node:assert/strict";
import { detectDistro, parseOsRelease } from "./release.js";

const files = (m: Record<string, string>) => (p: string) => m[p];

test("os-release with quoting and escapes", () => {
  assert.deepEqual(parseOsRelease('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n# c\nNAME=\'x \\"y\\"\'\n'), {
    ID: "debian",
    VERSION_ID: "12",
    PRETTY_NAME: "Debian GNU/Linux 12 (bookworm)",
    NAME: 'x "y"',
  });
});

test("etc/os-release wins over usr/lib/os-release", () => {
  const d = detectDistro(files({ "etc/os-release": "ID=ubuntu\nVERSION_ID=22.04\n", "usr/lib/os-release": "ID=debian\n" }), { hasDpkgStatusD: false });
  assert.equal(d?.id, "ubuntu");
  assert.equal(d?.versionId, "22.04");
});

test("legacy release files", () => {
  assert.deepEqual(detectDistro(files({ "etc/alpine-release": "3.20.1\n" }), { hasDpkgStatusD: false }), { id: "alpine", versionId: "3.20.1" });
  assert.equal(detectDistro(files({ "etc/redhat-release": "CentOS Linux release 7.9.2009 (Core)\n" }), { hasDpkgStatusD: false })?.id, "centos");
  assert.equal(detectDistro(files({ "etc/redhat-release": "Red Hat Enterprise Linux release 8.8 (Ootpa)\n" }), { hasDpkgStatusD: false })?.versionId, "8.8");
  assert.equal(detectDistro(files({ "etc/debian_version": "12.5\n" }), { hasDpkgStatusD: false })?.versionId, "12");
});

test("distroless: no os-release, dpkg status.d with base-files", () => {
  const d = detectDistro(files({}), { hasDpkgStatusD: true, baseFilesVersion: "12.4+deb12u5" });
  assert.equal(d?.id, "debian");
  assert.equal(d?.versionId, "12");
});

test("nothing known: undefined", () => {
  assert.equal(detectDistro(files({}), { hasDpkgStatusD: false }), undefined);
});
