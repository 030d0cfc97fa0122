import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { maven } from "./maven.js";
import { answers, differential, gen, pairsFrom, requireTool, run, wire, withTempDir, type Gen, SCALE, type Pair } from "./testdata/harness.js";

// Hand-picked edge cases; testdata/maven.tsv holds ComparableVersion's answers for them.
const EDGE: Pair[] = [
  ["1", "1.0"],
  ["1", "1.0.0"],
  ["1.0", "1.0-0"],
  ["1-ga", "1"],
  ["1-final", "1"],
  ["1-release", "1"],
  ["1-GA", "1-final"],
  ["1-alpha", "1-beta"],
  ["1-a1", "1-alpha-1"],
  ["1-b1", "1-beta-1"],
  ["1-m1", "1-milestone-1"],
  ["1-alpha1", "1-alpha-1"],
  ["1-a", "1-alpha"],
  ["1-milestone", "1-rc"],
  ["1-cr1", "1-rc1"],
  ["1-rc", "1-snapshot"],
  ["1-SNAPSHOT", "1"],
  ["1-sp", "1"],
  ["1-sp1", "1-sp"],
  ["1-foo", "1-sp"],
  ["1-foo", "1-bar"],
  ["1-foo", "1.1"],
  ["1.1", "1-1"],
  ["1-1", "1.0.1"],
  ["1-1", "1-sp"],
  ["1.0-1", "1-0.1"],
  ["1.0.RC1", "1.0-RC1"],
  ["1.0.Final", "1.0"],
  ["2.0.0.Final", "2.0.0"],
  ["1.2.3.RELEASE", "1.2.3"],
  ["5.3.20.RELEASE", "5.3.21"],
  ["1.0-jre", "1.0-android"],
  ["31.1-jre", "32.0.0-jre"],
  ["2.13.4.2", "2.13.4"],
  ["2.13.4", "2.13.4.1"],
  ["1.0alpha", "1.0"],
  ["1.0a1", "1.0"],
  ["1.0a1", "1.0-alpha-1"],
  ["1x", "1-x"],
  ["1.x", "1-x"],
  ["1..2", "1.0.2"],
  ["1--2", "1-0-2"],
  ["1.", "1"],
  ["-1", "0-1"],
  [".1", "0.1"],
  ["1.0.0.0.0.0.1", "1"],
  ["01", "1"],
  ["1.0000000000.1", "1.0.1"],
  ["1.999999999", "1.1000000000"],
  ["1.999999999999999999", "1.1000000000000000000"],
  ["1.123456789012345678901234567890", "1.123456789012345678901234567891"],
  ["1-1-1", "1-1.1"],
  ["1-0-1", "1-1"],
  ["1.0-SNAPSHOT", "1.0-rc-SNAPSHOT"],
  ["abc", "ABC"],
  ["abc", "1"],
  ["r1", "1"],
  ["1_2", "1.2"],
  ["1+2", "1.2"],
  ["1.0-é", "1.0-e"],
  ["1.٣", "1.3"],
  ["1.١٠", "1.10"],
];

const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "cr", "snapshot", "SNAPSHOT", "ga", "final", "Final", "release", "RELEASE", "sp", "jre", "android", "foo", "a", "b", "m", "M", "RC", "GA", "dev", "incubating", "x"];

function makeVersion(g: Gen): string {
  let s = g.num();
  const n = g.int(0, 4);
  for (let i = 0; i < n; i++) {
    const sep = g.pick([".", ".", ".", "-", "-", ""]);
    s += sep + (g.chance(0.6) ? g.num() : g.pick(QUALIFIERS) + (g.chance(0.4) ? g.num() : ""));
  }
  if (g.chance(0.15)) s += `-${g.pick(QUALIFIERS)}`;
  if (g.chance(0.02)) s = g.pick(["", ".", "-"]) + s + g.pick(["", ".", "-"]);
  return s;
}

function mutate(g: Gen, v: string): string {
  switch (g.int(0, 9)) {
    case 0:
      return v.replace(/([0-9]+)(?!.*[0-9])/, (d) => String(Number(d) + g.int(0, 1)));
    case 1:
      return `${v}.0`;
    case 2:
      return `${v}-0`;
    case 3:
      return v.replace(/-/, ".");
    case 4:
      return v.replace(/\./, "-");
    case 5:
      return v.toUpperCase();
    case 6:
      return `${v}-${g.pick(QUALIFIERS)}`;
    case 7:
      return v.replace(/[0-9]+/, (d) => `0${d}`);
    case 8:
      return v.replace(/([a-z])-?([0-9])/i, "$1$2");
    default:
      return `${v}${g.pick(["-SNAPSHOT", ".Final", "-ga", "-1", "sp1", "a"])}`;
  }
}

const JAVA_ORACLE = `
import java.io.*;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;
public class Oracle {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    StringBuilder out = new StringBuilder();
    out.append("maven-artifact ").append(ComparableVersion.class.getPackage().getImplementationVersion())
       .append(" on Java ").append(System.getProperty("java.version")).append('\\n');
    String line;
    while ((line = in.readLine()) != null) {
      int i = line.indexOf('\\u001f');
      int c = new ComparableVersion(line.substring(0, i)).compareTo(new ComparableVersion(line.substring(i + 1)));
      out.append(c < 0 ? "<" : c > 0 ? ">" : "=").append('\\n');
    }
    System.out.print(out);
  }
}
`;

const JAR = "/usr/share/maven/lib/maven-artifact-3.x.jar";

test("maven: agrees with Maven's ComparableVersion on edge cases and generated pairs", (t) => {
  requireTool("java", ["-version"], "default-jdk-headless");
  assert.ok(existsSync(JAR), `the differential test needs ${JAR} (Debian package maven: apt-get install -y maven)`);
  let toolVersion = "";
  const g = gen(0x3a7);
  const generated = pairsFrom(g, () => makeVersion(g), (v) => mutate(g, v), 4000, "0123456789.-_abmrcspgfinlAZé").filter(([a, b]) => a !== "" && b !== "");
  const { total, summary } = differential({
    name: "maven",
    scheme: maven,
    tool: "ComparableVersion (maven-artifact)",
    toolVersion: () => toolVersion,
    edgeCases: EDGE,
    generated,
    ask: (pairs) =>
      withTempDir((dir) => {
        const src = join(dir, "Oracle.java");
        writeFileSync(src, JAVA_ORACLE);
        // Java's single-file source launcher compiles and runs the oracle in one JVM.
        const [first = "", ...rest] = run("java", ["-cp", JAR, src], wire(pairs)).split("\n");
        toolVersion = first;
        return answers(rest.join("\n"), pairs.length, "ComparableVersion");
      }),
  });
  t.diagnostic(summary);
  assert.ok(total > 4000 * SCALE);
});

test("maven: every non-empty string is a version; the empty one is refused", () => {
  assert.equal(maven.validate("anything-at_all!"), undefined);
  assert.equal(maven.validate(""), "empty");
});
