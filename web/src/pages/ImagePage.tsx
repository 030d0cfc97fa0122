// One image: where it came from and where it runs (lineage, from explorer queries), its findings
// (GET /api/v1/images/{digest}), its deploy-gate verdict, attestations, and SBOM/SARIF downloads.
import { useEffect, useMemo, useState } from "react";
import { ApiError, download, explore, type ExploreResponse, type QueryAst } from "../api.js";
import { ErrorBox, Link, Loading, Props, SeverityCounts, Time, Value, shortDigest } from "../components.js";
import { typeLabel } from "../explorer/builder.js";
import { useApi } from "../use-api.js";
import { FixedFindings, OpenFindings, RemediationSummary, type FindingView } from "./findings.js";

interface ImageView {
  digest: string;
  mediaType: string | null;
  indexDigest: string | null;
  platform: string | null;
  scanStatus: string;
  scanError: string | null;
  scannedAt: string | null;
  distro: string | null;
  locations: { host: string; repository: string; tag?: string | null; pushedAt?: string | null; lastPulledAt?: string | null }[];
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

function lineageQueries(digest: string): { title: string; ast: QueryAst }[] {
  const img = { type: "image" as const, filters: [{ field: "digest", op: "=" as const, value: digest }] };
  return [
    { title: "Built by", ast: { steps: [img, { type: "pipelinerun", filters: [] }, { type: "repository", filters: [] }] } },
    { title: "Stored in", ast: { steps: [img, { type: "registry", filters: [] }] } },
    { title: "Runs in", ast: { steps: [{ type: "workload", filters: [] }, img] } },
  ];
}

type LineageResult = ExploreResponse | Error | undefined;

/** The three lineage queries' answers, each arriving on its own. */
function useLineage(digest: string): { queries: { title: string; ast: QueryAst }[]; results: LineageResult[] } {
  const queries = useMemo(() => lineageQueries(digest), [digest]);
  const [results, setResults] = useState<LineageResult[]>([]);
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
  return { queries, results };
}

/** Lineage: three explorer queries, shown as the nodes they reach (besides the image itself). */
function Lineage({ lineage }: { lineage: ReturnType<typeof useLineage> }) {
  const { queries, results } = lineage;
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

/** Who fixes it: the owners (CODEOWNERS) of the code repositories the image was built from. */
function Owners({ built }: { built: LineageResult }) {
  if (built === undefined) return <Loading what="owner" />;
  if (built instanceof Error) return <p className="muted">Not available: {built.message}</p>;
  const repos = Object.values(built.nodes).filter((n) => n.type === "repository");
  if (repos.length === 0) return <p className="muted">No code repository is recorded for this image (no CI record or source label).</p>;
  return (
    <ul className="plain owners" data-testid="owners">
      {repos.map((r) => {
        const owners = Array.isArray(r.props.owners) ? r.props.owners.filter((o): o is string => typeof o === "string") : [];
        return (
          <li key={r.id}>
            <strong>{owners.length ? owners.join(", ") : <span className="muted">no owners listed</span>}</strong>
            <div className="small">
              in <Value value={r.props.url ?? r.label} />
            </div>
          </li>
        );
      })}
    </ul>
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

export default function ImagePage({ digest }: { digest: string }) {
  const base = `/api/v1/images/${encodeURIComponent(digest)}`;
  const img = useApi<ImageView>(base);
  // The fixed findings come from the same view with include=fixed, after the open ones are shown.
  const withFixed = useApi<ImageView>(img.data ? `${base}?include=fixed` : null);
  const lineage = useLineage(digest);
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
          <div className="image-top">
            <section aria-labelledby="overview-title" className="card overview">
              <h2 id="overview-title">Overview</h2>
              <dl className="props">
                <div className="prop">
                  <dt>Digest</dt>
                  <dd className="mono-wrap">{img.data.digest}</dd>
                </div>
                <div className="prop">
                  <dt>Locations</dt>
                  <dd>
                    {img.data.locations.length
                      ? [...new Set(img.data.locations.map((l) => `${l.host}/${l.repository}${l.tag ? `:${l.tag}` : ""}`))].join(", ")
                      : "—"}
                  </dd>
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
            <RemediationSummary findings={img.data.findings} owners={<Owners built={lineage.results[0]} />} />
          </div>
          <div className="two-col">
            <Lineage lineage={lineage} />
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
          <OpenFindings findings={img.data.findings} />
          <FixedFindings findings={withFixed.data?.findings} loading={withFixed.loading} />
        </>
      ) : null}
    </div>
  );
}
