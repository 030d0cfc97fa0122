// Small building blocks shared by the pages.
import type { MouseEvent, ReactNode } from "react";
import { navigate } from "./router.js";

/** An in-app link: a real <a href> (open in new tab works) that navigates without a reload. */
export function Link(props: { to: string; children: ReactNode; className?: string; "aria-current"?: "page" | undefined }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} onClick={onClick} className={props.className} aria-current={props["aria-current"]}>
      {props.children}
    </a>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

const SEVERITIES = ["critical", "high", "medium", "low", "negligible", "none", "unknown"];

export function SeverityBadge({ severity }: { severity: string }) {
  const s = SEVERITIES.includes(severity) ? severity : "unknown";
  return <span className={`sev sev-${s}`}>{severity}</span>;
}

/** Counts per severity, highest first, as badges ("3 critical 5 high"). */
export function SeverityCounts({ counts }: { counts: Record<string, unknown> }) {
  const parts = SEVERITIES.filter((s) => typeof counts[s] === "number" && (counts[s] as number) > 0);
  if (parts.length === 0) return <span className="muted">none</span>;
  return (
    <span className="sev-counts">
      {parts.map((s) => (
        <span key={s} className={`sev sev-${s}`} title={`${String(counts[s])} ${s}`}>
          {String(counts[s])} {s}
        </span>
      ))}
    </span>
  );
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A timestamp in the reader's locale, with the exact ISO value on hover. */
export function Time({ value }: { value: unknown }) {
  if (typeof value !== "string" || !ISO_RE.test(value)) return <span className="muted">—</span>;
  const d = new Date(value);
  return (
    <time dateTime={value} title={value}>
      {Number.isNaN(d.getTime()) ? value : d.toLocaleString()}
    </time>
  );
}

function isSafeUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** One property value: links for URLs, local times for timestamps, lists joined, objects as JSON. */
export function Value({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === "") return <span className="muted">—</span>;
  if (typeof value === "string") {
    if (isSafeUrl(value))
      return (
        <a href={value} target="_blank" rel="noreferrer noopener">
          {value}
        </a>
      );
    if (ISO_RE.test(value)) return <Time value={value} />;
    return <span className="mono-wrap">{value}</span>;
  }
  if (typeof value === "boolean") return <span>{value ? "yes" : "no"}</span>;
  if (typeof value === "number") return <span>{value}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    if (value.every((v) => typeof v !== "object" || v === null)) return <span className="mono-wrap">{value.map(String).join(", ")}</span>;
    return (
      <ul className="plain">
        {value.map((v, i) => (
          <li key={i}>
            <Value value={v} />
          </li>
        ))}
      </ul>
    );
  }
  if (typeof value === "object") return <Props props={value as Record<string, unknown>} />;
  return <span>{String(value)}</span>;
}

/** Human labels for camelCase keys ("runUrl" → "Run URL"). */
export function keyLabel(k: string): string {
  const words = k
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[._-]+/g, " ")
    .toLowerCase()
    .replace(/\burl\b/g, "URL")
    .replace(/\bid\b/g, "ID");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function Props({ props }: { props: Record<string, unknown> }) {
  const entries = Object.entries(props);
  if (entries.length === 0) return <p className="muted">No details.</p>;
  return (
    <dl className="props">
      {entries.map(([k, v]) => (
        <div key={k} className="prop">
          <dt>{keyLabel(k)}</dt>
          <dd>
            <Value value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function shortDigest(d: string): string {
  const m = /^(sha\d+):([0-9a-f]+)$/.exec(d);
  return m ? `${m[1]}:${m[2]!.slice(0, 12)}` : d;
}
