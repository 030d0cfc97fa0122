// The query builder: a row of step cards (node type + conditions), a "+" that adds a related type,
// and a Run button. Every control is labelled and reachable by keyboard.
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { NodeType } from "../../../src/server/explore/schema.js";
import {
  OP_LABELS,
  SEVERITIES,
  defaultCondition,
  fieldDoc,
  fieldKind,
  fieldsOf,
  newId,
  nextTypes,
  opsFor,
  startTypes,
  typeLabel,
  type Condition,
  type Op,
  type Step,
} from "./builder.js";

interface Props {
  steps: readonly Step[];
  onChange: (steps: Step[]) => void;
  onRun: () => void;
  running: boolean;
}

function ValueInput({ step, c, label, onChange }: { step: Step; c: Condition; label: string; onChange: (v: string | boolean) => void }) {
  const kind = fieldKind(step.type, c.field) ?? { kind: "string" as const };
  if (c.op === "exists") return null;
  switch (kind.kind) {
    case "boolean":
      return (
        <label className="toggle">
          <input type="checkbox" checked={c.value === true || c.value === "true"} onChange={(e) => onChange(e.target.checked)} aria-label={label} />
          <span aria-hidden="true">{c.value === true || c.value === "true" ? "yes" : "no"}</span>
        </label>
      );
    case "severity":
      return (
        <select aria-label={label} value={String(c.value)} onChange={(e) => onChange(e.target.value)}>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      );
    case "enum":
      return (
        <select aria-label={label} value={String(c.value)} onChange={(e) => onChange(e.target.value)}>
          {kind.values.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      );
    case "timestamp":
      return (
        <>
          <input
            type="text"
            aria-label={label}
            list="berth-time-suggestions"
            placeholder="now-7d or 2026-01-31"
            value={String(c.value)}
            onChange={(e) => onChange(e.target.value)}
            size={14}
          />
        </>
      );
    case "number":
      return <input type="number" aria-label={label} value={String(c.value)} onChange={(e) => onChange(e.target.value)} className="num" />;
    case "string":
      return (
        <input
          type="text"
          aria-label={label}
          placeholder={c.op === "~" ? "glob, e.g. acme/*" : "value"}
          value={String(c.value)}
          onChange={(e) => onChange(e.target.value)}
          size={14}
        />
      );
  }
}

function ConditionRow({ step, index, c, onChange, onRemove }: { step: Step; index: number; c: Condition; onChange: (c: Condition) => void; onRemove: () => void }) {
  const kind = fieldKind(step.type, c.field) ?? { kind: "string" as const };
  const where = `step ${index + 1} ${c.field}`;
  return (
    <li className="condition">
      <span className="field" title={fieldDoc(step.type, c.field)}>
        {c.field}
      </span>
      {opsFor(kind).length > 1 ? (
        <select aria-label={`Operator for ${where}`} value={c.op} onChange={(e) => onChange({ ...c, op: e.target.value as Op })}>
          {opsFor(kind).map((op) => (
            <option key={op} value={op}>
              {OP_LABELS[op]}
            </option>
          ))}
        </select>
      ) : null}
      <ValueInput step={step} c={c} label={`Value for ${where}`} onChange={(value) => onChange({ ...c, value })} />
      <button type="button" className="icon" onClick={onRemove} aria-label={`Remove condition ${where}`} title="Remove condition">
        ×
      </button>
    </li>
  );
}

function AddMenu({ types, onPick }: { types: NodeType[]; onPick: (t: NodeType) => void }) {
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) menu.current?.querySelector("button")?.focus();
  }, [open]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      setOpen(false);
      button.current?.focus();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const items = [...(menu.current?.querySelectorAll("button") ?? [])];
      const i = items.indexOf(document.activeElement as HTMLButtonElement);
      const next = items[(i + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length];
      next?.focus();
    }
  };
  if (types.length === 0) return null;
  return (
    <div className="add-step">
      <button
        ref={button}
        type="button"
        className="plus"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label="Add a related node type"
        title="Add a related node type"
        onClick={() => setOpen((o) => !o)}
      >
        +
      </button>
      {open ? (
        <div className="menu" ref={menu} role="group" aria-label="Related node types" onKeyDown={onKey}>
          {types.map((t) => (
            <button
              key={t}
              type="button"
              onClick={() => {
                setOpen(false);
                onPick(t);
              }}
            >
              {typeLabel(t)}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

export function QueryBuilder({ steps, onChange, onRun, running }: Props) {
  const update = (i: number, s: Step) => onChange(steps.map((x, j) => (j === i ? s : x)));
  const setType = (i: number, t: NodeType) => {
    // A new type changes which types may follow it: later steps are dropped.
    const s: Step = { id: newId(), type: t, conditions: [] };
    onChange([...steps.slice(0, i), s]);
  };
  const last = steps[steps.length - 1];
  return (
    <form
      className="builder"
      aria-label="Query builder"
      onSubmit={(e) => {
        e.preventDefault();
        onRun();
      }}
    >
      <datalist id="berth-time-suggestions">
        <option value="now-1d" />
        <option value="now-7d" />
        <option value="now-30d" />
        <option value="now-90d" />
      </datalist>
      <ol className="steps">
        {steps.map((s, i) => {
          const options = i === 0 ? startTypes() : nextTypes(steps[i - 1]!.type);
          const unused = fieldsOf(s.type).filter(([f]) => !s.conditions.some((c) => c.field === f));
          return (
            <li key={s.id} className="step" aria-label={`Step ${i + 1}: ${typeLabel(s.type)}`}>
              <div className="step-head">
                {i > 0 ? (
                  <span className="arrow" aria-hidden="true">
                    →
                  </span>
                ) : null}
                <label className="sr-only" htmlFor={`step-type-${s.id}`}>
                  Step {i + 1} type
                </label>
                <select id={`step-type-${s.id}`} value={s.type} onChange={(e) => setType(i, e.target.value as NodeType)} className={`type type-${s.type}`}>
                  {options.map((t) => (
                    <option key={t} value={t}>
                      {typeLabel(t)}
                    </option>
                  ))}
                </select>
                {i > 0 && i === steps.length - 1 ? (
                  <button type="button" className="icon" aria-label={`Remove step ${i + 1}`} title="Remove step" onClick={() => onChange(steps.slice(0, i))}>
                    ×
                  </button>
                ) : null}
              </div>
              {s.conditions.length > 0 ? (
                <ul className="conditions">
                  {s.conditions.map((c) => (
                    <ConditionRow
                      key={c.id}
                      step={s}
                      index={i}
                      c={c}
                      onChange={(nc) => update(i, { ...s, conditions: s.conditions.map((x) => (x.id === c.id ? nc : x)) })}
                      onRemove={() => update(i, { ...s, conditions: s.conditions.filter((x) => x.id !== c.id) })}
                    />
                  ))}
                </ul>
              ) : null}
              {unused.length > 0 ? (
                <select
                  aria-label={`Add condition to step ${i + 1}`}
                  value=""
                  className="add-condition"
                  onChange={(e) => {
                    if (e.target.value) update(i, { ...s, conditions: [...s.conditions, defaultCondition(s.type, e.target.value)] });
                  }}
                >
                  <option value="">+ condition…</option>
                  {unused.map(([f]) => (
                    <option key={f} value={f} title={fieldDoc(s.type, f)}>
                      {f}
                    </option>
                  ))}
                </select>
              ) : null}
            </li>
          );
        })}
        <li className="step-add">{last ? <AddMenu types={nextTypes(last.type)} onPick={(t) => onChange([...steps, { id: newId(), type: t, conditions: [] }])} /> : null}</li>
      </ol>
      <div className="builder-actions">
        <button type="submit" className="primary" disabled={running || steps.length === 0}>
          {running ? "Running…" : "Run query"}
        </button>
      </div>
    </form>
  );
}
