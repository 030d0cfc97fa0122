// An image's findings (GET /api/v1/images/{digest}): the open ones as a table a person can sort and
// filter by severity, KEV and text; a remediation summary that groups them by the action that fixes
// them; and the findings already fixed, with when.
import { useMemo, useState, type ReactNode } from "react";
import type { FindingView } from "../../../src/model/finding-view.js";
import { SEVERITY_ORDER, SeverityBadge, Time, keyLabel, toggled } from "../components.js";

export type { FindingView };

const rank = (s: string): number => {
  const i = (SEVERITY_ORDER as readonly string[]).indexOf(s);
  return i === -1 ? SEVERITY_ORDER.length : i;
};

function remediationOf(f: FindingView): string {
  return f.remediation ?? (f.fixedVersions[0] ? `upgrade ${f.package.name} to ${f.fixedVersions[0]}` : "no fix published yet");
}

function VulnLink({ f }: { f: FindingView }) {
  return f.url && /^https?:\/\//.test(f.url) ? (
    <a href={f.url} target="_blank" rel="noreferrer noopener">
      {f.id}
    </a>
  ) : (
    <>{f.id}</>
  );
}

function pct(n: number): string {
  return `${(n * 100).toFixed(n < 0.01 ? 2 : 1)}%`;
}

// ---- remediation summary ----

/** "upgrade x to 1.2; rebuild on a newer base image" → ["upgrade x to 1.2", "rebuild on …"]. */
function splitAdvice(text: string): [string, string] {
  const i = text.indexOf("; ");
  return i === -1 ? [text, ""] : [text.slice(0, i), text.slice(i + 2)];
}

interface Action {
  text: string;
  findings: number;
  top: string;
  kev: number;
  fixable: boolean;
}

/** Open findings grouped by the one action that resolves them, most urgent first. */
export function remediationActions(findings: readonly FindingView[]): Action[] {
  const by = new Map<string, Action>();
  for (const f of findings) {
    if (f.state !== "open") continue;
    const text = remediationOf(f);
    const a = by.get(text) ?? { text, findings: 0, top: f.severity, kev: 0, fixable: f.fixedVersions.length > 0 };
    a.findings += 1;
    if (rank(f.severity) < rank(a.top)) a.top = f.severity;
    if (f.kev) a.kev += 1;
    by.set(text, a);
  }
  return [...by.values()].sort((a, b) => Number(b.fixable) - Number(a.fixable) || b.kev - a.kev || rank(a.top) - rank(b.top) || b.findings - a.findings || a.text.localeCompare(b.text));
}

export function RemediationSummary({ findings, owners }: { findings: readonly FindingView[]; owners: ReactNode }) {
  const actions = useMemo(() => remediationActions(findings), [findings]);
  const open = findings.filter((f) => f.state === "open");
  const fixable = open.filter((f) => f.fixedVersions.length > 0).length;
  const kev = open.filter((f) => f.kev).length;
  const shown = actions.slice(0, 6);
  // Remediation lines often end with the same advice ("…; all fixable OS findings come from the
  // base image …: rebuild on a newer base image"): say it once above the list.
  const tails = new Map<string, number>();
  for (const a of shown) {
    const t = splitAdvice(a.text)[1];
    if (t) tails.set(t, (tails.get(t) ?? 0) + 1);
  }
  const shared = [...tails].filter(([, n]) => n > 1).map(([t]) => t);
  return (
    <section aria-labelledby="fix-title" className="card summary">
      <h2 id="fix-title">What to fix</h2>
      <div className="summary-grid">
        <div>
          <h3>Owner</h3>
          {owners}
        </div>
        <div>
          <h3>Remediation</h3>
          <p data-testid="remediation-summary">
            {open.length === 0 ? (
              "No open findings."
            ) : (
              <>
                <strong>{fixable.toLocaleString()}</strong> of {open.length.toLocaleString()} open findings have a fix
                {kev > 0 ? (
                  <>
                    ; <strong className="error">{kev} known exploited (KEV)</strong>
                  </>
                ) : null}
                .
              </>
            )}
          </p>
          {shown.length > 0 ? (
            <ol className="actions">
              {shown.map((a) => (
                <li key={a.text}>
                  <SeverityBadge severity={a.top} />
                  {a.kev > 0 ? <span className="badge bad">KEV</span> : null}{" "}
                  <span className={a.fixable ? "" : "muted"}>{shared.includes(splitAdvice(a.text)[1]) ? `${splitAdvice(a.text)[0]} *` : a.text}</span>{" "}
                  <span className="muted small">
                    ({a.findings} finding{a.findings === 1 ? "" : "s"})
                  </span>
                </li>
              ))}
            </ol>
          ) : null}
          {shared.map((t) => (
            <p key={t} className="muted small">
              * {t.charAt(0).toUpperCase() + t.slice(1)}
            </p>
          ))}
          {actions.length > shown.length ? <p className="muted small">…and {actions.length - shown.length} more actions in the table below.</p> : null}
        </div>
      </div>
    </section>
  );
}

