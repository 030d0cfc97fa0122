// The web UI's dashboard, images list, image page and admin in a real browser (Debian chromium via
// playwright-core) against `berth server` seeded with the demo dataset, each checked against the
// API's own answer: the dashboard's numbers, the images list's keyset pages, filter and sort (and
// its windowed rendering over 10 000 images), the image page's findings filters and fixed findings,
// and an admin creating and revoking a token that the API then refuses. Every control is labelled,
// and every request stays on the server's origin. Screenshots go to docs/screenshots/.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { SHOTS, openUi, type SeededServer, type UiSession } from "./browser.js";

type Counts = Record<string, number>;
interface Dashboard {
  counts: { images: number; neverScanned: number; runningNotScanned: number; internetExposedWorkloads: number; openFindings: Counts };
  openFindingsSeries: { points: ({ date: string } & Counts)[] };
  meanTimeToFix: { meanDays: number | null; bySeverity: Record<string, number | null> };
  riskiestExposedWorkloads: { cluster: string; namespace: string; name: string; highestSeverity: string | null; images: { digest: string }[] }[];
}
interface ImagesPage {
  total: number;
  items: { digest: string }[];
  nextCursor: string | null;
}
interface Finding {
  id: string;
  severity: string;
  state: string;
  kev?: boolean;
  layer?: { createdBy?: string };
  package: { name: string };
}

let ui: UiSession;
let seeded: SeededServer;
let adminToken: string;
let page: Page;
const apiGet = <T,>(path: string, token?: string): Promise<T> => ui.apiGet<T>(path, token);

/** Every digest of the image list, following the API's cursors. */
async function allImages(params: Record<string, string>): Promise<{ digests: string[]; pages: number }> {
  const digests: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const qs = new URLSearchParams({ ...params, ...(cursor ? { cursor } : {}) });
    const p: ImagesPage = await apiGet<ImagesPage>(`/api/v1/images?${qs.toString()}`);
    digests.push(...p.items.map((i) => i.digest));
    cursor = p.nextCursor;
    pages++;
  } while (cursor);
  return { digests, pages };
}

const shownDigests = () => page.locator("table.images tbody tr[data-digest]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-digest")));
const number = (s: string | null) => Number((s ?? "").replace(/,/g, ""));

/** Inputs, selects and buttons without an accessible name, and tables without caption or label. */
async function unlabelled(): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select, textarea")) {
      if (!(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby"))) bad.push(el.outerHTML.slice(0, 80));
    }
    for (const el of document.querySelectorAll("button")) if (!(el.textContent?.trim() || el.getAttribute("aria-label"))) bad.push(el.outerHTML.slice(0, 80));
    for (const t of document.querySelectorAll("table")) if (!(t.querySelector("caption") || t.getAttribute("aria-label"))) bad.push(`table ${t.className}`);
    return bad;
  });
}

before(async () => {
  ui = await openUi();
  ({ seeded, page } = ui);
  adminToken = (await ui.seeded.server.repos.tokens.create("admin", "ui admin test", new Date())).token;
});

after(async () => {
  await ui?.close();
});

