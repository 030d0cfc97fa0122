// berth sbom <target>: the image's (or directory's) inventory as CycloneDX, SPDX or Berth JSON.
import { Command, Option } from "commander";
import { BerthError } from "../util/errors.js";
import { sbomFormatNames, type SbomFormat } from "../sbom/index.js";
import { BERTH_VERSION, documentTime } from "../util/about.js";
import { cacheDirFromFlags, limitsFromFlags, logger, parsePlatformOption, progress, writeOutput, type ImageFlags, type Io } from "./common.js";
import { addImageOptions } from "./image-options.js";

interface SbomFlags extends ImageFlags {
  format: SbomFormat;
  output?: string;
  quiet?: boolean;
}

/** `berth sbom fs DIR` and `berth sbom repo DIR` (Trivy's words) name a directory. */
export function dirTarget(first: string, dir: string | undefined): string {
  if (dir === undefined) return first;
  if (first === "fs" || first === "repo") return `dir:${dir}`;
  throw new BerthError("usage", `unexpected argument "${dir}" (only \`fs DIR\` and \`repo DIR\` take two)`);
}

export function sbomCommand(io: Io): Command {
  const cmd = new Command("sbom")
    .summary("write the software bill of materials of an image or directory")
    .description(
      `Catalogs the OS packages in an image (or root filesystem directory) and writes an SBOM.

Targets (the transport prefixes skopeo and Syft use):
  registry.example.com/team/app:1.2      a registry reference (also registry:REF)
  app@sha256:…                            pinned by digest
  oci:DIR[:REF]   (alias oci-dir:)        an OCI image layout directory
  oci-archive:FILE[:REF]                  an OCI layout packed in a tar
  docker-archive:FILE[:NAME:TAG]          a \`docker save\` archive (optionally gzipped)
  dir:PATH                                a root filesystem directory or source tree
  fs DIR, repo DIR                        the same, as Trivy users write it
  PATH                                    any of the local kinds, recognised by content

Registry credentials come from ~/.docker/config.json ($DOCKER_CONFIG), including credential helpers.
SOURCE_DATE_EPOCH fixes the document timestamp for byte-identical output.`,
    )
    .argument("<target>", "image reference, archive, layout or directory; or `fs`/`repo` followed by a directory")
    .argument("[dir]", "with `fs` or `repo`: the directory to catalog")
    .addOption(new Option("-f, --format <format>", "output format").choices(sbomFormatNames).default("cyclonedx"))
    .option("-o, --output <file>", "write to a file (atomically) instead of stdout")
    .option("-q, --quiet", "no log lines on stderr");
  addImageOptions(cmd);
  cmd.action(async (first: string, dir: string | undefined, flags: SbomFlags) => {
    const target = dirTarget(first, dir);
    const log = logger(io, flags.quiet);
    const bar = progress(io);
    const cacheDir = cacheDirFromFlags(flags, io.env);
    // Loaded here, not at start-up: `berth --help` and other commands need none of the catalogers.
    const { inventoryTarget } = await import("../scan/inventory.js");
    const { renderSbom } = await import("../sbom/index.js");
    const result = await inventoryTarget(target, {
      platform: parsePlatformOption(flags.platform),
      ...(flags.platform ? { requirePlatform: true } : {}),
      limits: limitsFromFlags(flags),
      ...(flags.insecure ? { insecure: true } : {}),
      ...(cacheDir ? { cacheDir } : {}),
      log,
      env: io.env,
      onLayer: (i, n, cached) => bar.update(`reading layer ${i + 1}/${n}${cached ? " (cached)" : ""}`),
    });
    bar.done();
    for (const w of result.inventory.warnings) log(`warning: ${w}`);
    for (const u of result.inventory.unknowns) log(`warning: ${u.path}: ${u.message} (${u.cataloger})`);
    const text = await renderSbom(flags.format, {
      subject: result.subject,
      ...(result.inventory.distro ? { distro: result.inventory.distro } : {}),
      packages: result.inventory.packages,
      unknowns: result.inventory.unknowns,
      timestamp: documentTime(io.env),
      tool: { name: "berth", version: BERTH_VERSION },
    });
    await writeOutput(io, text, flags.output);
    log(`${result.inventory.packages.length} packages${result.inventory.distro ? ` (${result.inventory.distro.prettyName ?? result.inventory.distro.id})` : ""}`);
  });
  return cmd;
}
