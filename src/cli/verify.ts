// berth verify <image>: a signature by a trusted key over the image's digest, and the required
// attestations, against a public key (--key, like cosign verify --key) or a trust policy
// (--policy, Notation's trust-policy shape). Exit 0 when it holds, 1 when it does not, 2 on input errors.
import { Command, Option } from "commander";
import { attestationKinds, type AttestationKind } from "../attest/intoto.js";
import { shortKeyId } from "../attest/keys.js";
import { loadVerifier } from "../attest/signer.js";
import type { SubjectImage } from "../attest/subject.js";
import { levelActions, parseTrustPolicy, policyFor, trustedVerifiers, type AttestationRequirement, type TrustPolicyDocument } from "../attest/trust-policy.js";
import { verifyImage, type VerifyReport, type VerifySettings } from "../attest/verify.js";
import { BerthError } from "../util/errors.js";
import { logger, writeOutput, type Io } from "./common.js";
import { addRegistryOptions, collect, openSubject, readInputFile, referrersOptions, type AttestCliDeps, type RegistryFlags } from "./attest-shared.js";

export interface TrustFlags {
  key?: string[];
  policy?: string;
  requireAttestation?: string[];
  sourceRepository?: string;
  builderId?: string;
}

export function addTrustOptions(cmd: Command): Command {
  return cmd
    .option("--key <file>", "trusted public key (berth.pub / cosign.pub); repeatable: any of them may sign", collect)
    .option("--policy <file>", "trust policy file (Notation trust-policy shape with Berth key stores)")
    .option("--require-attestation <type>", `with --key: an attestation that must be present and signed (${attestationKinds.join(", ")}); repeatable`, collect)
    .option("--source-repository <url>", "with --key and --require-attestation slsa: the provenance must name this source repository")
    .option("--builder-id <uri>", "with --key and --require-attestation slsa: the provenance's builder.id");
}

/** The trust source the flags name: a policy document, or keys + requirements (simple mode). */
export type Trust = { readonly kind: "policy"; readonly doc: TrustPolicyDocument } | { readonly kind: "keys"; readonly settings: VerifySettings };

export async function loadTrust(flags: TrustFlags): Promise<Trust> {
  if (flags.policy && flags.key?.length) throw new BerthError("usage", "give --key or --policy, not both");
  if (flags.policy) {
    if (flags.requireAttestation?.length || flags.sourceRepository || flags.builderId) throw new BerthError("usage", "--require-attestation, --source-repository and --builder-id go with --key; a trust policy states its own requirements");
    return { kind: "policy", doc: parseTrustPolicy(await readInputFile(flags.policy, "trust policy"), flags.policy) };
  }
  if (!flags.key?.length) throw new BerthError("usage", "give the trusted public key (--key berth.pub) or a trust policy (--policy FILE)");
  const verifiers = [];
  for (const k of flags.key) verifiers.push(await loadVerifier(k));
  const requirements: AttestationRequirement[] = [];
  for (const t of flags.requireAttestation ?? []) {
    if (!(attestationKinds as readonly string[]).includes(t)) throw new BerthError("usage", `--require-attestation: "${t}" is not one of ${attestationKinds.join(", ")}`);
    requirements.push({
      type: t as AttestationKind,
      ...(t === "slsa" && flags.sourceRepository ? { sourceRepository: flags.sourceRepository } : {}),
      ...(t === "slsa" && flags.builderId ? { builderId: flags.builderId } : {}),
    });
  }
  if ((flags.sourceRepository || flags.builderId) && !requirements.some((r) => r.type === "slsa")) throw new BerthError("usage", "--source-repository and --builder-id need --require-attestation slsa");
  return { kind: "keys", settings: { policyName: "--key", level: "strict", actions: levelActions.strict, verifiers, requirements } };
}

/** The settings for one image: the matching trust policy statement, or the simple-mode settings. */
export async function settingsFor(trust: Trust, subjectName: string): Promise<VerifySettings> {
  if (trust.kind === "keys") return trust.settings;
  const st = policyFor(trust.doc, subjectName);
  if (!st) throw new BerthError("policy", `no trust policy in ${trust.doc.path} applies to ${subjectName} (add its registry scope, or a "*" policy)`);
  return {
    policyName: st.name,
    level: st.level,
    actions: st.actions,
    verifiers: st.level === "skip" ? [] : await trustedVerifiers(trust.doc, st),
    requirements: st.requiredAttestations,
  };
}

