// Result paths as a layered graph in plain SVG: one column per query step, each node once per
// column, edges between neighbouring columns labelled with their relationship. The path query makes
// the layout trivial, so no graph library (and its 100+ KB) is needed.
import { useMemo, type KeyboardEvent } from "react";
import type { ExploreResponse, PathEdge } from "../api.js";
import { typeLabel } from "./builder.js";
import { edgeKey, isSelected, type Selection } from "./selection.js";

const COL_W = 180;
const GAP = 70;
const ROW_H = 40;
const NODE_H = 28;
const TOP = 36;
/** Nodes drawn per column; the table and paging show the rest. */
const MAX_PER_COLUMN = 60;

interface Layout {
  columns: { key: string; y: number }[][];
  hidden: number[];
  edges: { edge: PathEdge; col: number; y1: number; y2: number; forward: boolean }[];
  height: number;
}

export function layoutPaths(result: ExploreResponse): Layout {
  const nSteps = result.ast.steps.length;
  const columns: { key: string; y: number }[][] = Array.from({ length: nSteps }, () => []);
  const index: Map<string, number>[] = Array.from({ length: nSteps }, () => new Map());
  const hidden = Array.from({ length: nSteps }, () => 0);
  for (const p of result.paths) {
    p.nodes.forEach((key, i) => {
      const col = columns[i];
      const idx = index[i];
      if (!col || !idx || idx.has(key)) return;
      if (col.length >= MAX_PER_COLUMN) {
        idx.set(key, -1);
        hidden[i] = (hidden[i] ?? 0) + 1;
        return;
      }
      idx.set(key, col.length);
      col.push({ key, y: TOP + col.length * ROW_H });
    });
  }
  const seen = new Set<string>();
  const edges: Layout["edges"] = [];
  for (const p of result.paths) {
    p.edges.forEach((edge, i) => {
      const left = p.nodes[i];
      const right = p.nodes[i + 1];
      if (left === undefined || right === undefined) return;
      const k = `${i}|${edgeKey(edge)}`;
      if (seen.has(k)) return;
      seen.add(k);
      const a = index[i]?.get(left) ?? -1;
      const b = index[i + 1]?.get(right) ?? -1;
      if (a < 0 || b < 0) return;
      edges.push({ edge, col: i, y1: TOP + a * ROW_H + NODE_H / 2, y2: TOP + b * ROW_H + NODE_H / 2, forward: edge.from === left });
    });
  }
  const rows = Math.max(1, ...columns.map((c) => c.length));
  return { columns, hidden, edges, height: TOP + rows * ROW_H + 24 };
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function activate(e: KeyboardEvent, f: () => void) {
  if (e.key === "Enter" || e.key === " ") {
    e.preventDefault();
    f();
  }
}

export function PathGraph({ result, selection, onSelect }: { result: ExploreResponse; selection: Selection | null; onSelect: (s: Selection) => void }) {
  const layout = useMemo(() => layoutPaths(result), [result]);
  const steps = result.ast.steps;
  const width = steps.length * COL_W + (steps.length - 1) * GAP + 20;
  const x = (col: number) => 10 + col * (COL_W + GAP);
  // Label each edge only when a column gap has few of them; otherwise once, above the gap.
  const perGap = steps.map((_, i) => layout.edges.filter((e) => e.col === i).length);
  return (
    <div className="graph-wrap">
      <svg className="graph" width={width} height={layout.height} viewBox={`0 0 ${width} ${layout.height}`} role="group" aria-label="Result graph">
        {steps.map((s, i) => (
          <text key={`h${i}`} x={x(i)} y={18} className="col-head">
            {typeLabel(s.type)}
            {layout.hidden[i] ? ` (+${layout.hidden[i]} more)` : ""}
          </text>
        ))}
        {steps.slice(0, -1).map((_, i) => {
          const names = [...new Set(layout.edges.filter((e) => e.col === i).map((e) => e.edge.name))];
          return (perGap[i] ?? 0) > 8 && names.length ? (
            <text key={`g${i}`} x={x(i) + COL_W + GAP / 2} y={18} textAnchor="middle" className="edge-label">
              {names.join(", ")}
            </text>
          ) : null;
        })}
        {layout.edges.map(({ edge, col, y1, y2, forward }) => {
          const x1 = x(col) + COL_W;
          const x2 = x(col + 1);
          const mx = (x1 + x2) / 2;
          const d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
          const sel: Selection = { kind: "edge", edge };
          const left = result.nodes[edge.from]?.label ?? edge.from;
          const right = result.nodes[edge.to]?.label ?? edge.to;
          return (
            <g
              key={`${col}|${edgeKey(edge)}`}
              className={`edge${isSelected(selection, sel) ? " selected" : ""}`}
              tabIndex={0}
              role="button"
              aria-label={`Edge: ${left} ${edge.name} ${right}`}
              onClick={() => onSelect(sel)}
              onKeyDown={(e) => activate(e, () => onSelect(sel))}
            >
              <path d={d} className="edge-hit" />
              <path d={d} className="edge-line" {...(forward ? { markerEnd: "url(#arrow)" } : { markerStart: "url(#arrow)" })} />
              {(perGap[col] ?? 0) <= 8 ? (
                <text x={mx} y={(y1 + y2) / 2 - 4} textAnchor="middle" className="edge-label">
                  {edge.name}
                </text>
              ) : null}
            </g>
          );
        })}
        {layout.columns.map((col, i) =>
          col.map(({ key, y }) => {
            const node = result.nodes[key];
            const sel: Selection = { kind: "node", key };
            const label = node?.label ?? key;
            return (
              <g
                key={`${i}|${key}`}
                className={`node type-${node?.type ?? "unknown"}${isSelected(selection, sel) ? " selected" : ""}`}
                tabIndex={0}
                role="button"
                aria-label={`${typeLabel(node?.type ?? "")}: ${label}`}
                onClick={() => onSelect(sel)}
                onKeyDown={(e) => activate(e, () => onSelect(sel))}
              >
                <title>{label}</title>
                <rect x={x(i)} y={y} width={COL_W} height={NODE_H} rx={6} />
                <text x={x(i) + 10} y={y + NODE_H / 2 + 4}>
                  {truncate(label, 25)}
                </text>
              </g>
            );
          }),
        )}
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
          </marker>
        </defs>
      </svg>
    </div>
  );
}
