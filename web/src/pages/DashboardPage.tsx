// The dashboard (GET /api/v1/dashboard): headline counts that open the matching list, open findings
// by severity over time, mean time to fix, the riskiest internet-exposed workloads, recent scans and
// registry events. Sections this build does not know are still shown (generic.tsx), so a newer
// server's additions are not hidden.
import { useMemo, useState } from "react";
import { ApiError } from "../api.js";
import { ErrorBox, Link, Loading, RelTime, SEVERITY_ORDER, SeverityBadge, SeverityCounts, keyLabel, shortDigest, toggled } from "../components.js";
import { imagePath } from "../router.js";
import { useApi } from "../use-api.js";
import { Section } from "./generic.js";

type Counts = Record<string, number>;

interface DashboardView {
  generatedAt: string;
  counts: {
    images: number;
    scanned: number;
    neverScanned: number;
    running: number;
    runningNotScanned: number;
    staleDays: number;
    internetExposedWorkloads: number;
    openFindings: Counts;
  };
  openFindingsSeries: { days: number; points: ({ date: string } & Counts)[] };
  meanTimeToFix: { windowDays: number; fixedFindings: number; meanDays: number | null; bySeverity: Record<string, number | null> };
  riskiestExposedWorkloads: {
    id: number;
    cluster: string;
    namespace: string;
    kind: string;
    name: string;
    highestSeverity: string | null;
    openFindings: Counts;
    routes: string[];
    images: { digest: string; registryRepository: string | null; sourceRepository: string | null; openFindings: Counts }[];
  }[];
  recentScans: { digest: string; name: string | null; scannedAt: string; scanStatus: string; distro: string | null; openFindings: Counts }[];
  recentEvents: { at: string; action: string; host: string; repository: string; tag: string | null; digest: string | null; actor: string | null }[];
}

const KNOWN = new Set(["generatedAt", "counts", "openFindingsSeries", "meanTimeToFix", "riskiestExposedWorkloads", "recentScans", "recentEvents"]);

