// berth sign <image>: a cosign-format signature over the manifest digest, stored as an OCI 1.1
// referrer (and in cosign's legacy .sig tag with --tag-scheme cosign).
import { Command, Option } from "commander";
import { signImage, type TagScheme } from "../attest/sign.js";
import { resolveSigner } from "../attest/signer.js";
import { shortKeyId } from "../attest/keys.js";
import { logger, type Io } from "./common.js";
import { addRegistryOptions, collect, nowOf, openSubject, parseKeyValues, readPassphrase, referrersOptions, type AttestCliDeps, type RegistryFlags } from "./attest-shared.js";

interface SignFlags extends RegistryFlags {
  key: string;
  tagScheme: TagScheme;
  annotation?: string[];
}

export function signCommand(io: Io, deps: AttestCliDeps = {}): Command {
  const cmd = new Command("sign")
    .summary("sign an image (cosign signature format, stored as an OCI 1.1 referrer)")
    .description(
      `Signs the image's manifest digest: a cosign simple signing payload, signed
with the key, pushed as an OCI 1.1 artifact whose subject is the image — found
through the registry's referrers API, or through the referrers tag schema (an
index tagged sha256-<hex>) on registries without it.
--tag-scheme cosign also appends the signature to cosign's legacy
sha256-<hex>.sig tag, so older cosign and admission controllers find it. A tag
is resolved to its digest first; the digest is signed.`,
    )
    .argument("<image>", "image reference (host/repo@sha256:… or host/repo:tag)")
    .requiredOption("--key <file>", "private key file (berth.key) or a KMS key reference")
    .addOption(new Option("--tag-scheme <scheme>", "also write cosign's legacy .sig tag (cosign)").choices(["oci", "cosign"]).default("oci"))
    .option("-a, --annotation <key=value>", "claim added to the signed payload's optional section (repeatable)", collect);
  addRegistryOptions(cmd, { pushes: true });
  cmd.action(async (image: string, flags: SignFlags) => {
    const log = logger(io, flags.quiet);
    const claims = parseKeyValues(flags.annotation, "--annotation");
    const signer = await resolveSigner(flags.key, { passphrase: () => readPassphrase(io, deps, { what: flags.key }) }, deps.signerProviders);
    const { client, subject } = await openSubject(image, flags, log);
    const r = await signImage(client, subject, { signer, tagScheme: flags.tagScheme, claims, created: nowOf(io, deps), referrers: referrersOptions(flags, log) });
    log(`signed ${subject.name}@${subject.digest} with key ${shortKeyId(signer.keyId)}: signature ${r.signatureDigest} (${r.source === "referrers-api" ? "referrers API" : "referrers tag schema"})${r.cosignTag ? `; cosign tag ${r.cosignTag}` : ""}`);
    io.stdout.write(`${subject.name}@${r.signatureDigest}\n`);
  });
  return cmd;
}