test("the dashboard's numbers are the API's, and a headline count opens its list", async () => {
  await page.goto(`${seeded.server.url}/?token=${encodeURIComponent(seeded.token)}`);
  await page.getByTestId("riskiest").waitFor();
  const api = await apiGet<Dashboard>("/api/v1/dashboard");
  const c = api.counts;
  const open = Object.values(c.openFindings).reduce((a, b) => a + b, 0);
  for (const [key, want] of [
    ["images", c.images],
    ["neverScanned", c.neverScanned],
    ["runningNotScanned", c.runningNotScanned],
    ["internetExposedWorkloads", c.internetExposedWorkloads],
    ["openFindings", open],
  ] as const) {
    assert.equal(number(await page.getByTestId(`count-${key}`).textContent()), want, key);
  }
  // The chart's table fallback: today's row is the API's last point.
  await page.getByText("Show as a table").click();
  const last = api.openFindingsSeries.points.at(-1)!;
  const firstRow = page.getByTestId("series-table").locator("tbody tr").first();
  assert.equal(await firstRow.locator("th").textContent(), last.date);
  const headers = await page.getByTestId("series-table").locator("thead th").allTextContents();
  const cells = await firstRow.locator("td").allTextContents();
  headers.slice(1).forEach((h, i) => assert.equal(number(cells[i]!), last[h.toLowerCase()], `series ${h}`));
  assert.equal(await page.getByTestId("series-table").locator("tbody tr").count(), api.openFindingsSeries.points.length);
  // Mean time to fix per severity.
  for (const [sev, days] of Object.entries(api.meanTimeToFix.bySeverity)) {
    const cell = page.getByTestId("mttf-table").locator(`tr[data-severity="${sev}"] td.num`);
    assert.equal(await cell.textContent(), days === null ? "—" : days.toLocaleString("en-US"), `mttf ${sev}`);
  }
  // The riskiest workloads, in the API's order, each linking to its image pages.
  const rows = page.getByTestId("riskiest").locator("tbody tr");
  assert.deepEqual(
    await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-workload"))),
    api.riskiestExposedWorkloads.map((w) => `${w.cluster}/${w.namespace}/${w.name}`),
  );
  const top = api.riskiestExposedWorkloads[0]!;
  assert.ok(top.highestSeverity);
  assert.equal(await rows.first().locator(".sev").first().textContent(), top.highestSeverity);
  assert.equal(await rows.first().locator(`a[href="/images/${encodeURIComponent(top.images[0]!.digest)}"]`).count(), 1);
  await page.getByText("Show as a table").click();
  await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: false });

  // "Never scanned" opens the explorer on exactly those images.
  await page.getByRole("link", { name: /^Never scanned/ }).click();
  await page.getByTestId("results").waitFor();
  assert.equal(new URL(page.url()).searchParams.get("q"), "image[scanned=false]");
  assert.equal(await page.locator("table.results tbody tr").count(), c.neverScanned);
  // The riskiest workload's path to its repository, in the explorer.
  await page.goBack();
  await page.getByTestId("riskiest").locator("tbody tr").first().getByRole("link", { name: "Path in explorer" }).click();
  await page.getByTestId("results").waitFor();
  assert.match(new URL(page.url()).searchParams.get("q") ?? "", new RegExp(`^internet -> workload\\[.*name=${top.name}\\] -> image -> repository$`));
  assert.ok((await page.locator("table.results tbody tr").count()) > 0);
});

