// berth attach <image> --artifact-type T FILE[:mediaType]…: files attached to an image as one
// OCI 1.1 artifact (ORAS-style), discoverable as a referrer.
import { basename } from "node:path";
import { Command } from "commander";
import { attachFiles, type AttachedFile } from "../attest/attach.js";
import { AttestMediaType } from "../attest/media-types.js";
import { BerthError } from "../util/errors.js";
import { logger, type Io } from "./common.js";
import { addRegistryOptions, collect, nowOf, openSubject, parseKeyValues, readInputFile, referrersOptions, type AttestCliDeps, type RegistryFlags } from "./attest-shared.js";

const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

/** "sbom.json:application/spdx+json" → path and media type (ORAS's FILE[:TYPE] form). */
export function parseFileArg(arg: string): { path: string; mediaType: string } {
  const i = arg.lastIndexOf(":");
  if (i > 0 && MEDIA_TYPE_RE.test(arg.slice(i + 1))) return { path: arg.slice(0, i), mediaType: arg.slice(i + 1) };
  return { path: arg, mediaType: AttestMediaType.octetStream };
}

interface AttachFlags extends RegistryFlags {
  artifactType: string;
  annotation?: string[];
}

export function attachCommand(io: Io, deps: AttestCliDeps = {}): Command {
  const cmd = new Command("attach")
    .summary("attach files to an image as an OCI 1.1 artifact (ORAS-style)")
    .description(
      `Pushes the files as the layers of one artifact manifest (the given
artifactType, the empty config, each layer titled with its file name) whose
subject is the image, and records it as a referrer.
FILE:TYPE sets a file's media type (default application/octet-stream).`,
    )
    .argument("<image>", "image reference")
    .argument("<files...>", "files to attach, FILE or FILE:MEDIA_TYPE")
    .requiredOption("--artifact-type <type>", "the artifact's type, e.g. application/spdx+json")
    .option("-a, --annotation <key=value>", "manifest annotation (repeatable)", collect);
  addRegistryOptions(cmd, { pushes: true });
  cmd.action(async (image: string, fileArgs: string[], flags: AttachFlags) => {
    const log = logger(io, flags.quiet);
    if (!MEDIA_TYPE_RE.test(flags.artifactType)) throw new BerthError("usage", `--artifact-type: "${flags.artifactType}" is not a media type (type/subtype)`);
    const annotations = parseKeyValues(flags.annotation, "--annotation");
    const files: AttachedFile[] = [];
    for (const a of fileArgs) {
      const { path, mediaType } = parseFileArg(a);
      files.push({ name: basename(path), mediaType, bytes: new Uint8Array(await readInputFile(path, "file")) });
    }
    const { client, subject } = await openSubject(image, flags, log);
    const r = await attachFiles(client, subject, { artifactType: flags.artifactType, files, annotations, created: nowOf(io, deps), referrers: referrersOptions(flags, log) });
    log(`attached ${files.length} file${files.length === 1 ? "" : "s"} to ${subject.name}@${subject.digest}: ${r.digest} (${r.source === "referrers-api" ? "referrers API" : "referrers tag schema"})`);
    io.stdout.write(`${subject.name}@${r.digest}\n`);
  });
  return cmd;
}
