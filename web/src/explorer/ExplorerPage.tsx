// The explorer: build a path query with clicks (or type it), run it against /api/v1/explore, read
// the paths as a table or a layered graph, open any node or edge. The query lives in the URL
// (?q=<text>), so a result is a link to share; the server's canonical text and AST round-trip it.
import { useCallback, useEffect, useRef, useState } from "react";
import { explore, type ExploreResponse, type QueryAst } from "../api.js";
import { ErrorBox } from "../components.js";
import { navigate, useLocation } from "../router.js";
import { fromAst, newId, templates, toAst, type Step } from "./builder.js";
import { DetailsPanel } from "./DetailsPanel.js";
import { PathGraph } from "./PathGraph.js";
import { QueryBuilder } from "./QueryBuilder.js";
import { ResultsTable } from "./ResultsTable.js";
import type { Selection } from "./selection.js";

const PAGE_SIZE = 50;

export default function ExplorerPage() {
  const loc = useLocation();
  const q = new URLSearchParams(loc.search).get("q");
  const [steps, setSteps] = useState<Step[]>(() => [{ id: newId(), type: "image", conditions: [] }]);
  const [text, setText] = useState(q ?? "");
  const [result, setResult] = useState<ExploreResponse | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const [view, setView] = useState<"table" | "graph">("table");
  const [selection, setSelection] = useState<Selection | null>(null);
  const lastRun = useRef<string | null>(null);
  const ctl = useRef<AbortController | null>(null);

  const run = useCallback(async (query: string | QueryAst, cursorStack: (string | null)[]) => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setRunning(true);
    setError(null);
    performance.mark("berth:query-start");
    try {
      const cursor = cursorStack[cursorStack.length - 1] ?? null;
      const res = await explore(query, { limit: PAGE_SIZE, cursor, signal: c.signal });
      if (c.signal.aborted) return;
      setResult(res);
      setCursors(cursorStack);
      setSteps(fromAst(res.ast));
      setText(res.query);
      setSelection(null);
      if (res.query !== new URLSearchParams(window.location.search).get("q")) {
        lastRun.current = res.query;
        navigate(`/explorer?q=${encodeURIComponent(res.query)}`);
      }
      lastRun.current = res.query;
    } catch (e) {
      if (!c.signal.aborted) setError(e);
    } finally {
      if (ctl.current === c) setRunning(false);
    }
  }, []);

  // A shared link, or back/forward: run the query in the URL.
  useEffect(() => {
    if (q && q !== lastRun.current) {
      lastRun.current = q;
      setText(q);
      void run(q, [null]);
    }
  }, [q, run]);

  useEffect(() => {
    if (result) performance.mark("berth:results-rendered");
  }, [result]);

  return (
    <div className={`explorer${selection && result ? " with-details" : ""}`}>
      <div className="explorer-main">
        <h1>Explorer</h1>
        <section aria-labelledby="templates-title" className="templates">
          <h2 id="templates-title" className="sr-only">
            Common questions
          </h2>
          <ul className="template-list">
            {templates().map((t) => (
              <li key={t.id}>
                <button type="button" onClick={() => void run(t.query, [null])} title={t.query}>
                  {t.title}
                </button>
              </li>
            ))}
          </ul>
        </section>
        <QueryBuilder steps={steps} onChange={setSteps} onRun={() => void run(toAst(steps), [null])} running={running} />
        <form
          className="query-text"
          onSubmit={(e) => {
            e.preventDefault();
            if (text.trim()) void run(text, [null]);
          }}
        >
          <label htmlFor="query-text">Query text</label>
          <input id="query-text" type="text" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} className="mono" />
          <button type="submit" disabled={running}>
            Run text
          </button>
        </form>
        {error ? <ErrorBox error={error} /> : null}
        {result ? (
          <section aria-labelledby="results-title" className="results-section" data-testid="results" data-query={result.query}>
            <div className="results-head">
              <h2 id="results-title">
                Results{" "}
                <span className="muted" role="status">
                  {result.paths.length === 0 ? "no paths" : `paths ${(cursors.length - 1) * PAGE_SIZE + 1}–${(cursors.length - 1) * PAGE_SIZE + result.paths.length}`}
                  {result.nextCursor ? " (more)" : ""}
                </span>
              </h2>
              <div className="view-switch" role="group" aria-label="Result view">
                <button type="button" aria-pressed={view === "table"} onClick={() => setView("table")}>
                  Table
                </button>
                <button type="button" aria-pressed={view === "graph"} onClick={() => setView("graph")}>
                  Graph
                </button>
              </div>
            </div>
            {result.paths.length === 0 ? (
              <p className="muted">No path matches this query.</p>
            ) : view === "table" ? (
              <ResultsTable result={result} selection={selection} onSelect={setSelection} />
            ) : (
              <PathGraph result={result} selection={selection} onSelect={setSelection} />
            )}
            <nav className="pager" aria-label="Result pages">
              <button type="button" disabled={running || cursors.length <= 1} onClick={() => void run(result.query, cursors.slice(0, -1))}>
                Previous page
              </button>
              <button type="button" disabled={running || !result.nextCursor} onClick={() => void run(result.query, [...cursors, result.nextCursor])}>
                Next page
              </button>
            </nav>
          </section>
        ) : null}
      </div>
      {selection && result ? <DetailsPanel result={result} selection={selection} onSelect={setSelection} onClose={() => setSelection(null)} /> : null}
    </div>
  );
}