test("the images list pages through the API's cursors, filters and sorts on the server", async () => {
  const seen: string[] = [];
  const onRequest = (r: { url(): string }) => {
    if (new URL(r.url()).pathname === "/api/v1/images") seen.push(r.url());
  };
  page.on("request", onRequest);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Images" }).click();
  await page.getByRole("heading", { name: "Images", level: 1 }).waitFor();
  // Three per page: the list asks for the next page as the window nears the end.
  await page.goto(`${seeded.server.url}/images?limit=3`);
  const api = await allImages({ limit: "3" });
  assert.ok(api.pages >= 3, "the demo spans several pages of three");
  await page.waitForFunction((n) => document.querySelector('[data-testid="images-status"]')?.getAttribute("data-loaded") === String(n), api.digests.length);
  assert.deepEqual(await shownDigests(), api.digests);
  assert.equal(seen.filter((u) => new URL(u).searchParams.get("limit") === "3").length, api.pages);
  assert.equal(seen.filter((u) => new URL(u).searchParams.has("cursor")).length, api.pages - 1);
  page.off("request", onRequest);

  // The filter is the server's q: the rows are its answer, and the URL keeps it.
  await page.getByLabel("Filter", { exact: true }).fill("shop/api");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("q") === "shop/api");
  const filtered = await allImages({ limit: "3", q: "shop/api" });
  assert.ok(filtered.digests.length > 0 && filtered.digests.length < api.digests.length);
  await page.waitForFunction((n) => document.querySelector('[data-testid="images-status"]')?.getAttribute("data-total") === String(n), filtered.digests.length);
  await page.waitForFunction((n) => document.querySelector('[data-testid="images-status"]')?.getAttribute("data-loaded") === String(n), filtered.digests.length);
  assert.deepEqual(await shownDigests(), filtered.digests);

  // Sorting by digest (ascending) is the server's order too.
  await page.getByLabel("Filter", { exact: true }).fill("");
  await page.getByLabel("Sort by").selectOption("digest");
  const byDigest = await allImages({ limit: "3", sort: "digest", order: "asc" });
  await page.waitForFunction(() => new URL(location.href).searchParams.get("sort") === "digest" && !new URL(location.href).searchParams.has("q"));
  await page.waitForFunction((n) => document.querySelector('[data-testid="images-status"]')?.getAttribute("data-loaded") === String(n), byDigest.digests.length);
  assert.deepEqual(await shownDigests(), byDigest.digests);
  assert.deepEqual(byDigest.digests, [...byDigest.digests].sort());
  assert.deepEqual(await unlabelled(), []);

  // A row opens the image page.
  await page.goto(`${seeded.server.url}/images`);
  await page.locator("table.images tbody tr[data-digest]").first().waitFor();
  await page.screenshot({ path: `${SHOTS}/images.png`, fullPage: false });
  const first = (await shownDigests())[0]!;
  await page.locator(`tr[data-digest="${first}"] a`).click();
  await page.getByRole("heading", { name: "Open findings" }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/images/${encodeURIComponent(first)}`);
});

test("the image page: KEV and layer per finding, severity filter and sort, owner, fixed findings", async () => {
  const digest = seeded.seed.featured;
  await page.goto(`${seeded.server.url}/images/${encodeURIComponent(digest)}`);
  await page.getByRole("heading", { name: "Open findings" }).waitFor();
  const api = await apiGet<{ findings: Finding[] }>(`/api/v1/images/${digest}`);
  assert.equal(await page.getByTestId("findings-count").textContent(), String(api.findings.length));
  // The view carries the stored findings' KEV flag and layer command.
  assert.ok(api.findings.every((f) => typeof f.kev === "boolean"));
  assert.ok(api.findings.some((f) => f.layer?.createdBy));
  const layerRow = page.locator(`table.findings tbody tr[data-id="${api.findings.find((f) => f.layer?.createdBy)!.id}"]`).first();
  assert.ok(((await layerRow.locator("td.layer").getAttribute("title")) ?? "").length > 0);
  // Sorted by severity: the first row is the highest severity.
  const order = ["critical", "high", "medium", "low", "negligible", "none", "unknown"];
  const highest = order.find((s) => api.findings.some((f) => f.severity === s))!;
  assert.equal(await page.locator("table.findings tbody tr").first().getAttribute("data-severity"), highest);
  // Filter by severity: only that severity's findings remain.
  const high = api.findings.filter((f) => f.severity === "high");
  assert.ok(high.length > 0);
  await page.getByRole("group", { name: "Filter findings" }).getByRole("button", { name: /^High/ }).click();
  const severities = await page.locator("table.findings tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-severity")));
  assert.deepEqual(severities, high.map(() => "high"));
  await page.getByRole("group", { name: "Filter findings" }).getByRole("button", { name: /^High/ }).click();
  // Sort by package, descending on the second click (aria-sort says so).
  await page.getByRole("button", { name: /^Package/ }).click();
  await page.getByRole("button", { name: /^Package/ }).click();
  assert.equal(await page.locator('th[aria-sort="descending"]').textContent(), "Package ▲");
  const names = api.findings.map((f) => f.package.name).sort((a, b) => b.localeCompare(a));
  assert.equal(await page.locator("table.findings tbody tr td:nth-child(3)").first().textContent().then((t) => t?.split(" ")[0]), names[0]);
  // Fixed findings: what include=fixed adds, with their dates.
  const withFixed = await apiGet<{ findings: Finding[] }>(`/api/v1/images/${digest}?include=fixed`);
  const fixed = withFixed.findings.filter((f) => f.state === "fixed");
  assert.ok(fixed.length > 0, "the featured image has fixed findings");
  await page.waitForFunction((n) => document.querySelector('[data-testid="fixed-count"]')?.textContent === String(n), fixed.length);
  assert.equal(await page.locator("table.fixed-findings tbody tr").count(), Math.min(50, fixed.length));
  assert.equal(await page.locator("table.fixed-findings tbody tr").first().locator("time").count(), 2);
  // The owner is the building repository's CODEOWNERS owner, as the explorer reports it.
  const lineage = await apiGet<{ nodes: Record<string, { type: string; props: { owners?: string[] } }> }>(
    `/api/v1/explore?q=${encodeURIComponent(`image[digest=${digest}] -> pipelinerun -> repository`)}`,
  );
  const owners = Object.values(lineage.nodes).flatMap((n) => (n.type === "repository" ? (n.props.owners ?? []) : []));
  assert.ok(owners.length > 0);
  await page.getByTestId("owners").waitFor();
  for (const o of owners) assert.ok((await page.getByTestId("owners").textContent())?.includes(o), o);
  assert.match((await page.getByTestId("remediation-summary").textContent()) ?? "", /open findings have a fix/);
  assert.deepEqual(await unlabelled(), []);

  // An image with known exploited vulnerabilities: KEV badges, the KEV-only filter, the summary.
  let kevImage: { digest: string; kev: Finding[] } | undefined;
  for (const i of seeded.seed.images) {
    const v = await apiGet<{ findings: Finding[] }>(`/api/v1/images/${i.digest}`);
    const kev = v.findings.filter((f) => f.kev);
    if (kev.length > 0) {
      kevImage = { digest: i.digest, kev };
      break;
    }
  }
  assert.ok(kevImage, "the demo has an image with a KEV finding");
  await page.goto(`${seeded.server.url}/images/${encodeURIComponent(kevImage.digest)}`);
  await page.getByRole("heading", { name: "Open findings" }).waitFor();
  await page.getByLabel("Known exploited (KEV) only").check();
  const kevRows = page.locator("table.findings tbody tr");
  assert.deepEqual((await kevRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-id")))).sort(), kevImage.kev.map((f) => f.id).sort());
  assert.equal(await kevRows.locator(".badge", { hasText: "KEV" }).count(), kevImage.kev.length);
  assert.match((await page.getByTestId("remediation-summary").textContent()) ?? "", new RegExp(`${kevImage.kev.length} known exploited`));
});

test("admin: a token created in the UI is shown once and works; revoked after confirmation, the API refuses it", async () => {
  await page.goto(`${seeded.server.url}/admin?token=${encodeURIComponent(adminToken)}`);
  await page.getByRole("heading", { name: "API tokens" }).waitFor();
  await page.getByLabel("Role").selectOption("ingest");
  await page.getByLabel("Description").fill("ui e2e token");
  await page.getByRole("button", { name: "Create token" }).click();
  const box = page.getByTestId("new-token");
  await box.waitFor();
  const token = await page.getByLabel("New API token").inputValue();
  assert.match(token, /^berth_/);
  const list = await apiGet<{ tokens: { id: number; role: string; description: string | null; revokedAt: string | null }[] }>("/api/v1/admin/tokens", adminToken);
  const made = list.tokens.find((t) => t.description === "ui e2e token");
  assert.ok(made);
  assert.equal(made.role, "ingest");
  assert.equal(made.revokedAt, null);
  assert.match((await box.textContent()) ?? "", new RegExp(`Token #${made.id} \\(ingest\\)`));
  // The shown token is the real one: the API accepts it.
  assert.equal((await fetch(`${seeded.server.url}/api/v1/dashboard`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  await page.getByRole("button", { name: "Done" }).click();
  assert.equal(await page.getByTestId("new-token").count(), 0, "the token is not shown again");

  // Status laid out from /api/v1/admin/status: the clusters and the schema migration.
  const status = await apiGet<{ database: { migration: string }; clusters: { name: string }[] }>("/api/v1/admin/status", adminToken);
  await page.getByTestId("clusters").waitFor();
  assert.deepEqual(await page.getByTestId("clusters").locator("tbody th").allTextContents(), status.clusters.map((c) => c.name));
  assert.ok((await page.getByRole("region", { name: "Database", exact: true }).textContent())?.includes(status.database.migration));
  assert.deepEqual(await unlabelled(), []);
  await page.screenshot({ path: `${SHOTS}/admin.png`, fullPage: false });

  // Revoke: a confirmation first; cancelling keeps the token.
  const row = page.locator(`tr[data-token-id="${made.id}"]`);
  await row.getByRole("button", { name: `Revoke token #${made.id}` }).click();
  await row.getByRole("button", { name: "Cancel" }).click();
  assert.equal((await fetch(`${seeded.server.url}/api/v1/dashboard`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  await row.getByRole("button", { name: `Revoke token #${made.id}` }).click();
  await row.getByRole("group", { name: `Confirm revoking token #${made.id}` }).getByRole("button", { name: "Yes, revoke" }).click();
  await row.waitFor({ state: "detached" });
  const after = await apiGet<{ tokens: { id: number; revokedAt: string | null }[] }>("/api/v1/admin/tokens", adminToken);
  assert.ok(after.tokens.find((t) => t.id === made.id)?.revokedAt);
  assert.equal((await fetch(`${seeded.server.url}/api/v1/dashboard`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
  await page.getByRole("checkbox", { name: /Show revoked/ }).check();
  assert.match((await row.textContent()) ?? "", /revoked/);
});

test("keyboard: the filter, sort and list are reachable with Tab and show a focus ring", async () => {
  await page.goto(`${seeded.server.url}/images`);
  await page.locator("table.images tbody tr[data-digest]").first().waitFor();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Images", exact: true }).focus();
  const reached: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    reached.push(await page.evaluate(() => (document.activeElement?.id || document.activeElement?.getAttribute("data-testid")) ?? ""));
  }
  for (const id of ["images-q", "images-sort", "images-order", "images-list"]) assert.ok(reached.includes(id), `${id} reachable: ${reached.join(", ")}`);
  await page.getByLabel("Sort by").focus();
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  assert.notEqual(outline, "none");
});

test("10 000 images: the list renders only a window of rows and scrolls to the API's last page", async () => {
  const now = Date.parse("2020-01-01T00:00:00Z");
  await seeded.server.repos.store.db.transaction().execute(async (tx) => {
    for (let i = 0; i < 10_000; i++) {
      const digest = `sha256:${createHash("sha256").update(`ui-list-${i}`).digest("hex")}`;
      await seeded.server.repos.images.ensure({ digest, mediaType: "application/vnd.oci.image.manifest.v1+json" }, new Date(now - i * 60_000), tx);
    }
  });
  const api = await allImages({ limit: "500" });
  assert.ok(api.digests.length > 10_000);
  await page.goto(`${seeded.server.url}/images?limit=500`);
  const status = page.getByTestId("images-status");
  await page.waitForFunction((n) => document.querySelector('[data-testid="images-status"]')?.getAttribute("data-total") === String(n), api.digests.length);
  const rendered = () => page.locator("table.images tbody tr[data-digest]").count();
  assert.ok((await rendered()) <= 60, `rendered ${await rendered()} rows`);
  assert.deepEqual((await shownDigests()).slice(0, 5), api.digests.slice(0, 5));
  // Scroll to the end again and again: each end fetches the next page, until all are loaded.
  for (let i = 0; i < 40 && Number(await status.getAttribute("data-loaded")) < api.digests.length; i++) {
    const before = Number(await status.getAttribute("data-loaded"));
    await page.getByTestId("images-list").evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="images-status"]')?.getAttribute("data-loaded")) > n || Number(document.querySelector('[data-testid="images-status"]')?.getAttribute("data-loaded")) === Number(document.querySelector('[data-testid="images-status"]')?.getAttribute("data-total")), before);
  }
  assert.equal(Number(await status.getAttribute("data-loaded")), api.digests.length);
  await page.getByTestId("images-list").evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.waitForFunction((last) => [...document.querySelectorAll("table.images tbody tr[data-digest]")].at(-1)?.getAttribute("data-digest") === last, api.digests.at(-1)!);
  assert.ok((await rendered()) <= 60, `rendered ${await rendered()} rows at the end`);
  // Row indexes for assistive technology follow the whole list, not the window.
  assert.equal(await page.locator("table.images tbody tr[data-digest]").last().getAttribute("aria-rowindex"), String(api.digests.length + 1));
});

test("every request the pages made stayed on the server's origin", () => {
  assert.ok(ui.requests.length > 10);
  assert.deepEqual(ui.foreignRequests(), []);
});
