// What the side panel shows: a node (by key) or one edge of a result path.
import type { PathEdge } from "../api.js";

export type Selection = { kind: "node"; key: string } | { kind: "edge"; edge: PathEdge };

export function edgeKey(e: PathEdge): string {
  return `${e.from}|${e.name}|${e.to}`;
}

export function isSelected(sel: Selection | null, what: Selection): boolean {
  if (!sel) return false;
  if (sel.kind === "node" && what.kind === "node") return sel.key === what.key;
  if (sel.kind === "edge" && what.kind === "edge") return edgeKey(sel.edge) === edgeKey(what.edge);
  return false;
}
