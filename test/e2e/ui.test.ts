// The web UI in a real browser (Debian chromium driven by playwright-core) against `berth server`
// seeded with the demo dataset: the seeds' query built with the builder's clicks, its table checked
// against the API's answer for the same query, an edge's details (the pipeline run link), the image
// page's findings against the API, the dashboard, and every request the page made same-origin.
// Screenshots go to docs/screenshots/ (used by the README).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { SHOTS, openUi, type SeededServer, type UiSession } from "./browser.js";

interface ExploreAnswer {
  query: string;
  nodes: Record<string, { type: string; id: string; label: string; props: Record<string, unknown> }>;
  paths: { nodes: string[]; edges: { name: string; from: string; to: string; details: Record<string, unknown> }[] }[];
  nextCursor: string | null;
}

let ui: UiSession;
let seeded: SeededServer;
let page: Page;
const apiGet = <T,>(path: string, token?: string): Promise<T> => ui.apiGet<T>(path, token);

before(async () => {
  ui = await openUi();
  ({ seeded, page } = ui);
});

after(async () => {
  await ui?.close();
});

test("the token link signs in and the dashboard renders", async () => {
  await page.goto(`${seeded.server.url}/?token=${encodeURIComponent(seeded.token)}`);
  await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
  // The token left the address bar for sessionStorage.
  assert.equal(new URL(page.url()).search, "");
  assert.equal(await page.evaluate(() => sessionStorage.getItem("berth.token")), seeded.token);
  await page.waitForFunction(() => !document.querySelector('[role="status"]')?.textContent?.includes("Loading"));
});

test("the seeds' query built with clicks shows the API's paths; an edge opens the pipeline run", async () => {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Explorer" }).click();
  await page.getByRole("heading", { name: "Explorer", level: 1 }).waitFor();
  const add = async (label: string) => {
    await page.getByRole("button", { name: "Add a related node type" }).click();
    await page.getByRole("group", { name: "Related node types" }).getByRole("button", { name: label, exact: true }).click();
  };
  await page.getByLabel("Step 1 type").selectOption("internet");
  await add("Workload");
  await add("Container image");
  await page.getByLabel("Add condition to step 3").selectOption("vuln.severity");
  await page.getByLabel("Operator for step 3 vuln.severity").selectOption(">=");
  await page.getByLabel("Value for step 3 vuln.severity").selectOption("high");
  await add("Pipeline run");
  await add("Code repository");
  await page.getByRole("button", { name: "Run query" }).click();
  const results = page.getByTestId("results");
  await results.waitFor();

  const shown = await results.getAttribute("data-query");
  assert.equal(shown, "internet -> workload -> image[vuln.severity>=high] -> pipelinerun -> repository");
  assert.equal(new URL(page.url()).searchParams.get("q"), shown, "the query is in the URL");

  const api = await apiGet<ExploreAnswer>(`/api/v1/explore?q=${encodeURIComponent(shown)}&limit=50`);
  assert.ok(api.paths.length > 0, "the demo has internet-exposed workloads running high-severity images");
  const rows = await page.locator("table.results tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-path")));
  assert.deepEqual(rows, api.paths.map((p) => p.nodes.join(" ")));
  const firstRowLabels = await page.locator("table.results tbody tr").first().locator(".node-chip").allTextContents();
  assert.deepEqual(firstRowLabels, api.paths[0]!.nodes.map((k) => api.nodes[k]!.label));

  // The edge between the pipeline run and the repository: its details name the run's URL.
  const path = api.paths[0]!;
  const built = path.edges.find((e) => e.name === "built");
  assert.ok(built, "a built edge on the path");
  const run = api.nodes[built.from.startsWith("pipelinerun:") ? built.from : built.to]!;
  const runUrl = (built.details.runUrl ?? run.props.runUrl) as string;
  assert.match(runUrl, /^https:\/\//);
  await page.locator(`table.results tbody tr >> nth=0`).locator(`button[data-edge="${built.from}|built|${built.to}"]`).click();
  const panel = page.getByRole("complementary", { name: "Edge: built" });
  await panel.waitFor();
  assert.ok((await panel.locator(`a[href="${runUrl}"]`).count()) > 0, "the run URL is a link in the panel");
  for (const key of ["commit", "actor"]) assert.ok(String(run.props[key] ?? "").length > 0, `pipeline run has ${key}`);
  assert.ok((await panel.textContent())?.includes(String(run.props.commit)), "commit shown");
  await page.screenshot({ path: `${SHOTS}/explorer.png`, fullPage: false });

  // The same result as a graph: one column per step, nodes deduplicated per column.
  await page.getByRole("button", { name: "Close details" }).click();
  await page.getByRole("button", { name: "Graph", exact: true }).click();
  const columns = path.nodes.length;
  const perColumn = Array.from({ length: columns }, (_, i) => new Set(api.paths.map((p) => p.nodes[i])).size);
  assert.equal(await page.locator("svg.graph g.node").count(), perColumn.reduce((a, b) => a + b, 0));
  await page.screenshot({ path: `${SHOTS}/explorer-graph.png`, fullPage: false });
  await page.getByRole("button", { name: "Table", exact: true }).click();
});

