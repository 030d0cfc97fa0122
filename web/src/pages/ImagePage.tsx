// One image: where it came from and where it runs (lineage, from explorer queries), its findings
// (GET /api/v1/images/{digest}), its deploy-gate verdict, attestations, and SBOM/SARIF downloads.
import { useEffect, useMemo, useState } from "react";
import { ApiError, download, explore, type ExploreResponse, type QueryAst } from "../api.js";
import { ErrorBox, Link, Loading, Props, SeverityBadge, SeverityCounts, Time, Value, shortDigest } from "../components.js";
import { typeLabel } from "../explorer/builder.js";
import { useApi } from "../use-api.js";

interface FindingView {
  id: string;
  aliases: string[];
  package: { name: string; version: string; purl: string; sourceName?: string };
  severity: string;
  fixStatus: string;
  fixedVersions: string[];
  state: string;
  firstSeen: string;
  fixedAt: string | null;
  title?: string;
  url?: string;
  remediation?: string;
  kev?: boolean;
  epss?: number;
  layer?: string;
}

interface ImageView {
  digest: string;
  mediaType: string | null;
  indexDigest: string | null;
  platform: string | null;
  scanStatus: string;
  scanError: string | null;
  scannedAt: string | null;
  distro: string | null;
  locations: { host: string; repository: string }[];
  job: { status: string; attempts: number; lastError: string | null; updatedAt: string } | null;
  platforms: { digest: string; platform: string | null; scanStatus: string }[];
  summary: Record<string, number>;
  findings: FindingView[];
  attestations?: Record<string, unknown>[];
}

interface ComplianceView {
  known: boolean;
  compliant: boolean;
  reasons: { rule: string; detail: string }[];
  compliance: Record<string, unknown> | null;
}

const SEV_RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3, negligible: 4, none: 5, unknown: 6 };

function lineageQueries(digest: string): { title: string; ast: QueryAst }[] {
  const img = { type: "image" as const, filters: [{ field: "digest", op: "=" as const, value: digest }] };
  return [
    { title: "Built by", ast: { steps: [img, { type: "pipelinerun", filters: [] }, { type: "repository", filters: [] }] } },
    { title: "Stored in", ast: { steps: [img, { type: "registry", filters: [] }] } },
    { title: "Runs in", ast: { steps: [{ type: "workload", filters: [] }, img] } },
  ];
}

/** Lineage: three explorer queries, shown as the nodes they reach (besides the image itself). */
function Lineage({ digest }: { digest: string }) {
  const queries = useMemo(() => lineageQueries(digest), [digest]);
  const [results, setResults] = useState<(ExploreResponse | Error | undefined)[]>([]);
  useEffect(() => {
    const ctl = new AbortController();
    setResults([]);
    queries.forEach((q, i) => {
      explore(q.ast, { limit: 100, signal: ctl.signal }).then(
        (r) => setResults((old) => Object.assign([...old], { [i]: r })),
        (e: unknown) => {
          if (!ctl.signal.aborted) setResults((old) => Object.assign([...old], { [i]: e instanceof Error ? e : new Error(String(e)) }));
        },
      );
    });
    return () => ctl.abort();
  }, [queries]);
  return (
    <section aria-labelledby="lineage-title" className="card">
      <h2 id="lineage-title">Lineage</h2>
      <div className="lineage">
        {queries.map((q, i) => {
          const r = results[i];
          const link = `/explorer?q=${encodeURIComponent(r && !(r instanceof Error) ? r.query : "")}`;
          return (
            <div key={q.title} className="lineage-col">
              <h3>{q.title}</h3>
              {r === undefined ? (
                <Loading what={q.title.toLowerCase()} />
              ) : r instanceof Error ? (
                <p className="muted">{r instanceof ApiError && r.status === 404 ? "The explorer API is not available." : r.message}</p>
              ) : (
                <LineageNodes result={r} link={link} />
              )}
            </div>
          );
        })}
      </div>
    </section>
  );
}

