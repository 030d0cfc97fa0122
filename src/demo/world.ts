// The demo's made-up organisation ("acme-demo"): its code repositories and CI, the images they
// built, and where those images run. Only this file is invented; inventories and advisories are
// real (inventory.ts). Times are days before the seed's clock, so the data always looks recent.

export const DEMO_REGISTRY = "registry.acme-demo.example";

export interface DemoRepo {
  readonly key: string;
  readonly url: string;
  readonly provider: "github" | "gitlab" | "azure";
  readonly workflow: string;
  readonly codeowners: string;
  /** Run URL for a run id. */
  readonly runUrl: (runId: string) => string;
}

export const DEMO_REPOS: readonly DemoRepo[] = [
  {
    key: "base",
    url: "https://github.com/acme-demo/base-images",
    provider: "github",
    workflow: ".github/workflows/base.yml",
    codeowners: "# Base images are the platform team's\n* @acme-demo/platform\n",
    runUrl: (id) => `https://github.com/acme-demo/base-images/actions/runs/${id}`,
  },
  {
    key: "shop",
    url: "https://github.com/acme-demo/shop-api",
    provider: "github",
    workflow: ".github/workflows/release.yml",
    codeowners: "* @acme-demo/payments @maria-lopez\n/deploy/ @acme-demo/platform\n*.md @acme-demo/docs\n",
    runUrl: (id) => `https://github.com/acme-demo/shop-api/actions/runs/${id}`,
  },
  {
    key: "storefront",
    url: "https://gitlab.com/acme-demo/storefront",
    provider: "gitlab",
    workflow: ".gitlab-ci.yml",
    codeowners: "* @acme-demo/web-team\n/charts/ @kenji.tanaka\n",
    runUrl: (id) => `https://gitlab.com/acme-demo/storefront/-/pipelines/${id}`,
  },
  {
    key: "batch",
    url: "https://dev.azure.com/acme-demo/platform/batch-worker",
    provider: "azure",
    workflow: "azure-pipelines.yml",
    codeowners: "* @acme-demo/data-eng\n",
    runUrl: (id) => `https://dev.azure.com/acme-demo/platform/_build/results?buildId=${id}`,
  },
  {
    key: "reports",
    url: "https://github.com/acme-demo/reports",
    provider: "github",
    workflow: ".github/workflows/ci.yml",
    codeowners: "* @acme-demo/finance-tools\n",
    runUrl: (id) => `https://github.com/acme-demo/reports/actions/runs/${id}`,
  },
];

/** How an image's inventory is made from the real base (inventory.ts). */
export type DemoRecipe =
  /** The bundled image itself. */
  | { readonly kind: "base" }
  /** The base with Debian packages as shipped on `debianAsOf` (ISO date; omitted: as bundled), plus an app's lockfile packages with some versions changed. */
  | { readonly kind: "derived"; readonly debianAsOf?: string; readonly app?: { readonly name: string; readonly versions?: Readonly<Record<string, string>> } }
  /** Pushed, never scanned (no inventory). */
  | { readonly kind: "unscanned" };

export interface DemoBuild {
  readonly key: string;
  readonly repo: string;
  /** Registry repository under DEMO_REGISTRY. */
  readonly image: string;
  readonly tags: readonly string[];
  readonly daysAgo: number;
  readonly runId: string;
  readonly commit: string;
  readonly ref: string;
  readonly actor: string;
  readonly event: string;
  readonly recipe: DemoRecipe;
  /**
   * Demo shortcut for "mean time to fix": the store marks a finding fixed when a later scan of the
   * same image no longer reports it. The demo records this for one image by rescanning it, `daysAgo`
   * days before the clock, with this recipe's inventory (a patched rebuild pushed under the same digest
   * is not something a registry does; in real use fixes arrive as advisory corrections and VEX).
   */
  readonly patchedLater?: { readonly daysAgo: number; readonly recipe: DemoRecipe };
  /** Rescanned on the seed day against the full advisory set (false: its last scan is its first). */
  readonly rescanned: boolean;
}