test("an image node leads to the image page, whose findings match the API", async () => {
  const imageKey = (await page.locator("table.results tbody tr").first().getAttribute("data-path"))!.split(" ").find((k) => k.startsWith("image:"))!;
  const digest = imageKey.slice("image:".length);
  await page.locator("table.results tbody tr").first().locator(`button.node-chip[title="${imageKey}"]`).click();
  await page.getByRole("complementary").getByRole("link", { name: "Open image page" }).click();
  await page.getByRole("heading", { name: "Open findings" }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/images/${encodeURIComponent(digest)}`);
  const api = await apiGet<{ findings: unknown[] }>(`/api/v1/images/${digest}`);
  assert.ok(api.findings.length > 0);
  assert.equal(await page.getByTestId("findings-count").textContent(), String(api.findings.length));
  assert.equal(await page.locator("table.findings tbody tr").count(), Math.min(api.findings.length, 200));
  // The fixed findings section lists what the API's include=fixed answer adds.
  const withFixed = await apiGet<{ findings: { state: string }[] }>(`/api/v1/images/${digest}?include=fixed`);
  const fixed = withFixed.findings.filter((f) => f.state === "fixed").length;
  await page.waitForFunction((n) => document.querySelector('[data-testid="fixed-count"]')?.textContent === String(n), fixed);
  // Lineage came from explorer queries: the repository that built it is listed.
  await page.locator(".lineage-col").first().locator("li").first().waitFor();
  await page.screenshot({ path: `${SHOTS}/image.png`, fullPage: false });
});

test("the SBOM and SARIF downloads answer with the stored inventory and findings", async () => {
  const digest = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
  const sbom = await apiGet<{ bomFormat: string; components: unknown[] }>(`/api/v1/images/${digest}/sbom?format=cyclonedx`);
  assert.equal(sbom.bomFormat, "CycloneDX");
  assert.ok(sbom.components.length > 10);
  const spdx = await apiGet<{ spdxVersion: string }>(`/api/v1/images/${digest}/sbom?format=spdx`);
  assert.equal(spdx.spdxVersion, "SPDX-2.3");
  const sarif = await apiGet<{ version: string; runs: { results: unknown[] }[] }>(`/api/v1/images/${digest}/sarif`);
  assert.equal(sarif.version, "2.1.0");
  assert.ok((sarif.runs[0]?.results.length ?? 0) > 0);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "SBOM (CycloneDX)" }).click();
  assert.match((await download).suggestedFilename(), /\.cdx\.json$/);
});

test("keyboard: the builder's + menu opens and picks with Enter", async () => {
  await page.goto(`${seeded.server.url}/explorer`);
  await page.getByLabel("Step 1 type").selectOption("workload");
  await page.getByRole("button", { name: "Add a related node type" }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowDown");
  const focused = await page.evaluate(() => document.activeElement?.textContent ?? "");
  await page.keyboard.press("Enter");
  await page.getByRole("listitem", { name: new RegExp(`^Step 2: ${focused}$`) }).waitFor();
});

test("every request the page made stayed on the server's origin", () => {
  assert.ok(ui.requests.length > 5);
  assert.deepEqual(ui.foreignRequests(), []);
});
