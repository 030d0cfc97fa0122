// Result paths as a table: one row per path, one column per step, and the edge between two steps
// as a small button that opens its details.
import type { ExploreResponse, PathEdge } from "../api.js";
import { typeLabel } from "./builder.js";
import { edgeKey, isSelected, type Selection } from "./selection.js";

export function edgeArrow(e: PathEdge, leftKey: string): string {
  return e.from === leftKey ? `${e.name} →` : `← ${e.name}`;
}

export function ResultsTable({ result, selection, onSelect }: { result: ExploreResponse; selection: Selection | null; onSelect: (s: Selection) => void }) {
  const steps = result.ast.steps;
  return (
    <div className="table-wrap">
      <table className="results" aria-label="Result paths">
        <thead>
          <tr>
            <th scope="col" className="rownum">
              #
            </th>
            {steps.map((s, i) => (
              <th key={i} scope="col" colSpan={i < steps.length - 1 ? 2 : 1}>
                {typeLabel(s.type)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.paths.map((p, r) => (
            <tr key={r} data-path={p.nodes.join(" ")}>
              <td className="rownum">{r + 1}</td>
              {p.nodes.map((key, i) => {
                const node = result.nodes[key];
                const edge = p.edges[i];
                const nodeSel: Selection = { kind: "node", key };
                return [
                  <td key={`n${i}`}>
                    <button type="button" className={`node-chip type-${node?.type ?? "unknown"}${isSelected(selection, nodeSel) ? " selected" : ""}`} onClick={() => onSelect(nodeSel)} title={key}>
                      {node?.label ?? key}
                    </button>
                  </td>,
                  edge ? (
                    <td key={`e${i}`} className="edge-cell">
                      <button
                        type="button"
                        className={`edge-chip${isSelected(selection, { kind: "edge", edge }) ? " selected" : ""}`}
                        onClick={() => onSelect({ kind: "edge", edge })}
                        aria-label={`Edge ${edge.name} between ${node?.label ?? key} and ${result.nodes[edge.to === key ? edge.from : edge.to]?.label ?? ""}`}
                        data-edge={edgeKey(edge)}
                      >
                        {edgeArrow(edge, key)}
                      </button>
                    </td>
                  ) : null,
                ];
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
