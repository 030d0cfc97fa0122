// Base-image policy for a Dockerfile: every image the build pulls must come from an allowed
// internal registry, be pinned by digest, and (when keys or a trust policy are given) verify; the
// final stage should run on a distroless or minimal base (advice, never a failure).
import { isDockerHub, parseReference, repositoryName, type ImageReference } from "../image/registry/reference.js";
import { describeError } from "../util/errors.js";
import { finalBase, parseDockerfile, type ImageUse, type ParsedDockerfile } from "./dockerfile.js";

export type FindingCode = "untrusted-registry" | "not-pinned" | "unresolved-arg" | "invalid-reference" | "verify-failed" | "not-minimal";

export interface BaseFinding {
  readonly severity: "error" | "advice";
  readonly code: FindingCode;
  readonly line: number;
  readonly image: string;
  readonly message: string;
}

export interface BaseImageReport {
  readonly dockerfile: string;
  readonly images: readonly { readonly line: number; readonly use: ImageUse["use"]; readonly image: string; readonly kind: ImageUse["kind"] }[];
  readonly findings: readonly BaseFinding[];
  readonly notes: readonly string[];
  readonly passed: boolean;
}

export interface BasePolicyOptions {
  readonly buildArgs?: Readonly<Record<string, string>>;
  /** Registries ("registry.example.com") or repository prefixes ("registry.example.com/base"); empty: not checked. */
  readonly allowedRegistries: readonly string[];
  /** Verifies one image reference (signature, attestations); returns the failures ([] when it holds). */
  readonly verify?: (ref: string) => Promise<readonly string[]>;
}

/** True when the reference's registry or repository is on the allow list. */
export function isAllowed(ref: ImageReference, allowed: readonly string[]): boolean {
  const repo = repositoryName(ref);
  return allowed.some((a) => {
    const entry = a.replace(/\/+$/, "").toLowerCase();
    if (!entry.includes("/")) return entry === ref.registry.toLowerCase() || (isDockerHub(entry) && isDockerHub(ref.registry));
    return repo === entry || repo.startsWith(`${entry}/`);
  });
}

const MINIMAL = /(^|[/._-])(distroless|chainguard|wolfi|static|busybox|minimal|micro|chiseled|scratch)([/._-]|$)/i;

/** Whether an image name says it is distroless or minimal (a heuristic over the name). */
export function looksMinimal(ref: ImageReference): boolean {
  return ref.registry === "cgr.dev" || MINIMAL.test(ref.repository) || (ref.tag !== undefined && /(distroless|chiseled|minimal|micro)/i.test(ref.tag));
}

function parseRef(value: string): ImageReference | string {
  try {
    return parseReference(value);
  } catch (e) {
    return describeError(e);
  }
}

export async function checkBaseImages(text: string, dockerfile: string, opts: BasePolicyOptions): Promise<BaseImageReport> {
  const parsed: ParsedDockerfile = parseDockerfile(text, opts.buildArgs ?? {});
  const findings: BaseFinding[] = [];
  const notes: string[] = [...parsed.warnings.map((w) => `${dockerfile}: ${w}`)];
  if (parsed.stages.length === 0) notes.push(`${dockerfile}: no FROM instruction`);
  if (opts.allowedRegistries.length === 0) notes.push("no allowed registry list given (--allowed-registry or baseImages.allowedRegistries in the trust policy): registries not checked");
  const verified = new Map<string, readonly string[]>();
  for (const u of parsed.uses) {
    if (u.kind !== "image") continue;
    const at = (code: FindingCode, message: string, severity: BaseFinding["severity"] = "error"): void => {
      findings.push({ severity, code, line: u.line, image: code === "unresolved-arg" ? u.raw : u.value || u.raw, message });
    };
    if (u.unresolved.length) {
      at("unresolved-arg", `${u.raw} uses ${u.unresolved.map((v) => `$${v}`).join(", ")} with no value (give a default in ARG or --build-arg)`);
      continue;
    }
    const ref = parseRef(u.value);
    if (typeof ref === "string") {
      at("invalid-reference", ref);
      continue;
    }
    if (opts.allowedRegistries.length && !isAllowed(ref, opts.allowedRegistries)) at("untrusted-registry", `${repositoryName(ref)} is not in an allowed registry (${opts.allowedRegistries.join(", ")})`);
    if (!ref.digest) at("not-pinned", `${u.value} is not pinned by digest (pin it: ${u.value}@sha256:<digest>)`);
    if (opts.verify) {
      let failures = verified.get(u.value);
      if (!failures) {
        try {
          failures = await opts.verify(u.value);
        } catch (e) {
          failures = [describeError(e)];
        }
        verified.set(u.value, failures);
      }
      for (const f of failures) at("verify-failed", f);
    }
  }
  const base = finalBase(parsed);
  if (base?.kind === "image" && base.unresolved.length === 0) {
    const ref = parseRef(base.value);
    if (typeof ref !== "string" && !looksMinimal(ref)) {
      findings.push({ severity: "advice", code: "not-minimal", line: base.line, image: base.value, message: `the final stage runs on ${repositoryName(ref)}, which is not distroless or minimal; a distroless/static base or FROM scratch leaves no shell or package manager to exploit` });
    }
  }
  return {
    dockerfile,
    images: parsed.uses.map((u) => ({ line: u.line, use: u.use, image: u.value || u.raw, kind: u.kind })),
    findings,
    notes,
    passed: !findings.some((f) => f.severity === "error"),
  };
}
