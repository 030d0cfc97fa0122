import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withLimits } from "../../../util/limits.js";
import { catalogDir, withTempDir } from "../binary/testdata/testkit.js";
import { gradleLockfileCataloger, parseGradleLockfile } from "./gradle.js";

const list = [gradleLockfileCataloger];
const limits = withLimits();

// The layout Gradle (6.0+) writes with `gradle dependencies --write-locks`, per its documentation
// on dependency locking: a header, one sorted line per module, and the empty configurations last.
// (No Gradle that writes this format is packaged in Debian 12, whose gradle is 4.4.)
const LOCKFILE = `# This is a Gradle generated file for dependency locking.
# Manual edits can break the build and are not advised.
# This file is expected to be part of source control.
com.fasterxml.jackson.core:jackson-databind:2.13.3=compileClasspath,runtimeClasspath
com.google.guava:guava:31.1-jre=compileClasspath,runtimeClasspath,testCompileClasspath,testRuntimeClasspath
junit:junit:4.13.2=testCompileClasspath,testRuntimeClasspath
org.hamcrest:hamcrest-core:1.3=integrationTestRuntimeClasspath,testRuntimeClasspath
empty=annotationProcessor,testAnnotationProcessor
`;

test("gradle.lockfile: every locked module, dev when only test configurations lock it", async () => {
  await withTempDir(async (root) => {
    writeFileSync(join(root, "gradle.lockfile"), LOCKFILE);
    mkdirSync(join(root, "gradle/dependency-locks"), { recursive: true });
    writeFileSync(join(root, "gradle/dependency-locks/testRuntimeClasspath.lockfile"), "# legacy per-configuration lock\norg.mockito:mockito-core:4.6.1\n");
    writeFileSync(join(root, "buildscript-gradle.lockfile"), "org.jetbrains.kotlin:kotlin-gradle-plugin:1.7.0=classpath\nempty=\n");
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.unknowns, []);
    assert.deepEqual(
      inv.packages.map((p) => [p.purl, p.dev ?? false, p.locations[0]?.path, p.metadata?.configurations]).sort(),
      [
        ["pkg:maven/org.hamcrest/hamcrest-core@1.3", true, "/gradle.lockfile", "integrationTestRuntimeClasspath,testRuntimeClasspath"],
        ["pkg:maven/com.google.guava/guava@31.1-jre", false, "/gradle.lockfile", "compileClasspath,runtimeClasspath,testCompileClasspath,testRuntimeClasspath"],
        ["pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.3", false, "/gradle.lockfile", "compileClasspath,runtimeClasspath"],
        ["pkg:maven/junit/junit@4.13.2", true, "/gradle.lockfile", "testCompileClasspath,testRuntimeClasspath"],
        ["pkg:maven/org.jetbrains.kotlin/kotlin-gradle-plugin@1.7.0", true, "/buildscript-gradle.lockfile", "classpath"],
        ["pkg:maven/org.mockito/mockito-core@4.6.1", true, "/gradle/dependency-locks/testRuntimeClasspath.lockfile", "testRuntimeClasspath"],
      ].sort(),
    );
    for (const p of inv.packages) assert.deepEqual([p.evidence, p.foundBy, p.direct], ["lockfile", "java-gradle-lockfile", undefined]);
  });
});

test("gradle.lockfile: a line that is not group:artifact:version is an unknown naming the file", async () => {
  assert.throws(() => parseGradleLockfile("com.example:only-two=compileClasspath\n"), /line 1: expected group:artifact:version/);
  await withTempDir(async (root) => {
    writeFileSync(join(root, "gradle.lockfile"), "ok:fine:1.0=runtimeClasspath\nbroken line with spaces\n");
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.packages, []);
    assert.equal(inv.unknowns[0]?.path, "/gradle.lockfile");
    assert.match(inv.unknowns[0]?.message ?? "", /gradle lockfile line 2/);
  });
});
