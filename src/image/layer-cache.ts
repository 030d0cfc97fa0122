// Content-addressed cache of per-layer results, keyed by the layer's diffID and the signature of
// the catalogers that claimed files (their ids and versions): a layer shared by many images is
// read once. Entries are written to a temp file and renamed, so a crash never leaves half an entry.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createHash } from "node:crypto";
import type { LayerFiles } from "./layer.js";

interface Serialized {
  v: 1;
  diffId: string;
  entries: number;
  files: [string, string][];
  symlinks: [string, string][];
  hardlinks: [string, string][];
  whiteouts: string[];
  opaqueDirs: string[];
  warnings: string[];
}

export interface LayerCache {
  get(diffId: string): Promise<LayerFiles | undefined>;
  put(files: LayerFiles): Promise<void>;
}

export function layerCache(dir: string, signature: string): LayerCache {
  const sig = createHash("sha256").update(signature).digest("hex").slice(0, 16);
  const pathOf = (diffId: string) => join(dir, `${diffId.replace(":", "-")}.${sig}.json`);
  return {
    async get(diffId) {
      let text: string;
      try {
        text = await readFile(pathOf(diffId), "utf8");
      } catch {
        return undefined;
      }
      try {
        const s = JSON.parse(text) as Serialized;
        if (s.v !== 1 || s.diffId !== diffId) return undefined;
        return {
          diffId,
          entries: s.entries,
          files: new Map(s.files.map(([p, b]) => [p, Buffer.from(b, "base64")])),
          symlinks: new Map(s.symlinks),
          hardlinks: new Map(s.hardlinks),
          whiteouts: s.whiteouts,
          opaqueDirs: s.opaqueDirs,
          warnings: s.warnings,
        };
      } catch {
        return undefined; // a damaged entry is a miss, and is rewritten
      }
    },
    async put(files) {
      await mkdir(dir, { recursive: true });
      const s: Serialized = {
        v: 1,
        diffId: files.diffId,
        entries: files.entries,
        files: [...files.files].map(([p, b]) => [p, b.toString("base64")]),
        symlinks: [...files.symlinks],
        hardlinks: [...files.hardlinks],
        whiteouts: files.whiteouts,
        opaqueDirs: files.opaqueDirs,
        warnings: files.warnings,
      };
      const final = pathOf(files.diffId);
      const tmp = `${final}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, JSON.stringify(s));
      await rename(tmp, final);
    },
  };
}