// ---- open findings ----

type SortKey = "severity" | "package" | "epss" | "firstSeen";
const PAGE = 200;

function compare(key: SortKey): (a: FindingView, b: FindingView) => number {
  const tie = (a: FindingView, b: FindingView) => rank(a.severity) - rank(b.severity) || a.package.name.localeCompare(b.package.name) || a.id.localeCompare(b.id);
  switch (key) {
    case "severity":
      return (a, b) => rank(a.severity) - rank(b.severity) || Number(b.kev ?? false) - Number(a.kev ?? false) || tie(a, b);
    case "package":
      return (a, b) => a.package.name.localeCompare(b.package.name) || tie(a, b);
    case "epss":
      return (a, b) => (b.epss ?? -1) - (a.epss ?? -1) || tie(a, b);
    case "firstSeen":
      return (a, b) => b.firstSeen.localeCompare(a.firstSeen) || tie(a, b);
  }
}

function SortHeader({ k, label, sort, setSort, className }: { k: SortKey; label: string; sort: { key: SortKey; desc: boolean }; setSort: (s: { key: SortKey; desc: boolean }) => void; className?: string }) {
  const active = sort.key === k;
  return (
    <th scope="col" aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"} className={className}>
      <button type="button" className="sort" onClick={() => setSort({ key: k, desc: active ? !sort.desc : false })}>
        {label} <span aria-hidden="true">{active ? (sort.desc ? "▲" : "▼") : "↕"}</span>
      </button>
    </th>
  );
}