export const DEMO_BUILDS: readonly DemoBuild[] = [
  { key: "base-12", repo: "base", image: "base/debian", tags: ["12"], daysAgo: 58, runId: "8812300417", commit: "4f1c2a9be07d3e5a6c8b9d0e1f2a3b4c5d6e7f80", ref: "refs/heads/main", actor: "platform-bot", event: "schedule", recipe: { kind: "base" }, rescanned: true },
  {
    key: "shop-api-1.4.0",
    repo: "shop",
    image: "shop/api",
    tags: ["1.4.0"],
    daysAgo: 52,
    runId: "8790012345",
    commit: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    ref: "refs/tags/v1.4.0",
    actor: "maria-lopez",
    event: "push",
    recipe: { kind: "derived", debianAsOf: "2024-09-01", app: { name: "shop-api", versions: { lodash: "4.17.15" } } },
    patchedLater: { daysAgo: 27, recipe: { kind: "derived", debianAsOf: "2025-03-01", app: { name: "shop-api" } } },
    rescanned: true,
  },
  {
    key: "storefront-2.3.1",
    repo: "storefront",
    image: "web/storefront",
    tags: ["2.3.1", "stable"],
    daysAgo: 40,
    runId: "1598876543",
    commit: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807",
    ref: "main",
    actor: "kenji.tanaka",
    event: "push",
    recipe: { kind: "derived", debianAsOf: "2023-09-15", app: { name: "shop-api", versions: { lodash: "4.17.15", minimist: "1.2.5" } } },
    rescanned: true,
  },
  {
    key: "batch-worker-0.9.2",
    repo: "batch",
    image: "jobs/batch-worker",
    tags: ["0.9.2"],
    daysAgo: 45,
    runId: "20451",
    commit: "0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6",
    ref: "refs/heads/main",
    actor: "Priya Nair",
    event: "IndividualCI",
    recipe: { kind: "derived", debianAsOf: "2024-06-01" },
    rescanned: false,
  },
  {
    key: "reports-0.3.0",
    repo: "reports",
    image: "tools/report",
    tags: ["0.3.0"],
    daysAgo: 57,
    runId: "8801234001",
    commit: "5a5b5c5d5e5f60616263646566676869707172ab",
    ref: "refs/heads/main",
    actor: "tom-becker",
    event: "push",
    recipe: { kind: "derived", debianAsOf: "2023-07-01" },
    rescanned: false,
  },
  {
    key: "shop-api-1.5.0",
    repo: "shop",
    image: "shop/api",
    tags: ["1.5.0", "latest"],
    daysAgo: 9,
    runId: "8931187766",
    commit: "b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80",
    ref: "refs/tags/v1.5.0",
    actor: "dependabot[bot]",
    event: "push",
    recipe: { kind: "derived", app: { name: "shop-api", versions: { lodash: "4.17.21", minimist: "1.2.6" } } },
    rescanned: true,
  },
  {
    key: "shop-api-1.6.0-rc.1",
    repo: "shop",
    image: "shop/api",
    tags: ["1.6.0-rc.1"],
    daysAgo: 1,
    runId: "8950001122",
    commit: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00",
    ref: "refs/heads/release/1.6",
    actor: "maria-lopez",
    event: "workflow_dispatch",
    recipe: { kind: "unscanned" },
    rescanned: false,
  },
];

/** A workload of the demo clusters, running one build. */
export interface DemoWorkload {
  readonly cluster: string;
  readonly namespace: string;
  readonly kind: "Deployment" | "StatefulSet";
  readonly name: string;
  readonly build: string;
  readonly replicas: number;
  /** How it is reached from outside. */
  readonly exposure?: { readonly via: "ingress"; readonly host: string } | { readonly via: "loadBalancer"; readonly address: string } | { readonly via: "internalLoadBalancer"; readonly address: string };
  /** Present in the older snapshot only: the workload was removed since (aged out). */
  readonly removedDaysAgo?: number;
}

export const DEMO_CLUSTERS = ["prod-eu-1", "staging-us-1"] as const;

export const DEMO_WORKLOADS: readonly DemoWorkload[] = [
  { cluster: "prod-eu-1", namespace: "shop", kind: "Deployment", name: "shop-api", build: "shop-api-1.4.0", replicas: 3, exposure: { via: "ingress", host: "api.shop.acme-demo.example" } },
  { cluster: "prod-eu-1", namespace: "web", kind: "Deployment", name: "storefront", build: "storefront-2.3.1", replicas: 4, exposure: { via: "loadBalancer", address: "203.0.113.24" } },
  { cluster: "prod-eu-1", namespace: "jobs", kind: "StatefulSet", name: "batch-worker", build: "batch-worker-0.9.2", replicas: 2, exposure: { via: "internalLoadBalancer", address: "10.20.0.15" } },
  { cluster: "prod-eu-1", namespace: "platform", kind: "Deployment", name: "debug-shell", build: "base-12", replicas: 1 },
  { cluster: "staging-us-1", namespace: "staging", kind: "Deployment", name: "shop-api", build: "shop-api-1.5.0", replicas: 1, exposure: { via: "ingress", host: "api.staging.acme-demo.example" } },
  { cluster: "staging-us-1", namespace: "staging", kind: "Deployment", name: "storefront", build: "storefront-2.3.1", replicas: 1 },
  { cluster: "staging-us-1", namespace: "tools", kind: "Deployment", name: "report-generator", build: "reports-0.3.0", replicas: 1, removedDaysAgo: 12 },
];
