import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withLimits } from "../../../util/limits.js";
import { debianPackage } from "../../../../test/support/debian-debs.js";
import { catalogDir, tool, toolBytes, withTempDir } from "../binary/testdata/testkit.js";
import { parsePom, pomCataloger } from "./pom.js";

const list = [pomCataloger];
const limits = withLimits();

/** Python's xml.etree reading of project/dependencies/dependency: [groupId, artifactId, version, scope]. */
function etreeDependencies(file: string): string[][] {
  const script = `import json, sys, xml.etree.ElementTree as ET
ns = {"m": "http://maven.apache.org/POM/4.0.0"}
root = ET.parse(sys.argv[1]).getroot()
out = []
for d in root.findall("m:dependencies/m:dependency", ns):
    out.append([(d.findtext("m:" + k, default="", namespaces=ns) or "").strip() for k in ("groupId", "artifactId", "version", "scope")])
print(json.dumps(out))`;
  return JSON.parse(tool("python3", ["-c", script, file], { aptPackage: "python3" }).stdout) as string[][];
}

test("pom.xml: dependencies of real POMs (shipped in Debian's jars and maven-repo) as Python's xml.etree reads them", async () => {
  const lang3 = join(debianPackage("libcommons-lang3-java").root, "usr/share/java/commons-lang3.jar");
  const simple = join(debianPackage("libslf4j-java").root, "usr/share/maven-repo/org/slf4j/slf4j-simple/1.7.32/slf4j-simple-1.7.32.pom");
  await withTempDir(async (root) => {
    mkdirSync(join(root, "lang3"));
    writeFileSync(join(root, "lang3", "pom.xml"), toolBytes("unzip", ["-p", lang3, "META-INF/maven/org.apache.commons/commons-lang3/pom.xml"], "unzip"));
    mkdirSync(join(root, "simple"));
    writeFileSync(join(root, "simple", "pom.xml"), toolBytes("cat", [simple], "coreutils"));
    const inv = await catalogDir(root, list, limits);
    assert.deepEqual(inv.unknowns, []);
    for (const dir of ["lang3", "simple"]) {
      const truth = etreeDependencies(join(root, dir, "pom.xml"));
      assert.ok(truth.length > 0, dir);
      const ours = inv.packages.filter((p) => p.locations[0]?.path === `/${dir}/pom.xml`);
      const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
      assert.deepEqual(sorted(ours.map((p) => [p.metadata?.groupId, p.name, p.version, p.metadata?.scope ?? ""])), sorted(truth), dir);
      for (const p of ours) {
        assert.deepEqual([p.evidence, p.foundBy, p.direct], ["manifest", "java-pom", true]);
        assert.equal(p.dev, p.metadata?.scope === "test" ? true : undefined);
      }
    }
    // slf4j-simple takes slf4j-api's version from its parent POM, which is not read.
    const api = inv.packages.find((p) => p.name === "slf4j-api")!;
    assert.deepEqual([api.version, api.purl], ["", "pkg:maven/org.slf4j/slf4j-api"]);
    assert.match(api.metadata?.versionUnresolved ?? "", /managed by a parent POM or an imported BOM, which are not read/);
  });
});

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a POM exercising property resolution -->
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>com.example</groupId>
    <artifactId>parent</artifactId>
    <version>7</version>
  </parent>
  <artifactId>app</artifactId>
  <version>1.4.0</version>
  <properties>
    <jackson.version>2.13.3</jackson.version>
    <jackson.databind.version>\${jackson.version}</jackson.databind.version>
    <netty.version>4.1.77.Final</netty.version>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency><groupId>io.netty</groupId><artifactId>netty-handler</artifactId><version>\${netty.version}</version></dependency>
      <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-dependencies</artifactId><version>2.7.0</version><type>pom</type><scope>import</scope></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>\${jackson.databind.version}</version></dependency>
    <dependency><groupId>\${project.groupId}</groupId><artifactId>app-core</artifactId><version>\${project.version}</version></dependency>
    <dependency><groupId>io.netty</groupId><artifactId>netty-handler</artifactId></dependency>
    <dependency><groupId>org.springframework</groupId><artifactId>spring-core</artifactId><version>\${spring.version}</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version><scope>test</scope></dependency>
    <dependency><groupId>javax.servlet</groupId><artifactId>servlet-api</artifactId><version>2.5</version><scope>provided</scope><optional>true</optional></dependency>
    <dependency><groupId>org.lwjgl</groupId><artifactId>lwjgl</artifactId><version>3.3.1</version><classifier>natives-linux</classifier></dependency>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>[30.0,32.0)</version></dependency>
    <dependency><groupId>a&amp;b</groupId><artifactId><![CDATA[odd]]></artifactId><version>1.0</version></dependency>
  </dependencies>
  <build><plugins><plugin><artifactId>maven-jar-plugin</artifactId><version>3.3.0</version></plugin></plugins></build>