/** A query value in the explorer's text form: always quoted, so names with any character stay one value. */
function qv(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function explorerLink(query: string): string {
  return `/explorer?q=${encodeURIComponent(query)}`;
}

function Headline({ d }: { d: DashboardView }) {
  const c = d.counts;
  const open = Object.values(c.openFindings).reduce((a, b) => a + b, 0);
  const tiles: { key: string; label: string; value: number; to: string; hint: string; tone?: "bad" }[] = [
    { key: "images", label: "Images", value: c.images, to: "/images", hint: `${c.scanned.toLocaleString()} scanned` },
    { key: "neverScanned", label: "Never scanned", value: c.neverScanned, to: explorerLink("image[scanned=false]"), hint: "no inventory yet", ...(c.neverScanned > 0 ? { tone: "bad" as const } : {}) },
    {
      key: "runningNotScanned",
      label: `Running, not scanned in ${c.staleDays} d`,
      value: c.runningNotScanned,
      to: explorerLink(`workload -> image[scannedAt<now-${c.staleDays}d]`),
      hint: `of ${c.running.toLocaleString()} running`,
      ...(c.runningNotScanned > 0 ? { tone: "bad" as const } : {}),
    },
    {
      key: "internetExposedWorkloads",
      label: "Internet-exposed workloads",
      value: c.internetExposedWorkloads,
      to: explorerLink("internet -> workload -> image"),
      hint: "reachable via a Service or Ingress",
    },
    { key: "openFindings", label: "Open findings", value: open, to: explorerLink("image[vuln.count>0]"), hint: `${(c.openFindings.critical ?? 0).toLocaleString()} critical, ${(c.openFindings.high ?? 0).toLocaleString()} high` },
  ];
  return (
    <section aria-label="Headline counts">
      <ul className="tiles">
        {tiles.map((t) => (
          <li key={t.key}>
            <Link to={t.to} className={`tile${t.tone ? ` tile-${t.tone}` : ""}`}>
              <span className="tile-label">{t.label}</span>
              <span className="tile-value" data-testid={`count-${t.key}`}>
                {t.value.toLocaleString()}
              </span>
              <span className="tile-hint">{t.hint}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

const SEV_KEYS = SEVERITY_ORDER.filter((s) => s !== "negligible");
const UNRATED = new Set(["none", "unknown"]);

/** Open findings per day, stacked by severity, with a legend that hides or shows each severity. */
function FindingsChart({ series }: { series: DashboardView["openFindingsSeries"] }) {
  const points = series.points;
  const keys = SEV_KEYS.filter((k) => points.some((p) => typeof p[k] === "number"));
  // Unrated findings often outnumber rated ones by far; start with them hidden when there is
  // anything rated to look at, so the critical and high bars stay visible.
  const [hidden, setHidden] = useState<Set<string>>(() => {
    const anyRated = points.some((p) => keys.some((k) => !UNRATED.has(k) && (p[k] ?? 0) > 0));
    return new Set(anyRated ? keys.filter((k) => UNRATED.has(k)) : []);
  });
  const shown = keys.filter((k) => !hidden.has(k));
  const max = Math.max(1, ...points.map((p) => shown.reduce((s, k) => s + (p[k] ?? 0), 0)));
  const last = points.at(-1);
  const W = 640;
  const H = 150;
  const L = 40; // room for the y axis labels
  const slot = (W - L) / Math.max(1, points.length);
  const bw = Math.max(1, slot - 2);
  const ticks = [0, Math.round(max / 2), max];
  const toggle = (k: string) => setHidden((h) => toggled(h, k));
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H + 22}`} className="chart-svg" role="img" aria-label={`Open findings per day over ${series.days} days, stacked by severity; today ${shown.map((k) => `${k} ${last?.[k] ?? 0}`).join(", ")}`}>
        {ticks.map((t) => {
          const y = H - (t / max) * (H - 6);
          return (
            <g key={t}>
              <line x1={L} x2={W} y1={y} y2={y} className="grid" />
              <text x={L - 6} y={y + 3} textAnchor="end" className="axis">
                {t.toLocaleString()}
              </text>
            </g>
          );
        })}
        {points.map((p, i) => {
          let y = H;
          return (
            <g key={p.date}>
              <title>{`${p.date}: ${shown.map((k) => `${k} ${p[k] ?? 0}`).join(", ")}`}</title>
              {shown.map((k) => {
                const h = ((p[k] ?? 0) / max) * (H - 6);
                y -= h;
                return h > 0 ? <rect key={k} x={L + i * slot + 1} y={y} width={bw} height={h} className={`fill-${k}`} /> : null;
              })}
            </g>
          );
        })}
        <text x={L} y={H + 16} className="axis">
          {points[0]?.date}
        </text>
        <text x={W} y={H + 16} textAnchor="end" className="axis">
          {last?.date}
        </text>
      </svg>
      <figcaption className="legend" aria-label="Severities shown">
        {keys.map((k) => (
          <button key={k} type="button" className="legend-item" aria-pressed={!hidden.has(k)} onClick={() => toggle(k)} title={hidden.has(k) ? `Show ${k}` : `Hide ${k}`}>
            <span className={`swatch fill-${k}`} aria-hidden="true" /> {keyLabel(k)} <span className="muted">{(last?.[k] ?? 0).toLocaleString()}</span>
          </button>
        ))}
      </figcaption>
      <details className="table-fallback">
        <summary>Show as a table</summary>
        <div className="table-wrap short">
          <table data-testid="series-table">
            <caption className="sr-only">Open findings per day by severity</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                {keys.map((k) => (
                  <th key={k} scope="col" className="num">
                    {keyLabel(k)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...points].reverse().map((p) => (
                <tr key={p.date}>
                  <th scope="row">{p.date}</th>
                  {keys.map((k) => (
                    <td key={k} className="num">
                      {(p[k] ?? 0).toLocaleString()}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

function MeanTimeToFix({ m }: { m: DashboardView["meanTimeToFix"] }) {
  const rows = SEV_KEYS.filter((k) => k in m.bySeverity);
  const max = Math.max(1, ...rows.map((k) => m.bySeverity[k] ?? 0));
  return (
    <>
      <p className="muted small">
        Days from first seen to fixed, over the {m.fixedFindings.toLocaleString()} findings fixed in the last {m.windowDays} days.
      </p>
      <p className="mttf-overall">
        <span className="tile-value" data-testid="mttf-overall">
          {m.meanDays === null ? "—" : m.meanDays.toLocaleString()}
        </span>{" "}
        {m.meanDays === null ? "no fixes in the window" : "days on average"}
      </p>
      <table className="mttf" data-testid="mttf-table">
        <caption className="sr-only">Mean time to fix per severity, in days</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col" className="num">
              Days
            </th>
            <th scope="col">
              <span className="sr-only">Bar</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((k) => {
            const v = m.bySeverity[k] ?? null;
            return (
              <tr key={k} data-severity={k}>
                <th scope="row">
                  <SeverityBadge severity={k} />
                </th>
                <td className="num">{v === null ? <span className="muted">—</span> : v.toLocaleString()}</td>
                <td className="bar-cell" aria-hidden="true">
                  {v !== null ? <span className={`hbar fill-${k}`} style={{ width: `${Math.max(2, (v / max) * 100)}%` }} /> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** The explorer path from one exposed workload to the code repositories its images were built from. */
function workloadToRepositories(w: DashboardView["riskiestExposedWorkloads"][number]): string {
  return `internet -> workload[cluster=${qv(w.cluster)},namespace=${qv(w.namespace)},name=${qv(w.name)}] -> image -> repository`;
}

function RiskiestWorkloads({ rows }: { rows: DashboardView["riskiestExposedWorkloads"] }) {
  if (rows.length === 0) return <p className="muted">No internet-exposed workloads in the connected clusters.</p>;
  return (
    <div className="table-wrap">
      <table className="riskiest" data-testid="riskiest">
        <caption className="sr-only">Internet-exposed workloads, highest open severity first</caption>
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Highest</th>
            <th scope="col">Open findings</th>
            <th scope="col">Route from the internet</th>
            <th scope="col">Images</th>
            <th scope="col">Fix at</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((w) => (
            <tr key={w.id} data-workload={`${w.cluster}/${w.namespace}/${w.name}`}>
              <th scope="row">
                <span className="muted small">
                  {w.cluster} / {w.namespace} /
                </span>{" "}
                <strong>{w.name}</strong>
                <div className="muted small">{w.kind}</div>
              </th>
              <td>{w.highestSeverity ? <SeverityBadge severity={w.highestSeverity} /> : <span className="muted">none</span>}</td>
              <td>
                <SeverityCounts counts={w.openFindings} />
              </td>
              <td className="small route">
                {w.routes[0] ?? <span className="muted">—</span>}
                {w.routes.length > 1 ? <div className="muted">+{w.routes.length - 1} more</div> : null}
              </td>
              <td className="small">
                <ul className="plain">
                  {w.images.map((i) => (
                    <li key={i.digest}>
                      <Link to={imagePath(i.digest)}>{i.registryRepository ?? shortDigest(i.digest)}</Link>
                    </li>
                  ))}
                </ul>
              </td>
              <td className="small">
                {[...new Set(w.images.map((i) => i.sourceRepository).filter((s): s is string => s !== null))].map((r) => (
                  <div key={r} className="mono-wrap">
                    {r.replace(/^https?:\/\//, "")}
                  </div>
                ))}
                <Link to={explorerLink(workloadToRepositories(w))}>Path in explorer</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RecentScans({ rows, now }: { rows: DashboardView["recentScans"]; now: number }) {
  if (rows.length === 0) return <p className="muted">No scans yet.</p>;
  return (
    <ul className="plain feed" data-testid="recent-scans">
      {rows.map((s) => (
        <li key={s.digest}>
          <div className="feed-main">
            <Link to={imagePath(s.digest)}>{s.name ?? shortDigest(s.digest)}</Link>
            <SeverityCounts counts={s.openFindings} />
          </div>
          <div className="muted small">
            {s.scanStatus} <RelTime value={s.scannedAt} now={now} />
            {s.distro ? ` · ${s.distro}` : ""}
          </div>
        </li>
      ))}
    </ul>
  );
}

function RecentEvents({ rows, now }: { rows: DashboardView["recentEvents"]; now: number }) {
  if (rows.length === 0) return <p className="muted">No registry events yet.</p>;
  return (
    <ul className="plain feed" data-testid="recent-events">
      {rows.map((e, i) => {
        const ref = `${e.host}/${e.repository}${e.tag ? `:${e.tag}` : ""}`;
        return (
          <li key={i}>
            <div className="feed-main">
              <span className={`action action-${e.action}`}>{e.action}</span> {e.digest ? <Link to={imagePath(e.digest)}>{ref}</Link> : <span>{ref}</span>}
            </div>
            <div className="muted small">
              <RelTime value={e.at} now={now} />
              {e.actor ? ` · by ${e.actor}` : ""}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

function isDashboard(v: unknown): v is DashboardView {
  const o = typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {};
  return typeof o.counts === "object" && typeof o.openFindingsSeries === "object" && typeof o.meanTimeToFix === "object" && Array.isArray(o.riskiestExposedWorkloads) && Array.isArray(o.recentScans) && Array.isArray(o.recentEvents);
}

function Dashboard({ d }: { d: DashboardView }) {
  // Relative times count from the server's clock, so a skewed laptop clock does not shift them.
  const now = useMemo(() => Date.parse(d.generatedAt) || Date.now(), [d.generatedAt]);
  const extra = Object.entries(d).filter(([k]) => !KNOWN.has(k));
  return (
    <>
      <Headline d={d} />
      <div className="dash-row">
        <section className="card" aria-labelledby="trend-title">
          <h2 id="trend-title">Open findings by severity, last {d.openFindingsSeries.days} days</h2>
          <FindingsChart series={d.openFindingsSeries} />
        </section>
        <section className="card" aria-labelledby="mttf-title">
          <h2 id="mttf-title">Mean time to fix</h2>
          <MeanTimeToFix m={d.meanTimeToFix} />
        </section>
      </div>
      <section className="card" aria-labelledby="riskiest-title">
        <h2 id="riskiest-title">Riskiest internet-exposed workloads</h2>
        <RiskiestWorkloads rows={d.riskiestExposedWorkloads} />
      </section>
      <div className="dash-row even">
        <section className="card" aria-labelledby="scans-title">
          <h2 id="scans-title">Recent scans</h2>
          <RecentScans rows={d.recentScans} now={now} />
        </section>
        <section className="card" aria-labelledby="events-title">
          <h2 id="events-title">Recent registry events</h2>
          <RecentEvents rows={d.recentEvents} now={now} />
        </section>
      </div>
      {extra.map(([k, v]) => (
        <Section key={k} name={k} value={v} />
      ))}
    </>
  );
}

export default function DashboardPage() {
  const d = useApi<unknown>("/api/v1/dashboard");
  return (
    <div className="dashboard" data-testid="dashboard">
      <h1>Dashboard</h1>
      {d.loading ? <Loading what="dashboard" /> : null}
      {d.error instanceof ApiError && d.error.status === 404 ? (
        <p className="muted">
          This server has no dashboard endpoint yet. The <Link to="/explorer">explorer</Link> works without it.
        </p>
      ) : d.error ? (
        <ErrorBox error={d.error} />
      ) : null}
      {d.data !== undefined ? isDashboard(d.data) ? <Dashboard d={d.data} /> : <Section name="dashboard" value={d.data} /> : null}
    </div>
  );
}
