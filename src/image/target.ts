// What the user names on the command line, with the transport prefixes skopeo and Syft users know:
// registry:REF (or a bare reference), oci:DIR[:REF] (alias oci-dir:), oci-archive:FILE[:REF],
// docker-archive:FILE[:NAME:TAG], dir:PATH. A bare local path is recognised by its content.
import { existsSync, statSync } from "node:fs";
import type { Platform } from "../model/image.js";
import { BerthError } from "../util/errors.js";
import type { Limits } from "../util/limits.js";
import { openDockerArchive } from "./docker-archive.js";
import { dirStore, openTarStore } from "./local-store.js";
import { openOciLayout } from "./oci-layout.js";
import { openRegistryImage } from "./registry/index.js";
import type { ImageSource } from "./source.js";
import { indexTar } from "./tar-index.js";

export type Target =
  | { readonly kind: "registry"; readonly ref: string }
  | { readonly kind: "oci-dir"; readonly path: string; readonly ref?: string }
  | { readonly kind: "oci-archive"; readonly path: string; readonly ref?: string }
  | { readonly kind: "docker-archive"; readonly path: string; readonly name?: string }
  | { readonly kind: "dir"; readonly path: string };

/** Splits "PATH[:REST]" where PATH must exist; the longest existing prefix wins. */
function splitExisting(s: string): { path: string; rest?: string } {
  if (existsSync(s)) return { path: s };
  for (let i = s.indexOf(":"); i !== -1; i = s.indexOf(":", i + 1)) {
    const p = s.slice(0, i);
    if (p && existsSync(p)) return { path: p, rest: s.slice(i + 1) };
  }
  return { path: s };
}

function withRef<T extends "oci-dir" | "oci-archive">(kind: T, s: string): Target {
  const { path, rest } = splitExisting(s);
  return rest ? { kind, path, ref: rest } : { kind, path };
}

/** Parses a target string; local paths without a prefix are identified by `sniffLocal`. */
export function parseTarget(input: string): Target {
  const m = /^(registry|docker|oci|oci-dir|oci-archive|docker-archive|dir):(.*)$/.exec(input);
  if (m) {
    const [, prefix, rest] = m as unknown as [string, string, string];
    if (!rest) throw new BerthError("usage", `target "${input}" names no ${prefix}`);
    switch (prefix) {
      case "registry":
        return { kind: "registry", ref: rest };
      case "docker":
        return { kind: "registry", ref: rest.replace(/^\/\//, "") };
      case "oci":
      case "oci-dir":
        return withRef("oci-dir", rest);
      case "oci-archive":
        return withRef("oci-archive", rest);
      case "docker-archive": {
        const { path, rest: name } = splitExisting(rest);
        return name ? { kind: "docker-archive", path, name } : { kind: "docker-archive", path };
      }
      case "dir":
        return { kind: "dir", path: rest };
    }
  }
  if (existsSync(input)) return { kind: "dir", path: input }; // refined by sniffLocal
  return { kind: "registry", ref: input };
}

/** A bare local path: an OCI layout dir, a rootfs dir, an OCI archive or a docker-archive file. */
export async function sniffLocal(path: string, limits: Limits): Promise<Target> {
  const st = statSync(path);
  if (st.isDirectory()) return existsSync(`${path}/oci-layout`) ? { kind: "oci-dir", path } : { kind: "dir", path };
  try {
    const idx = await indexTar(path, limits, path);
    if (idx.members.has("manifest.json")) return { kind: "docker-archive", path };
    if (idx.members.has("oci-layout")) return { kind: "oci-archive", path };
  } catch {
    // compressed (docker save | gzip) or not a tar: try as docker-archive, which says what is wrong
  }
  return { kind: "docker-archive", path };
}

export async function resolveTarget(input: string, limits: Limits): Promise<Target> {
  const t = parseTarget(input);
  const explicit = /^(registry|docker|oci|oci-dir|oci-archive|docker-archive|dir):/.test(input);
  return !explicit && t.kind === "dir" ? sniffLocal(t.path, limits) : t;
}

export interface OpenImageOptions {
  /** The platform picked from an index (multi-platform image). */
  readonly platform: Platform;
  /**
   * A single-platform image must be that platform too (the CLI's explicit --platform). Default
   * false: an image built for one platform is what it is, and is read as such.
   */
  readonly requirePlatform?: boolean;
  readonly limits: Limits;
  readonly insecure?: boolean;
  readonly log?: (msg: string) => void;
  /** Environment for registry credentials (DOCKER_CONFIG, HOME, helpers' PATH); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export function describeTarget(t: Target): string {
  switch (t.kind) {
    case "registry":
      return t.ref;
    case "oci-dir":
      return `oci:${t.path}${t.ref ? `:${t.ref}` : ""}`;
    case "oci-archive":
      return `oci-archive:${t.path}${t.ref ? `:${t.ref}` : ""}`;
    case "docker-archive":
      return `docker-archive:${t.path}${t.name ? `:${t.name}` : ""}`;
    case "dir":
      return `dir:${t.path}`;
  }
}

/** Opens an image target (not `dir:`, which the catalog walks directly). */
export async function openImage(t: Exclude<Target, { kind: "dir" }>, opts: OpenImageOptions): Promise<ImageSource> {
  const reference = describeTarget(t);
  switch (t.kind) {
    case "registry":
      return openRegistryImage(t.ref, {
        platform: opts.platform,
        requirePlatform: opts.requirePlatform ?? false,
        limits: opts.limits,
        ...(opts.insecure ? { insecure: true } : {}),
        ...(opts.log ? { log: opts.log } : {}),
        ...(opts.env ? { credentialLookup: { env: opts.env } } : {}),
      });
    case "oci-dir":
      if (!existsSync(t.path)) throw new BerthError("not-found", `${reference}: no such directory`);
      return openOciLayout(dirStore(t.path, reference), { reference, ...(t.ref ? { ref: t.ref } : {}), platform: opts.platform, limits: opts.limits });
    case "oci-archive":
      if (!existsSync(t.path)) throw new BerthError("not-found", `${reference}: no such file`);
      return openOciLayout(await openTarStore(t.path, opts.limits, reference), { reference, ...(t.ref ? { ref: t.ref } : {}), platform: opts.platform, limits: opts.limits });
    case "docker-archive":
      if (!existsSync(t.path)) throw new BerthError("not-found", `${reference}: no such file`);
      return openDockerArchive(t.path, { reference, ...(t.name ? { name: t.name } : {}), limits: opts.limits });
  }
}