</project>
`;

test("pom.xml: ${…} from the same POM's properties and coordinates, dependencyManagement, scopes; what is left unresolved says why", () => {
  const pom = parsePom(POM);
  assert.deepEqual([pom.groupId, pom.artifactId, pom.version], ["com.example", "app", "1.4.0"]);
  assert.deepEqual(
    pom.dependencies.map((d) => [d.groupId, d.artifactId, d.version ?? null, d.unresolved ?? null]),
    [
      ["com.fasterxml.jackson.core", "jackson-databind", "2.13.3", null],
      ["com.example", "app-core", "1.4.0", null],
      ["io.netty", "netty-handler", "4.1.77.Final", null],
      ["org.springframework", "spring-core", null, "${spring.version} is not defined in this pom.xml (parent POMs are not read)"],
      ["junit", "junit", "4.13.2", null],
      ["javax.servlet", "servlet-api", "2.5", null],
      ["org.lwjgl", "lwjgl", "3.3.1", null],
      ["com.google.guava", "guava", null, "version range [30.0,32.0) is not resolved"],
      ["a&b", "odd", "1.0", null],
    ],
  );
});

test("pom.xml: packages, purls with classifiers, dev for test scope", async () => {
  await withTempDir(async (root) => {
    writeFileSync(join(root, "pom.xml"), POM);
    const inv = await catalogDir(root, list, limits);
    const by = new Map(inv.packages.map((p) => [p.name, p]));
    assert.equal(by.get("lwjgl")?.purl, "pkg:maven/org.lwjgl/lwjgl@3.3.1?classifier=natives-linux");
    assert.equal(by.get("junit")?.dev, true);
    assert.deepEqual(by.get("servlet-api")?.metadata, { groupId: "javax.servlet", scope: "provided", optional: "true" });
    assert.equal(by.get("spring-core")?.metadata?.versionUnresolved, "${spring.version}: ${spring.version} is not defined in this pom.xml (parent POMs are not read)");
  });
});

test("pom.xml: malformed or hostile XML becomes an unknown naming the file", async () => {
  const cases: [string, string, RegExp][] = [
    ["unclosed", "<project><dependencies></project>", /end tag <\/project> does not match <dependencies>/],
    ["doctype", '<?xml version="1.0"?><!DOCTYPE project [<!ENTITY a "aaaa">]><project/>', /DOCTYPE internal subset/],
    ["not-a-pom", "<settings/>", /root element is <settings>, not <project>/],
    ["deep", `<project>${"<a>".repeat(100)}${"</a>".repeat(100)}</project>`, /nested deeper than 64 elements/],
    ["no-artifact", "<project><dependencies><dependency><groupId>g</groupId></dependency></dependencies></project>", /without <groupId> or <artifactId>/],
    ["text", "just text", /no root element/],
  ];
  await withTempDir(async (root) => {
    for (const [name, text] of cases) {
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, "pom.xml"), text);
    }
    const inv = await catalogDir(root, list, limits);
    for (const [name, , message] of cases) {
      const u = inv.unknowns.find((x) => x.path === `/${name}/pom.xml`);
      assert.ok(u, name);
      assert.equal(u.cataloger, "java-pom");
      assert.match(u.message, message, name);
    }
  });
});
