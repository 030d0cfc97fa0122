// berth attest <image> --type slsa|sbom|vuln|custom --predicate FILE: an in-toto statement in a
// DSSE envelope, signed and attached as a referrer; berth pull-attestation <image>: read them back.
import { Command, Option } from "commander";
import { attestImage } from "../attest/attest.js";
import { collectEvidence } from "../attest/evidence.js";
import { attestationKinds, kindOfPredicateType, type AttestationKind } from "../attest/intoto.js";
import { shortKeyId } from "../attest/keys.js";
import { decodeBase64Strict } from "../attest/dsse.js";
import { resolveSigner } from "../attest/signer.js";
import { BerthError } from "../util/errors.js";
import { logger, writeOutput, type Io } from "./common.js";
import { addRegistryOptions, collect, nowOf, openSubject, readJsonObject, readPassphrase, referrersOptions, type AttestCliDeps, type RegistryFlags } from "./attest-shared.js";
import { loadTrust, settingsFor } from "./verify.js";

interface AttestFlags extends RegistryFlags {
  key: string;
  type: AttestationKind;
  predicate: string;
  predicateType?: string;
}

export function attestCommand(io: Io, deps: AttestCliDeps = {}): Command {
  const cmd = new Command("attest")
    .summary("sign an in-toto attestation (SLSA provenance, SBOM, scan) and attach it to an image")
    .description(
      `Wraps the predicate in an in-toto Statement v1 about the image's digest, signs
it in a DSSE envelope (payloadType application/vnd.in-toto+json) and attaches
it as an OCI 1.1 referrer (artifactType application/vnd.dsse.envelope.v1+json,
the predicate type in the in-toto.io/predicate-type annotation).
Predicate types by --type:
  slsa    https://slsa.dev/provenance/v1 (checked against the SLSA v1 shape)
  sbom    https://cyclonedx.org/bom or https://spdx.dev/Document (by format)
  vuln    https://cosign.sigstore.dev/attestation/vuln/v1
  custom  --predicate-type (default https://cosign.sigstore.dev/attestation/v1)`,
    )
    .argument("<image>", "image reference")
    .requiredOption("--key <file>", "private key file (berth.key) or a KMS key reference")
    .addOption(new Option("--type <type>", "attestation type").choices([...attestationKinds]).makeOptionMandatory())
    .requiredOption("--predicate <file>", "the predicate, a JSON file (for sbom: the CycloneDX or SPDX JSON document)")
    .option("--predicate-type <uri>", "override the predicate type");
  addRegistryOptions(cmd, { pushes: true });
  cmd.action(async (image: string, flags: AttestFlags) => {
    const log = logger(io, flags.quiet);
    const predicate = await readJsonObject(flags.predicate, "predicate");
    const signer = await resolveSigner(flags.key, { passphrase: () => readPassphrase(io, deps, { what: flags.key }) }, deps.signerProviders);
    const { client, subject } = await openSubject(image, flags, log);
    const r = await attestImage(client, subject, {
      signer,
      kind: flags.type,
      predicate,
      ...(flags.predicateType ? { predicateType: flags.predicateType } : {}),
      created: nowOf(io, deps),
      referrers: referrersOptions(flags, log),
    });
    log(`attested ${subject.name}@${subject.digest} (${r.predicateType}) with key ${shortKeyId(signer.keyId)}: ${r.digest} (${r.source === "referrers-api" ? "referrers API" : "referrers tag schema"})`);
    io.stdout.write(`${subject.name}@${r.digest}\n`);
  });
  return cmd;
}

interface PullFlags extends RegistryFlags {
  type?: AttestationKind;
  predicateType?: string;
  key?: string[];
  policy?: string;
  show: "envelope" | "statement" | "predicate";
  output?: string;
}

export function pullAttestationCommand(io: Io, _deps: AttestCliDeps = {}): Command {
  const cmd = new Command("pull-attestation")
    .summary("download an image's attestations (DSSE envelopes, statements or predicates)")
    .description(
      `Prints the image's attestations, one JSON document per line. With --key or
--policy only those that verify (signed by a trusted key, statement about this
digest) are printed, and none is an error (exit 1); without, every one is
printed unverified, with a warning.`,
    )
    .argument("<image>", "image reference")
    .addOption(new Option("--type <type>", "only this attestation type").choices([...attestationKinds]))
    .option("--predicate-type <uri>", "only this predicate type")
    .option("--key <file>", "trusted public key; repeatable", collect)
    .option("--policy <file>", "trust policy file giving the trusted keys")
    .addOption(new Option("--show <what>", "what to print").choices(["envelope", "statement", "predicate"]).default("envelope"))
    .option("-o, --output <file>", "write to a file instead of stdout");
  addRegistryOptions(cmd);
  cmd.action(async (image: string, flags: PullFlags) => {
    const log = logger(io, flags.quiet);
    const verifying = !!(flags.key?.length || flags.policy);
    const trust = verifying ? await loadTrust({ ...(flags.key ? { key: flags.key } : {}), ...(flags.policy ? { policy: flags.policy } : {}) }) : undefined;
    const { client, subject } = await openSubject(image, flags, log);
    const verifiers = trust ? (await settingsFor(trust, subject.name)).verifiers : [];
    const ev = await collectEvidence(client, subject, verifiers, referrersOptions(flags, log));
    const lines: string[] = [];
    for (const a of ev.attestations) {
      if (!a.envelope) {
        log(`warning: ${a.location}: ${a.problem ?? "unreadable"}`);
        continue;
      }
      let statement: Record<string, unknown> | undefined;
      if (a.statement) statement = a.statement as unknown as Record<string, unknown>;
      else if (!verifying) {
        try {
          statement = JSON.parse(decodeBase64Strict(a.envelope.payload, "payload").toString("utf8")) as Record<string, unknown>;
        } catch {
          statement = undefined;
        }
      }
      const pt = typeof statement?.predicateType === "string" ? statement.predicateType : a.claimedPredicateType;
      if (flags.predicateType && pt !== flags.predicateType) continue;
      if (flags.type && (pt ? kindOfPredicateType(pt) : a.claimedKind) !== flags.type) continue;
      if (verifying && (!a.verified || a.problem || !a.statement)) {
        log(`warning: skipping ${a.location}: ${a.problem ?? "not verified"}`);
        continue;
      }
      if (!verifying) log(`warning: ${a.location} printed unverified (give --key or --policy to verify)`);
      if (flags.show === "envelope") lines.push(JSON.stringify(a.envelope));
      else if (!statement) log(`warning: ${a.location}: payload is not a JSON statement`);
      else lines.push(JSON.stringify(flags.show === "statement" ? statement : statement.predicate ?? null));
    }
    if (lines.length === 0) {
      const what = `${flags.type ?? flags.predicateType ?? ""} attestation`.trim();
      if (verifying) throw new BerthError("policy", `no verified ${what} for ${subject.name}@${subject.digest}`);
      throw new BerthError("not-found", `no ${what} for ${subject.name}@${subject.digest}`);
    }
    await writeOutput(io, lines.join("\n") + "\n", flags.output);
  });
  return cmd;
}
