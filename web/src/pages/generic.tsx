// Renders API answers whose exact shape this build of the UI may not know (the dashboard and admin
// endpoints grow over time): numbers become stat tiles, severity maps become badges, lists of
// records become tables, series of {date, value} become small bar charts. Nothing is dropped.
import { Fragment, type ReactElement } from "react";
import { Link, SeverityCounts, Value, keyLabel, shortDigest } from "../components.js";
import { imagePath } from "../router.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const SEVERITY_KEYS = new Set(["critical", "high", "medium", "low", "negligible", "unknown", "none"]);

function isSeverityMap(v: unknown): v is Obj {
  return isObj(v) && Object.keys(v).length > 0 && Object.keys(v).some((k) => SEVERITY_KEYS.has(k)) && Object.values(v).every((x) => typeof x === "number");
}

const DATE_KEYS = ["date", "day", "week", "at", "time", "bucket", "period"];

/** A series: a list of records with a date-like key and numeric values. */
function seriesShape(rows: Obj[]): { dateKey: string; valueKeys: string[] } | undefined {
  const first = rows[0];
  if (!first || rows.length < 2) return undefined;
  const dateKey = DATE_KEYS.find((k) => typeof first[k] === "string");
  if (!dateKey) return undefined;
  const valueKeys = Object.keys(first).filter((k) => k !== dateKey && rows.every((r) => typeof r[k] === "number"));
  return valueKeys.length ? { dateKey, valueKeys } : undefined;
}

const SERIES_COLOURS = ["var(--critical)", "var(--high)", "var(--medium)", "var(--low)", "var(--accent)", "var(--muted)"];

function colourOf(key: string, i: number): string {
  return SEVERITY_KEYS.has(key) && key !== "none" ? `var(--${key === "negligible" ? "low" : key})` : (SERIES_COLOURS[i % SERIES_COLOURS.length] ?? "var(--accent)");
}

/** Stacked bars, one per date, keyboard-readable through each bar's title and the table fallback. */
function SeriesChart({ rows, dateKey, valueKeys, label }: { rows: Obj[]; dateKey: string; valueKeys: string[]; label: string }) {
  const totals = rows.map((r) => valueKeys.reduce((s, k) => s + (r[k] as number), 0));
  const max = Math.max(1, ...totals);
  const W = 560;
  const H = 140;
  const bw = Math.max(2, Math.floor(W / rows.length) - 2);
  return (
    <figure className="chart">
      <svg width={W} height={H + 20} viewBox={`0 0 ${W} ${H + 20}`} role="img" aria-label={`${label}: ${rows.length} points, highest total ${max}`}>
        {rows.map((r, i) => {
          let y = H;
          return (
            <g key={i}>
              <title>{`${String(r[dateKey])}: ${valueKeys.map((k) => `${k} ${String(r[k])}`).join(", ")}`}</title>
              {valueKeys.map((k, j) => {
                const h = ((r[k] as number) / max) * (H - 4);
                y -= h;
                return <rect key={k} x={i * (bw + 2)} y={y} width={bw} height={h} fill={colourOf(k, j)} />;
              })}
            </g>
          );
        })}
        <text x={0} y={H + 16} className="axis">
          {String(rows[0]?.[dateKey]).slice(0, 10)}
        </text>
        <text x={W} y={H + 16} textAnchor="end" className="axis">
          {String(rows[rows.length - 1]?.[dateKey]).slice(0, 10)}
        </text>
      </svg>
      <figcaption className="legend">
        {valueKeys.map((k, j) => (
          <span key={k}>
            <span className="swatch" style={{ background: colourOf(k, j) }} aria-hidden="true" /> {keyLabel(k)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function Cell({ k, v }: { k: string; v: unknown }) {
  if (typeof v === "string" && /^sha(256|512):[0-9a-f]+$/.test(v) && /digest/i.test(k)) return <Link to={imagePath(v)}>{shortDigest(v)}</Link>;
  if (isSeverityMap(v)) return <SeverityCounts counts={v} />;
  return <Value value={v} />;
}

export function RecordTable({ rows, label }: { rows: Obj[]; label: string }) {
  const cols = [...new Set(rows.slice(0, 50).flatMap((r) => Object.keys(r)))];
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c} scope="col">
                {keyLabel(c)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 100).map((r, i) => (
            <tr key={i}>
              {cols.map((c) => (
                <td key={c}>
                  <Cell k={c} v={r[c]} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 100 ? <p className="muted">{rows.length - 100} more not shown</p> : null}
    </div>
  );
}

/** One named part of an answer, as the fitting widget. */
export function Section({ name, value, level = 2 }: { name: string; value: unknown; level?: 2 | 3 }) {
  const H = level === 2 ? "h2" : "h3";
  const title = keyLabel(name);
  let body: ReactElement;
  if (Array.isArray(value)) {
    const rows = value.filter(isObj);
    const series = rows.length === value.length ? seriesShape(rows) : undefined;
    body =
      value.length === 0 ? (
        <p className="muted">none</p>
      ) : series ? (
        <SeriesChart rows={rows} {...series} label={title} />
      ) : rows.length === value.length ? (
        <RecordTable rows={rows} label={title} />
      ) : (
        <Value value={value} />
      );
  } else if (isSeverityMap(value)) {
    body = <SeverityCounts counts={value} />;
  } else if (isObj(value)) {
    const stats = Object.entries(value).filter(([, v]) => typeof v === "number" || typeof v === "string" || typeof v === "boolean" || v === null);
    const rest = Object.entries(value).filter(([, v]) => !(typeof v === "number" || typeof v === "string" || typeof v === "boolean" || v === null));
    body = (
      <>
        {stats.length ? <Stats entries={stats} /> : null}
        {rest.map(([k, v]) => (
          <Fragment key={k}>{level === 2 ? <Section name={k} value={v} level={3} /> : <Value value={v} />}</Fragment>
        ))}
      </>
    );
  } else {
    body = <Value value={value} />;
  }
  return (
    <section className="card" aria-label={title}>
      <H>{title}</H>
      {body}
    </section>
  );
}

export function Stats({ entries }: { entries: [string, unknown][] }) {
  return (
    <dl className="stats">
      {entries.map(([k, v]) => (
        <div key={k} className="stat">
          <dt>{keyLabel(k)}</dt>
          <dd>{typeof v === "number" ? v.toLocaleString() : <Value value={v} />}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A whole answer: its scalar fields as stat tiles, each other field as a section. */
export function GenericView({ data }: { data: unknown }) {
  if (!isObj(data)) return <Value value={data} />;
  const scalars = Object.entries(data).filter(([, v]) => typeof v !== "object" || v === null);
  const parts = Object.entries(data).filter(([, v]) => typeof v === "object" && v !== null);
  return (
    <>
      {scalars.length ? (
        <section className="card" aria-label="Summary">
          <Stats entries={scalars} />
        </section>
      ) : null}
      <div className="sections">
        {parts.map(([k, v]) => (
          <Section key={k} name={k} value={v} />
        ))}
      </div>
    </>
  );
}