function LineageNodes({ result, link }: { result: ExploreResponse; link: string }) {
  const others = Object.entries(result.nodes).filter(([, n]) => n.type !== "image");
  if (others.length === 0) return <p className="muted">nothing recorded</p>;
  return (
    <>
      <ul className="plain lineage-list">
        {others.slice(0, 20).map(([key, n]) => (
          <li key={key}>
            <span className={`type-dot type-${n.type}`} aria-hidden="true" /> <span className="muted">{typeLabel(n.type)}</span> {n.label}
            {typeof n.props.runUrl === "string" ? (
              <>
                {" "}
                <Value value={n.props.runUrl} />
              </>
            ) : null}
            {Array.isArray(n.props.exposures) && n.props.exposures.length > 0 ? <span className="badge warn">internet-exposed</span> : null}
          </li>
        ))}
      </ul>
      <Link to={link}>Open in explorer</Link>
    </>
  );
}

function Compliance({ digest }: { digest: string }) {
  const c = useApi<ComplianceView>(`/api/v1/images/${encodeURIComponent(digest)}/compliance`);
  return (
    <section aria-labelledby="compliance-title" className="card">
      <h2 id="compliance-title">Deploy gate</h2>
      {c.loading ? (
        <Loading what="compliance" />
      ) : c.error ? (
        <p className="muted">Not available: {c.error instanceof Error ? c.error.message : String(c.error)}</p>
      ) : c.data ? (
        <>
          <p>
            <span className={`badge ${c.data.compliant ? "ok" : "bad"}`}>{c.data.compliant ? "would be admitted" : "would be denied"}</span>
          </p>
          {c.data.reasons.length > 0 ? (
            <ul>
              {c.data.reasons.map((r, i) => (
                <li key={i}>
                  <strong>{r.rule}</strong>: {r.detail}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

const PAGE = 200;

function Findings({ findings, includeFixed, setIncludeFixed }: { findings: FindingView[]; includeFixed: boolean; setIncludeFixed: (b: boolean) => void }) {
  const [shown, setShown] = useState(PAGE);
  const sorted = useMemo(
    () => [...findings].sort((a, b) => (SEV_RANK[a.severity] ?? 9) - (SEV_RANK[b.severity] ?? 9) || a.package.name.localeCompare(b.package.name) || a.id.localeCompare(b.id)),
    [findings],
  );
  return (
    <section aria-labelledby="findings-title" className="card">
      <div className="results-head">
        <h2 id="findings-title">
          Findings <span className="muted" data-testid="findings-count">{findings.length}</span>
        </h2>
        <label className="toggle">
          <input type="checkbox" checked={includeFixed} onChange={(e) => setIncludeFixed(e.target.checked)} /> Include fixed findings
        </label>
      </div>
      {sorted.length === 0 ? (
        <p className="muted">No findings.</p>
      ) : (
        <div className="table-wrap">
          <table className="findings" aria-label="Findings">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Vulnerability</th>
                <th scope="col">Package</th>
                <th scope="col">Installed</th>
                <th scope="col">Fixed in</th>
                <th scope="col">Status</th>
                <th scope="col">First seen</th>
                <th scope="col">Remediation</th>
              </tr>
            </thead>
            <tbody>
              {sorted.slice(0, shown).map((f) => (
                <tr key={`${f.id}|${f.package.purl}`} className={f.state === "fixed" ? "fixed" : undefined}>
                  <td>
                    <SeverityBadge severity={f.severity} />
                    {f.kev ? <span className="badge bad">KEV</span> : null}
                  </td>
                  <td>
                    {f.url && /^https?:\/\//.test(f.url) ? (
                      <a href={f.url} target="_blank" rel="noreferrer noopener">
                        {f.id}
                      </a>
                    ) : (
                      f.id
                    )}
                    {f.title ? <div className="muted small">{f.title}</div> : null}
                  </td>
                  <td className="mono-wrap">{f.package.name}</td>
                  <td className="mono-wrap">{f.package.version}</td>
                  <td className="mono-wrap">{f.fixedVersions.length ? f.fixedVersions.join(", ") : <span className="muted">{f.fixStatus}</span>}</td>
                  <td>
                    {f.state}
                    {f.fixedAt ? (
                      <div className="small">
                        fixed <Time value={f.fixedAt} />
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <Time value={f.firstSeen} />
                  </td>
                  <td className="small">{f.remediation ?? (f.fixedVersions[0] ? `Upgrade ${f.package.name} to ${f.fixedVersions[0]}` : "")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {sorted.length > shown ? (
        <button type="button" onClick={() => setShown((n) => n + PAGE)}>
          Show {Math.min(PAGE, sorted.length - shown)} more of {sorted.length - shown}
        </button>
      ) : null}
    </section>
  );
}

export default function ImagePage({ digest }: { digest: string }) {
  const [includeFixed, setIncludeFixed] = useState(false);
  const base = `/api/v1/images/${encodeURIComponent(digest)}`;
  const img = useApi<ImageView>(`${base}${includeFixed ? "?include=fixed" : ""}`);
  const [dlError, setDlError] = useState<unknown>(null);
  const file = digest.replace(/[^a-z0-9]+/gi, "-").slice(0, 30);
  const get = (path: string, name: string) => {
    setDlError(null);
    download(path, name).catch(setDlError);
  };
  return (
    <div className="image-page">
      <h1>
        Image <span className="mono-wrap digest" title={digest}>{shortDigest(digest)}</span>
      </h1>
      {img.loading && !img.data ? <Loading what="image" /> : null}
      {img.error ? <ErrorBox error={img.error} /> : null}
      {img.data ? (
        <>
          <section aria-labelledby="overview-title" className="card overview">
            <h2 id="overview-title">Overview</h2>
            <dl className="props">
              <div className="prop">
                <dt>Digest</dt>
                <dd className="mono-wrap">{img.data.digest}</dd>
              </div>
              <div className="prop">
                <dt>Locations</dt>
                <dd>{img.data.locations.length ? img.data.locations.map((l) => `${l.host}/${l.repository}`).join(", ") : "—"}</dd>
              </div>
              <div className="prop">
                <dt>Platform</dt>
                <dd>{img.data.platform ?? "—"}</dd>
              </div>
              <div className="prop">
                <dt>Distribution</dt>
                <dd>{img.data.distro ?? "—"}</dd>
              </div>
              <div className="prop">
                <dt>Scan</dt>
                <dd>
                  {img.data.scanStatus} {img.data.scannedAt ? <Time value={img.data.scannedAt} /> : null}
                  {img.data.scanError ? <div className="error small">{img.data.scanError}</div> : null}
                </dd>
              </div>
              <div className="prop">
                <dt>Open findings</dt>
                <dd>
                  <SeverityCounts counts={img.data.summary} />
                </dd>
              </div>
              {img.data.indexDigest ? (
                <div className="prop">
                  <dt>Index</dt>
                  <dd>
                    <Link to={`/images/${encodeURIComponent(img.data.indexDigest)}`}>{shortDigest(img.data.indexDigest)}</Link>
                  </dd>
                </div>
              ) : null}
              {img.data.platforms.length ? (
                <div className="prop">
                  <dt>Platforms</dt>
                  <dd>
                    {img.data.platforms.map((p) => (
                      <div key={p.digest}>
                        <Link to={`/images/${encodeURIComponent(p.digest)}`}>{p.platform ?? shortDigest(p.digest)}</Link> ({p.scanStatus})
                      </div>
                    ))}
                  </dd>
                </div>
              ) : null}
            </dl>
            <div className="downloads" role="group" aria-label="Downloads">
              <button type="button" onClick={() => get(`${base}/sbom?format=cyclonedx`, `${file}.cdx.json`)}>
                SBOM (CycloneDX)
              </button>
              <button type="button" onClick={() => get(`${base}/sbom?format=spdx`, `${file}.spdx.json`)}>
                SBOM (SPDX)
              </button>
              <button type="button" onClick={() => get(`${base}/sarif`, `${file}.sarif`)}>
                Findings (SARIF)
              </button>
            </div>
            {dlError ? <ErrorBox error={dlError} /> : null}
          </section>
          <div className="two-col">
            <Lineage digest={digest} />
            <div>
              <Compliance digest={digest} />
              {img.data.attestations && img.data.attestations.length > 0 ? (
                <section aria-labelledby="att-title" className="card">
                  <h2 id="att-title">Attestations</h2>
                  {img.data.attestations.map((a, i) => (
                    <Props key={i} props={a} />
                  ))}
                </section>
              ) : null}
            </div>
          </div>
          <Findings findings={img.data.findings} includeFixed={includeFixed} setIncludeFixed={setIncludeFixed} />
        </>
      ) : null}
    </div>
  );
}