export function OpenFindings({ findings }: { findings: readonly FindingView[] }) {
  const [shown, setShown] = useState(PAGE);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "severity", desc: false });
  const [sevs, setSevs] = useState<Set<string>>(new Set());
  const [kevOnly, setKevOnly] = useState(false);
  const [text, setText] = useState("");
  const counts = useMemo(() => {
    const c = new Map<string, number>();
    for (const f of findings) c.set(f.severity, (c.get(f.severity) ?? 0) + 1);
    return c;
  }, [findings]);
  const hasEpss = findings.some((f) => f.epss !== undefined);
  const hasLayer = findings.some((f) => f.layer !== undefined);
  const rows = useMemo(() => {
    const t = text.trim().toLowerCase();
    const kept = findings.filter(
      (f) =>
        (sevs.size === 0 || sevs.has(f.severity)) &&
        (!kevOnly || f.kev) &&
        (!t || f.id.toLowerCase().includes(t) || f.package.name.toLowerCase().includes(t) || f.aliases.some((a) => a.toLowerCase().includes(t)) || (f.title ?? "").toLowerCase().includes(t)),
    );
    const cmp = compare(sort.key);
    return kept.sort(sort.desc ? (a, b) => cmp(b, a) : cmp);
  }, [findings, sevs, kevOnly, text, sort]);
  const toggleSev = (s: string) => setSevs((old) => toggled(old, s));
  return (
    <section aria-labelledby="findings-title" className="card">
      <div className="results-head">
        <h2 id="findings-title">
          Open findings <span className="muted" data-testid="findings-count">{findings.length}</span>
        </h2>
      </div>
      <div className="finding-filters" role="group" aria-label="Filter findings">
        <span className="muted small">Severity:</span>
        {SEVERITY_ORDER.filter((s) => counts.has(s)).map((s) => (
          <button key={s} type="button" className={`chip sev-chip sev-border-${s}`} aria-pressed={sevs.has(s)} onClick={() => toggleSev(s)}>
            {keyLabel(s)} <span className="muted">{counts.get(s)}</span>
          </button>
        ))}
        <label className="toggle">
          <input type="checkbox" checked={kevOnly} onChange={(e) => setKevOnly(e.target.checked)} /> Known exploited (KEV) only
        </label>
        <label htmlFor="findings-q" className="sr-only">
          Filter findings by vulnerability or package
        </label>
        <input id="findings-q" type="search" placeholder="CVE or package" value={text} onChange={(e) => setText(e.target.value)} />
        <span className="muted small" data-testid="findings-shown" role="status" aria-live="polite">
          {rows.length === findings.length ? "" : `${rows.length} shown`}
        </span>
      </div>
      {rows.length === 0 ? (
        <p className="muted">{findings.length === 0 ? "No open findings." : "No finding matches these filters."}</p>
      ) : (
        <div className="table-wrap">
          <table className="findings">
            <caption className="sr-only">Open findings, sorted by {sort.key}</caption>
            <thead>
              <tr>
                <SortHeader k="severity" label="Severity" sort={sort} setSort={setSort} />
                <th scope="col">Vulnerability</th>
                <SortHeader k="package" label="Package" sort={sort} setSort={setSort} />
                <th scope="col">Fixed in</th>
                {hasEpss ? <SortHeader k="epss" label="EPSS" sort={sort} setSort={setSort} className="num" /> : null}
                {hasLayer ? <th scope="col">Layer</th> : null}
                <th scope="col">Remediation</th>
                <SortHeader k="firstSeen" label="First seen" sort={sort} setSort={setSort} />
              </tr>
            </thead>
            <tbody>
              {rows.slice(0, shown).map((f) => (
                <tr key={`${f.id}|${f.package.purl}`} data-severity={f.severity} data-id={f.id}>
                  <td className="nowrap">
                    <SeverityBadge severity={f.severity} />
                    {f.kev ? (
                      <span className="badge bad" title="Listed in CISA's Known Exploited Vulnerabilities catalog">
                        KEV
                      </span>
                    ) : null}
                    {f.cvss ? <div className="muted small">CVSS {f.cvss.score.toFixed(1)}</div> : null}
                  </td>
                  <td>
                    <VulnLink f={f} />
                    {f.title ? <div className="muted small">{f.title}</div> : null}
                  </td>
                  <td className="mono-wrap">
                    {f.package.name} <span className="muted">{f.package.version}</span>
                  </td>
                  <td className="mono-wrap">{f.fixedVersions.length ? f.fixedVersions.join(", ") : <span className="muted">{f.fixStatus === "affected" ? "no fix yet" : f.fixStatus.replace(/_/g, " ")}</span>}</td>
                  {hasEpss ? (
                    <td className="num" title={f.epssPercentile !== undefined ? `percentile ${pct(f.epssPercentile)}` : undefined}>
                      {f.epss !== undefined ? pct(f.epss) : <span className="muted">—</span>}
                    </td>
                  ) : null}
                  {hasLayer ? (
                    <td className="small layer" title={f.layer?.createdBy ?? f.layer?.diffId}>
                      {f.layer ? (
                        <>
                          {f.layer.index !== undefined ? <span className="muted">#{f.layer.index} </span> : null}
                          {f.layer.fromBase ? <span className="badge">base</span> : null}
                          <code className="cmd">{f.layer.createdBy ?? f.layer.diffId.slice(0, 19)}</code>
                        </>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  ) : null}
                  <td className="small">{remediationOf(f)}</td>
                  <td className="small nowrap">
                    <Time value={f.firstSeen} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {rows.length > shown ? (
        <button type="button" onClick={() => setShown((n) => n + PAGE)}>
          Show {Math.min(PAGE, rows.length - shown)} more of {rows.length - shown}
        </button>
      ) : null}
    </section>
  );
}

// ---- fixed findings ----

const DAY = 86_400_000;

export function FixedFindings({ findings, loading }: { findings: readonly FindingView[] | undefined; loading: boolean }) {
  const [shown, setShown] = useState(50);
  const fixed = useMemo(() => (findings ?? []).filter((f) => f.state === "fixed").sort((a, b) => (b.fixedAt ?? "").localeCompare(a.fixedAt ?? "") || rank(a.severity) - rank(b.severity)), [findings]);
  return (
    <section aria-labelledby="fixed-title" className="card">
      <h2 id="fixed-title">
        Fixed findings <span className="muted" data-testid="fixed-count">{findings ? fixed.length : ""}</span>
      </h2>
      {loading && !findings ? (
        <p className="muted">Loading…</p>
      ) : fixed.length === 0 ? (
        <p className="muted">None recorded: no finding of this image has been fixed by a later scan or re-match.</p>
      ) : (
        <>
          <div className="table-wrap short">
            <table className="fixed-findings">
              <caption className="sr-only">Findings fixed since they were first seen, most recent first</caption>
              <thead>
                <tr>
                  <th scope="col">Fixed</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Vulnerability</th>
                  <th scope="col">Package</th>
                  <th scope="col">First seen</th>
                  <th scope="col" className="num">
                    Days open
                  </th>
                </tr>
              </thead>
              <tbody>
                {fixed.slice(0, shown).map((f) => {
                  const days = f.fixedAt ? Math.max(0, Math.round((Date.parse(f.fixedAt) - Date.parse(f.firstSeen)) / DAY)) : null;
                  return (
                    <tr key={`${f.id}|${f.package.purl}`}>
                      <td className="nowrap">
                        <Time value={f.fixedAt} />
                      </td>
                      <td>
                        <SeverityBadge severity={f.severity} />
                      </td>
                      <td>
                        <VulnLink f={f} />
                      </td>
                      <td className="mono-wrap">
                        {f.package.name} <span className="muted">{f.package.version}</span>
                      </td>
                      <td className="nowrap">
                        <Time value={f.firstSeen} />
                      </td>
                      <td className="num">{days ?? "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {fixed.length > shown ? (
            <button type="button" onClick={() => setShown((n) => n + 200)}>
              Show {Math.min(200, fixed.length - shown)} more of {fixed.length - shown}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}
