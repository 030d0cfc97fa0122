// The flags every image-reading command takes (sbom, scan, …), declared once.
import type { Command } from "commander";

export function addImageOptions(cmd: Command): Command {
  return cmd
    .option("--platform <os/arch[/variant]>", "platform to select from a multi-platform image (default: this host's)")
    .option("--insecure", "allow plain-HTTP (and unverified TLS) registries, including loopback ones")
    .option("--cache-dir <dir>", "cache directory (default: $BERTH_CACHE_DIR or ~/.cache/berth)")
    .option("--no-cache", "do not read or write the layer cache")
    .option("--max-layer-size <size>", "refuse a layer that expands beyond this size (default 32GiB)")
    .option("--max-layer-entries <n>", "refuse a layer with more tar entries than this (default 2000000)")
    .option("--max-file-size <size>", "largest package-database file read (default 256MiB)");
}
