// The final filesystem, as far as Berth reads it: claimed files and every symlink, after layers
// are applied in order with whiteouts and opaque directories. Path resolution follows symlinks
// *inside* the root only: an absolute target is taken from the image root, ".." stops at the root,
// and a loop or a too-long chain is an error, never a hang.
import { posix } from "node:path";
import { BerthError } from "../util/errors.js";
import type { LayerFiles } from "./layer.js";

export type TreeNode =
  | { readonly kind: "file"; readonly data: Buffer; readonly layer?: string }
  | { readonly kind: "symlink"; readonly target: string; readonly layer?: string };

export interface FileTree {
  /** Relative path → node. */
  readonly nodes: Map<string, TreeNode>;
  readonly warnings: string[];
}

function removeTree(nodes: Map<string, TreeNode>, path: string, keepSelf: boolean): void {
  const prefix = path === "" ? "" : `${path}/`;
  for (const key of [...nodes.keys()]) {
    if ((!keepSelf && key === path) || (prefix === "" ? key !== "" : key.startsWith(prefix))) nodes.delete(key);
  }
}

/** Applies layers bottom to top (OCI image spec "Applying Changesets"). */
export function squash(layers: readonly LayerFiles[]): FileTree {
  const nodes = new Map<string, TreeNode>();
  const warnings: string[] = [];
  for (const layer of layers) {
    warnings.push(...layer.warnings);
    // Whiteouts and opaque markers hide only what lower layers had.
    for (const dir of layer.opaqueDirs) removeTree(nodes, dir, true);
    for (const path of layer.whiteouts) removeTree(nodes, path, false);
    // A path written again replaces the lower entry. (A file replacing a whole lower directory is
    // rare and would cost a scan per entry, so descendants are not pruned here.)
    for (const [path, target] of layer.symlinks) {
      nodes.set(path, { kind: "symlink", target, layer: layer.diffId });
    }
    for (const [path, data] of layer.files) {
      nodes.set(path, { kind: "file", data, layer: layer.diffId });
    }
    for (const [path, target] of layer.hardlinks) {
      const t = layer.files.get(target) ?? (nodes.get(target)?.kind === "file" ? (nodes.get(target) as { data: Buffer }).data : undefined);
      if (t) nodes.set(path, { kind: "file", data: t, layer: layer.diffId });
    }
  }
  return { nodes, warnings };
}

/**
 * Resolves a relative path through symlinks (in every component) to the path of a regular file
 * node in the tree, or undefined when there is none. Throws BerthError("unsafe-path") on a loop.
 */
export function resolvePath(tree: FileTree, path: string, maxHops: number): string | undefined {
  let hops = 0;
  let pending = path.split("/").filter((p) => p !== "" && p !== ".");
  const done: string[] = [];
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === "..") {
      done.pop(); // ".." at the root stays at the root
      continue;
    }
    done.push(part);
    const node = tree.nodes.get(done.join("/"));
    if (node?.kind === "symlink") {
      if (++hops > maxHops) throw new BerthError("unsafe-path", `/${path}: too many levels of symbolic links (loop?)`);
      done.pop();
      const target = node.target;
      const targetParts = target.split("/").filter((p) => p !== "" && p !== ".");
      if (target.startsWith("/")) done.length = 0; // absolute: from the image root, never the host's
      pending = [...targetParts, ...pending];
    }
  }
  const final = done.join("/");
  return tree.nodes.get(final)?.kind === "file" ? final : undefined;
}

/** The file node at a path (symlinks resolved), or undefined. Loops become undefined + a warning. */
export function readFile(tree: FileTree, path: string, maxHops: number): { path: string; data: Buffer; layer?: string } | undefined {
  let resolved: string | undefined;
  try {
    resolved = resolvePath(tree, path, maxHops);
  } catch (e) {
    tree.warnings.push(e instanceof Error ? e.message : String(e));
    return undefined;
  }
  if (resolved === undefined) return undefined;
  const node = tree.nodes.get(resolved);
  if (node?.kind !== "file") return undefined;
  return node.layer ? { path: resolved, data: node.data, layer: node.layer } : { path: resolved, data: node.data };
}

export function normalizeRelative(path: string): string {
  return posix.normalize(`/${path}`).slice(1);
}
