// Small building blocks shared by the pages.
import { useState, type MouseEvent, type ReactNode } from "react";
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

/** Severities highest first, as the server's model orders them. */
export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "negligible", "none", "unknown"] as const;
const SEVERITIES: readonly string[] = SEVERITY_ORDER;

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

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];
const relFormat = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "3 hours ago" for an ISO time relative to `now` (the server's clock when it gave one). */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (!Number.isFinite(ms)) return iso;
  for (const [unit, size] of UNITS) if (Math.abs(ms) >= size) return relFormat.format(Math.round(ms / size), unit);
  return relFormat.format(Math.round(ms / 1000), "second");
}

/** A relative timestamp ("2 days ago") with the exact local time on hover. */
export function RelTime({ value, now }: { value: unknown; now?: number }) {
  if (typeof value !== "string" || !ISO_RE.test(value)) return <span className="muted">—</span>;
  const d = new Date(value);
  return (
    <time dateTime={value} title={Number.isNaN(d.getTime()) ? value : d.toLocaleString()}>
      {relativeTime(value, now)}
    </time>
  );
}

/** The highest severity with a count above zero, or null. */
export function highestSeverity(counts: Record<string, unknown>): string | null {
  return SEVERITY_ORDER.find((s) => typeof counts[s] === "number" && (counts[s] as number) > 0) ?? null;
}

/** Copies text to the clipboard, with a short confirmation beside the button. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<"" | "copied" | "failed">("");
  const copy = () => {
    const done = (ok: boolean) => {
      setCopied(ok ? "copied" : "failed");
      setTimeout(() => setCopied(""), 2500);
    };
    if (navigator.clipboard) navigator.clipboard.writeText(text).then(() => done(true), () => done(false));
    else done(false);
  };
  return (
    <>
      <button type="button" onClick={copy}>
        {label}
      </button>
      <span role="status" aria-live="polite" className="small muted">
        {copied === "copied" ? "Copied" : copied === "failed" ? "Copy failed: select the text and copy it" : ""}
      </span>
    </>
  );
}

/** A copy of a set with one value added or removed (filter chips, legend toggles). */
export function toggled<T>(set: ReadonlySet<T>, v: T): Set<T> {
  const n = new Set(set);
  if (n.has(v)) n.delete(v);
  else n.add(v);
  return n;
}
