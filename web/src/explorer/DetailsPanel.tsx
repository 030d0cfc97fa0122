// The side panel for a selected node or edge: its properties, links out (pipeline run, image page)
// and, for an edge, both ends so the pipeline run, commit, actor or exposure route are one glance away.
import { useEffect, useRef, type ReactElement } from "react";
import type { ExploreResponse, GraphNode } from "../api.js";
import { Link, Props } from "../components.js";
import { imagePath } from "../router.js";
import { typeLabel } from "./builder.js";
import type { Selection } from "./selection.js";

function NodeSummary({ node, nodeKey, onSelect }: { node: GraphNode | undefined; nodeKey: string; onSelect?: () => void }) {
  const digest = node?.type === "image" ? (typeof node.props.digest === "string" ? node.props.digest : node.id) : undefined;
  return (
    <section className="node-summary">
      <h3>
        <span className={`type-dot type-${node?.type ?? "unknown"}`} aria-hidden="true" />
        {typeLabel(node?.type ?? "")}:{" "}
        {onSelect ? (
          <button type="button" className="link-button" onClick={onSelect}>
            {node?.label ?? nodeKey}
          </button>
        ) : (
          <span className="mono-wrap">{node?.label ?? nodeKey}</span>
        )}
      </h3>
      {digest ? (
        <p>
          <Link to={imagePath(digest)}>Open image page</Link>
        </p>
      ) : null}
      <Props props={node?.props ?? {}} />
    </section>
  );
}

export function DetailsPanel({ result, selection, onSelect, onClose }: { result: ExploreResponse; selection: Selection; onSelect: (s: Selection) => void; onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [selection]);
  let title: string;
  let body: ReactElement;
  if (selection.kind === "node") {
    const node = result.nodes[selection.key];
    title = `${typeLabel(node?.type ?? "")} details`;
    body = <NodeSummary node={node} nodeKey={selection.key} />;
  } else {
    const e = selection.edge;
    const from = result.nodes[e.from];
    const to = result.nodes[e.to];
    title = `Edge: ${e.name}`;
    body = (
      <>
        <p className="edge-sentence">
          {from?.label ?? e.from} <strong>{e.name}</strong> {to?.label ?? e.to}
        </p>
        <h3>Edge details</h3>
        <Props props={e.details} />
        <NodeSummary node={from} nodeKey={e.from} onSelect={() => onSelect({ kind: "node", key: e.from })} />
        <NodeSummary node={to} nodeKey={e.to} onSelect={() => onSelect({ kind: "node", key: e.to })} />
      </>
    );
  }
  return (
    <aside
      className="details"
      aria-labelledby="details-title"
      onKeyDown={(ev) => {
        if (ev.key === "Escape") onClose();
      }}
    >
      <div className="details-head">
        <h2 id="details-title" tabIndex={-1} ref={heading}>
          {title}
        </h2>
        <button type="button" className="icon" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </div>
      {body}
    </aside>
  );
}
