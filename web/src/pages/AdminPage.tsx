// Admin (role admin): API tokens (create — shown once, with a copy button —, revoke after a
// confirmation), the server's status (database, vulnerability DB, job queue, clusters, registries,
// settings, policies when reported) and, rendered by shape, any other admin endpoint the server's
// OpenAPI document lists, so new admin views appear without a UI change.
import { useState, type FormEvent, type ReactNode } from "react";
import { ApiError, api } from "../api.js";
import { CopyButton, ErrorBox, Loading, RelTime, Time, Value, keyLabel } from "../components.js";
import { useApi } from "../use-api.js";
import { GenericView, Section } from "./generic.js";

interface TokenRow {
  id: number;
  role: string;
  description: string | null;
  createdAt: string;
  revokedAt: string | null;
}

interface CreatedToken extends TokenRow {
  token: string;
}

const ROLES: { value: string; help: string }[] = [
  { value: "read", help: "read-only: the UI, explorer, image and dashboard APIs" },
  { value: "ingest", help: "CI and registries: post records, events and snapshots" },
  { value: "admin", help: "everything, including tokens and status" },
];

function NeedsAdmin({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.status === 403) return <p className="muted">This needs an admin token; the current token may only read.</p>;
  return <ErrorBox error={error} />;
}

function CreateToken({ onCreated }: { onCreated: () => void }) {
  const [role, setRole] = useState("read");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const t = await api<CreatedToken>("/api/v1/admin/tokens", { method: "POST", body: { role, ...(description.trim() ? { description: description.trim() } : {}) } });
      setCreated(t);
      setDescription("");
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form className="token-form" onSubmit={submit} aria-labelledby="create-token-title">
        <h3 id="create-token-title">Create a token</h3>
        <div className="field">
          <label htmlFor="token-role">Role</label>
          <select id="token-role" value={role} onChange={(e) => setRole(e.target.value)} aria-describedby="token-role-help">
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.value}
              </option>
            ))}
          </select>
          <span id="token-role-help" className="muted small">
            {ROLES.find((r) => r.value === role)?.help}
          </span>
        </div>
        <div className="field grow">
          <label htmlFor="token-description">Description</label>
          <input id="token-description" type="text" maxLength={200} value={description} placeholder="who or what uses it, e.g. GitHub Actions of acme/shop" onChange={(e) => setDescription(e.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Creating…" : "Create token"}
        </button>
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {created ? (
        <div className="new-token" role="alert" data-testid="new-token">
          <p>
            <strong>
              Token #{created.id} ({created.role}) created.
            </strong>{" "}
            Copy it now: it is shown only once and the server keeps only its hash.
          </p>
          <div className="token-value">
            <label htmlFor="new-token-value" className="sr-only">
              New API token
            </label>
            <input id="new-token-value" type="text" readOnly value={created.token} onFocus={(e) => e.currentTarget.select()} className="mono" />
            <CopyButton text={created.token} label="Copy token" />
            <button type="button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
    </>
  );
}

function RevokeButton({ token, onRevoked }: { token: TokenRow; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const revoke = async () => {
    setError(null);
    try {
      await api(`/api/v1/admin/tokens/${token.id}`, { method: "DELETE" });
      setConfirming(false);
      onRevoked();
    } catch (err) {
      setError(err);
    }
  };
  if (!confirming)
    return (
      <button type="button" onClick={() => setConfirming(true)} aria-label={`Revoke token #${token.id}`}>
        Revoke
      </button>
    );
  return (
    <span className="confirm" role="group" aria-label={`Confirm revoking token #${token.id}`}>
      <span className="small">Revoke #{token.id}? Clients using it stop working.</span>{" "}
      <button type="button" className="danger" onClick={() => void revoke()} autoFocus>
        Yes, revoke
      </button>{" "}
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {error ? <ErrorBox error={error} /> : null}
    </span>
  );
}

function Tokens() {
  const t = useApi<{ tokens: TokenRow[] }>("/api/v1/admin/tokens");
  const [showRevoked, setShowRevoked] = useState(false);
  const rows = (t.data?.tokens ?? []).filter((r) => showRevoked || r.revokedAt === null);
  const revoked = (t.data?.tokens ?? []).filter((r) => r.revokedAt !== null).length;
  return (
    <section className="card" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      {t.error ? (
        <NeedsAdmin error={t.error} />
      ) : (
        <>
          <CreateToken onCreated={t.reload} />
          {t.loading && !t.data ? <Loading what="tokens" /> : null}
          {t.data ? (
            <>
              <div className="results-head">
                <h3>Tokens</h3>
                <label className="toggle">
                  <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} /> Show revoked ({revoked})
                </label>
              </div>
              <div className="table-wrap short">
                <table className="tokens" data-testid="tokens">
                  <caption className="sr-only">API tokens{showRevoked ? ", including revoked ones" : ""}</caption>
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Role</th>
                      <th scope="col">Description</th>
                      <th scope="col">Created</th>
                      <th scope="col">State</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.id} data-token-id={r.id} className={r.revokedAt ? "fixed" : undefined}>
                        <th scope="row">{r.id}</th>
                        <td>
                          <span className={`badge role-${r.role}`}>{r.role}</span>
                        </td>
                        <td>{r.description ?? <span className="muted">—</span>}</td>
                        <td>
                          <RelTime value={r.createdAt} />
                        </td>
                        <td>
                          {r.revokedAt ? (
                            <span>
                              revoked <RelTime value={r.revokedAt} />
                            </span>
                          ) : (
                            <RevokeButton token={r} onRevoked={t.reload} />
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : null}
        </>
      )}
    </section>
  );
}

// ---- status ----

interface ClusterRow {
  id: number;
  name: string;
  source: string;
  lastSeenAt: string | null;
  namespaces: number;
  workloads: number;
  removedWorkloads: number;
  internetExposedWorkloads: number;
  images: number;
  services: number;
  ingresses: number;
  warnings: string[];
}

interface StatusView {
  generatedAt: string;
  database?: { kind: string; migration: string | null; migrations: string[] };
  vulnerabilityDb?: Record<string, unknown> & { available: boolean };
  queue?: { byStatus: Record<string, number>; byKind: { kind: string; status: string; count: number }[] };
  clusters?: ClusterRow[];
  registries?: { host: string; repositories: number; events: number; lastEventAt: string | null }[];
  settings?: { key: string; value: unknown; updatedAt: string }[];
  [k: string]: unknown;
}

const STATUS_KNOWN = new Set(["generatedAt", "database", "vulnerabilityDb", "queue", "clusters", "registries", "settings"]);
/** Parts of a status answer that describe policies (the deploy gate, rescan windows), when a server reports them. */
const POLICY_KEY = /polic|gate|admission|rescan|schedule/i;

function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="props">
      {rows.map(([k, v]) => (
        <div key={k} className="prop">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function VulnDb({ v }: { v: NonNullable<StatusView["vulnerabilityDb"]> }) {
  if (!v.available)
    return (
      <p>
        <span className="badge bad">not available</span> {String(v.message ?? "")}
      </p>
    );
  const counts = typeof v.counts === "object" && v.counts !== null ? (v.counts as Record<string, number>) : {};
  const ecosystems = typeof v.ecosystems === "object" && v.ecosystems !== null ? (v.ecosystems as Record<string, number>) : {};
  return (
    <>
      <p>
        <span className={`badge ${v.stale ? "bad" : "ok"}`}>{v.stale ? "stale" : "fresh"}</span> updated <RelTime value={v.updatedAt} />
        {typeof v.warning === "string" ? <span className="error small"> {v.warning}</span> : null}
      </p>
      <Facts
        rows={[
          ["Built", <Time key="b" value={v.builtAt} />],
          ["Advisories", Object.entries(counts).map(([k, n]) => `${n.toLocaleString()} ${k}`).join(", ") || "—"],
          ["Ecosystems", Object.entries(ecosystems).map(([k, n]) => `${k} (${n.toLocaleString()})`).join(", ") || "—"],
          ["KEV catalog", typeof v.kevCatalogVersion === "string" ? v.kevCatalogVersion : "—"],
          ["Source", <Value key="s" value={v.sourceLocation} />],
        ]}
      />
    </>
  );
}

function Queue({ q }: { q: NonNullable<StatusView["queue"]> }) {
  return (
    <>
      <dl className="stats" data-testid="queue">
        {Object.entries(q.byStatus).map(([k, n]) => (
          <div key={k} className={`stat${k === "failed" && n > 0 ? " stat-bad" : ""}`}>
            <dt>{keyLabel(k)}</dt>
            <dd>{n.toLocaleString()}</dd>
          </div>
        ))}
      </dl>
      {q.byKind.length ? (
        <table className="compact">
          <caption className="sr-only">Jobs by kind and status</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Jobs
              </th>
            </tr>
          </thead>
          <tbody>
            {q.byKind.map((r) => (
              <tr key={`${r.kind}|${r.status}`}>
                <td>{r.kind}</td>
                <td>{r.status}</td>
                <td className="num">{r.count.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted small">No jobs recorded.</p>
      )}
    </>
  );
}

function Clusters({ rows }: { rows: ClusterRow[] }) {
  if (rows.length === 0) return <p className="muted">No clusters: start the server with --kubeconfig or push a snapshot (berth cluster snapshot).</p>;
  return (
    <div className="table-wrap short">
      <table data-testid="clusters">
        <caption className="sr-only">Connected clusters</caption>
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col">Source</th>
            <th scope="col">Last seen</th>
            <th scope="col" className="num">
              Namespaces
            </th>
            <th scope="col" className="num">
              Workloads
            </th>
            <th scope="col" className="num">
              Internet-exposed
            </th>
            <th scope="col" className="num">
              Images
            </th>
            <th scope="col" className="num">
              Services / ingresses
            </th>
            <th scope="col">Warnings</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.name}</th>
              <td>{c.source}</td>
              <td>
                <RelTime value={c.lastSeenAt} />
              </td>
              <td className="num">{c.namespaces}</td>
              <td className="num">
                {c.workloads}
                {c.removedWorkloads ? <span className="muted small"> (+{c.removedWorkloads} aged out)</span> : null}
              </td>
              <td className="num">{c.internetExposedWorkloads}</td>
              <td className="num">{c.images}</td>
              <td className="num">
                {c.services} / {c.ingresses}
              </td>
              <td className="small">{c.warnings.length ? c.warnings.join("; ") : <span className="muted">none</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Registries({ rows }: { rows: NonNullable<StatusView["registries"]> }) {
  if (rows.length === 0) return <p className="muted">No registry has sent events yet.</p>;
  return (
    <table className="compact">
      <caption className="sr-only">Registries that sent events</caption>
      <thead>
        <tr>
          <th scope="col">Host</th>
          <th scope="col" className="num">
            Repositories
          </th>
          <th scope="col" className="num">
            Events
          </th>
          <th scope="col">Last event</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.host}>
            <th scope="row" className="mono-wrap">
              {r.host}
            </th>
            <td className="num">{r.repositories.toLocaleString()}</td>
            <td className="num">{r.events.toLocaleString()}</td>
            <td>
              <RelTime value={r.lastEventAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Settings({ rows }: { rows: NonNullable<StatusView["settings"]> }) {
  if (rows.length === 0) return <p className="muted">No settings stored.</p>;
  return (
    <ul className="plain settings">
      {rows.map((s) => (
        <li key={s.key}>
          <details>
            <summary>
              <code>{s.key}</code> <span className="muted small">updated <RelTime value={s.updatedAt} /></span>
            </summary>
            <pre className="json">{JSON.stringify(s.value, null, 2)}</pre>
          </details>
        </li>
      ))}
    </ul>
  );
}

function Policies({ s }: { s: StatusView }) {
  const parts = Object.entries(s).filter(([k]) => !STATUS_KNOWN.has(k) && POLICY_KEY.test(k));
  const settings = (s.settings ?? []).filter((x) => POLICY_KEY.test(x.key));
  if (parts.length === 0 && settings.length === 0)
    return (
      <p className="muted">
        This server's status does not report its policies (deploy-gate rules, rescan windows). An image's page shows the gate's verdict for that image; the rules are set by <code>berth server</code>'s flags or config file.
      </p>
    );
  return (
    <>
      {parts.map(([k, v]) => (
        <Section key={k} name={k} value={v} level={3} />
      ))}
      {settings.length ? <Settings rows={settings} /> : null}
    </>
  );
}

function Status() {
  const s = useApi<StatusView>("/api/v1/admin/status");
  if (s.loading && !s.data) return <Loading what="server status" />;
  if (s.error) return <NeedsAdmin error={s.error} />;
  const d = s.data;
  if (!d) return null;
  const other = Object.entries(d).filter(([k]) => !STATUS_KNOWN.has(k) && !POLICY_KEY.test(k));
  return (
    <>
      <div className="admin-grid">
        {d.database ? (
          <Card id="db-title" title="Database">
            <Facts
              rows={[
                ["Store", d.database.kind === "sqlite" ? "SQLite (embedded)" : d.database.kind === "postgres" ? "PostgreSQL" : d.database.kind],
                ["Schema", <code key="m">{d.database.migration ?? "—"}</code>],
                ["Migrations", `${d.database.migrations.length} applied`],
              ]}
            />
          </Card>
        ) : null}
        {d.vulnerabilityDb ? (
          <Card id="vulndb-title" title="Vulnerability database">
            <VulnDb v={d.vulnerabilityDb} />
          </Card>
        ) : null}
        {d.queue ? (
          <Card id="queue-title" title="Job queue">
            <Queue q={d.queue} />
          </Card>
        ) : null}
      </div>
      {d.clusters ? (
        <Card id="clusters-title" title="Clusters">
          <Clusters rows={d.clusters} />
        </Card>
      ) : null}
      <div className="admin-grid two">
        {d.registries ? (
          <Card id="registries-title" title="Registries">
            <Registries rows={d.registries} />
          </Card>
        ) : null}
        <Card id="policies-title" title="Policies">
          <Policies s={d} />
        </Card>
      </div>
      {d.settings ? (
        <Card id="settings-title" title="Settings">
          <Settings rows={d.settings.filter((x) => !POLICY_KEY.test(x.key))} />
        </Card>
      ) : null}
      {other.length ? <GenericView data={Object.fromEntries(other)} /> : null}
      <p className="muted small">
        Status as of <Time value={d.generatedAt} />.{" "}
        <button type="button" className="link-button" onClick={s.reload}>
          Refresh
        </button>
      </p>
    </>
  );
}

interface OpenApi {
  paths?: Record<string, Record<string, { summary?: string }>>;
}

/** Admin read endpoints this build has no view for (a newer server's), rendered by shape. */
function OtherAdminViews() {
  const doc = useApi<OpenApi>("/openapi.json");
  const paths = Object.entries(doc.data?.paths ?? {})
    .filter(([p, ops]) => p.startsWith("/api/v1/admin/") && !p.includes("{") && ops.get && p !== "/api/v1/admin/tokens" && p !== "/api/v1/admin/status")
    .map(([p, ops]) => ({ path: p, summary: ops.get?.summary }));
  return (
    <>
      {paths.map((p) => (
        <OtherAdminView key={p.path} path={p.path} summary={p.summary} />
      ))}
    </>
  );
}

function OtherAdminView({ path, summary }: { path: string; summary: string | undefined }) {
  const d = useApi<unknown>(path);
  const title = path.replace(/^\/api\/v1\/admin\//, "").replace(/[-/]/g, " ");
  return (
    <section className="card" aria-label={title}>
      <h2>{title.charAt(0).toUpperCase() + title.slice(1)}</h2>
      {summary ? <p className="muted">{summary}</p> : null}
      {d.loading ? <Loading what={title} /> : d.error ? <NeedsAdmin error={d.error} /> : <GenericView data={d.data} />}
    </section>
  );
}

export default function AdminPage() {
  return (
    <div className="admin">
      <h1>Admin</h1>
      <Tokens />
      <Status />
      <OtherAdminViews />
    </div>
  );
}
