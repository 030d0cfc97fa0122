// The dashboard (GET /api/v1/dashboard): counts, trends, the riskiest internet-exposed workloads,
// recent scans and registry events — rendered from whatever sections the server answers with.
import { ApiError } from "../api.js";
import { ErrorBox, Link, Loading } from "../components.js";
import { useApi } from "../use-api.js";
import { GenericView } from "./generic.js";

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
      {d.data !== undefined ? <GenericView data={d.data} /> : null}
    </div>
  );
}
