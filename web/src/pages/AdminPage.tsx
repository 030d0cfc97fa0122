// Admin: every read endpoint the server lists under /api/v1/admin/ in its OpenAPI document (API
// tokens, registry and cluster connections, policies, DB status), so new admin views appear here
// without a UI change. Needs an admin token; other roles see the server's 403 message.
import { ErrorBox, Loading } from "../components.js";
import { useApi } from "../use-api.js";
import { GenericView } from "./generic.js";

interface OpenApi {
  paths?: Record<string, Record<string, { summary?: string }>>;
}

function AdminSection({ path, summary }: { path: string; summary: string | undefined }) {
  const d = useApi<unknown>(path);
  const title = path.replace(/^\/api\/v1\/admin\//, "").replace(/[-/]/g, " ");
  return (
    <section className="card admin-section" aria-label={title}>
      <h2>{title.charAt(0).toUpperCase() + title.slice(1)}</h2>
      {summary ? <p className="muted">{summary}</p> : null}
      {d.loading ? <Loading what={title} /> : d.error ? <ErrorBox error={d.error} /> : <GenericView data={d.data} />}
    </section>
  );
}

export default function AdminPage() {
  const doc = useApi<OpenApi>("/openapi.json");
  const paths = Object.entries(doc.data?.paths ?? {})
    .filter(([p, ops]) => p.startsWith("/api/v1/admin/") && !p.includes("{") && ops.get)
    .map(([p, ops]) => ({ path: p, summary: ops.get?.summary }));
  return (
    <div className="admin">
      <h1>Admin</h1>
      {doc.loading ? <Loading what="server description" /> : null}
      {doc.error ? <ErrorBox error={doc.error} /> : null}
      {doc.data && paths.length === 0 ? <p className="muted">This server lists no admin endpoints yet.</p> : null}
      {paths.map((p) => (
        <AdminSection key={p.path} path={p.path} summary={p.summary} />
      ))}
    </div>
  );
}