export async function verifyOne(image: string, trust: Trust, flags: RegistryFlags, log: (m: string) => void): Promise<VerifyReport> {
  const { client, subject } = await openSubject(image, flags, log);
  return verifyWith(client, subject, trust, flags, log);
}

async function verifyWith(client: Parameters<typeof verifyImage>[0], subject: SubjectImage, trust: Trust, flags: RegistryFlags, log: (m: string) => void): Promise<VerifyReport> {
  const settings = await settingsFor(trust, subject.name);
  return verifyImage(client, subject, settings, referrersOptions(flags, log));
}

export function renderReport(r: VerifyReport): string {
  const lines = [`${r.image} (${r.digest}): ${r.passed ? "verified" : "NOT verified"} — ${r.policy === "--key" ? "trusted keys from --key" : `trust policy "${r.policy}"`}, level ${r.level}${r.referrersSource ? `, referrers via ${r.referrersSource}` : ""}`];
  if (r.signature?.ok) lines.push(`  ✓ signature: ${r.signature.by}`);
  for (const q of r.requirements) if (q.ok) lines.push(`  ✓ ${q.requirement.type} attestation: ${q.by}`);
  for (const f of r.failures) lines.push(`  ✗ ${f}`);
  for (const w of r.warnings) lines.push(`  ! ${w}`);
  const untrusted = r.signatures.filter((s) => !s.verified && s.claimedKeyId).map((s) => shortKeyId(s.claimedKeyId!));
  if (untrusted.length && r.signature?.ok) lines.push(`  · also signed by untrusted key${untrusted.length > 1 ? "s" : ""} ${[...new Set(untrusted)].join(", ")}`);
  return lines.join("\n") + "\n";
}

/** The report as JSON (envelope bytes left out). */
export function reportJson(r: VerifyReport): string {
  const clean = {
    ...r,
    attestations: r.attestations.map((a) => ({
      location: a.location,
      ...(a.layerDigest ? { layerDigest: a.layerDigest } : {}),
      ...(a.claimedPredicateType ? { claimedPredicateType: a.claimedPredicateType } : {}),
      claimedKeyIds: a.claimedKeyIds,
      verified: a.verified,
      ...(a.keyId ? { keyId: a.keyId } : {}),
      ...(a.statement ? { predicateType: a.statement.predicateType } : {}),
      ...(a.problem ? { problem: a.problem } : {}),
    })),
  };
  return JSON.stringify(clean, null, 2) + "\n";
}

interface VerifyFlags extends RegistryFlags, TrustFlags {
  format: "text" | "json";
  output?: string;
}

export function verifyCommand(io: Io, _deps: AttestCliDeps = {}): Command {
  const cmd = new Command("verify")
    .summary("verify an image's signature and required attestations")
    .description(
      `Checks that the image (a tag is resolved to its digest) has a signature by a
trusted key over that digest, and the attestations required, each in a DSSE
envelope signed by a trusted key whose in-toto statement names the digest.
Simple mode: --key berth.pub [--require-attestation slsa --source-repository
URL].
Policy mode: --policy trustpolicy.json — the statement whose registryScopes
names the repository (else "*") gives the trusted keys and the level: strict
(everything enforced), permissive (the signature enforced, attestation
failures logged), audit (everything logged), skip (nothing checked).
Exit 0 when verification holds, 1 when it fails, 2 for usage or input errors.`,
    )
    .argument("<image>", "image reference");
  addTrustOptions(cmd);
  cmd.addOption(new Option("-f, --format <format>", "report format").choices(["text", "json"]).default("text")).option("-o, --output <file>", "write the report to a file");
  addRegistryOptions(cmd);
  cmd.action(async (image: string, flags: VerifyFlags) => {
    const log = logger(io, flags.quiet);
    const trust = await loadTrust(flags);
    const report = await verifyOne(image, trust, flags, log);
    await writeOutput(io, flags.format === "json" ? reportJson(report) : renderReport(report), flags.output);
    if (!report.passed) throw new BerthError("policy", `verification failed: ${report.failures.join("; ")}`);
  });
  return cmd;
}
