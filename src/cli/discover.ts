// berth discover <image>: the tree of the image's referrers — signatures, attestations, attached
// artifacts, and their own referrers — with types, digests and signers.
import { Command, Option } from "commander";
import { discover, renderTree } from "../attest/discover.js";
import { loadVerifier, type Verifier } from "../attest/signer.js";
import { BerthError } from "../util/errors.js";
import { logger, writeOutput, type Io } from "./common.js";
import { addRegistryOptions, collect, openSubject, referrersOptions, type AttestCliDeps, type RegistryFlags } from "./attest-shared.js";

interface DiscoverFlags extends RegistryFlags {
  format: "tree" | "json";
  artifactType?: string;
  key?: string[];
  depth: string;
  output?: string;
}

export function discoverCommand(io: Io, _deps: AttestCliDeps = {}): Command {
  const cmd = new Command("discover")
    .summary("list an image's referrers (signatures, attestations, artifacts) as a tree")
    .description(
      `Lists the referrers of the image (through the referrers API, or the
sha256-<hex> tag index where the registry has none) and cosign's legacy .sig
tag. Signers are shown as the key ids the artifacts claim; with --key they are
verified (✓) or marked unverified.`,
    )
    .argument("<image>", "image reference")
    .addOption(new Option("-f, --format <format>", "output format").choices(["tree", "json"]).default("tree"))
    .option("--artifact-type <type>", "only referrers of this artifact type")
    .option("--key <file>", "public key to verify signers with (repeatable)", collect)
    .option("--depth <n>", "levels of referrers of referrers to follow", "3")
    .option("-o, --output <file>", "write to a file instead of stdout");
  addRegistryOptions(cmd);
  cmd.action(async (image: string, flags: DiscoverFlags) => {
    const log = logger(io, flags.quiet);
    if (!/^\d+$/.test(flags.depth) || Number(flags.depth) < 1) throw new BerthError("usage", `--depth: expected a whole number ≥ 1, got "${flags.depth}"`);
    const limits = referrersOptions(flags, log);
    const depth = Math.min(Number(flags.depth), limits.limits.maxReferrerDepth);
    const verifiers: Verifier[] = [];
    for (const k of flags.key ?? []) verifiers.push(await loadVerifier(k));
    const { client, subject } = await openSubject(image, flags, log);
    const result = await discover(client, subject, { verifiers, depth, ...(flags.artifactType ? { artifactType: flags.artifactType } : {}), referrers: limits });
    await writeOutput(io, flags.format === "json" ? JSON.stringify(result, null, 2) + "\n" : renderTree(result), flags.output);
  });
  return cmd;
}
