// berth provenance [image]: a SLSA Provenance v1 predicate from the CI environment (GitHub
// Actions, Azure Pipelines, GitLab CI) or --local; printed, or with --key signed and attached.
import { execFile } from "node:child_process";
import { hostname, userInfo } from "node:os";
import { promisify } from "node:util";
import { Command } from "commander";
import { attestImage } from "../attest/attest.js";
import { detectCi, localContext, type CiContext, type LocalGit } from "../attest/ci-env.js";
import { imageStatement, PredicateType } from "../attest/intoto.js";
import { shortKeyId } from "../attest/keys.js";
import { buildProvenance } from "../attest/provenance.js";
import { resolveSigner } from "../attest/signer.js";
import { BERTH_VERSION } from "../util/about.js";
import { BerthError } from "../util/errors.js";
import { logger, writeOutput, type Io } from "./common.js";
import { addRegistryOptions, nowOf, openSubject, readPassphrase, referrersOptions, type AttestCliDeps, type RegistryFlags } from "./attest-shared.js";

const run = promisify(execFile);

async function git(args: string[]): Promise<string | undefined> {
  try {
    const r = await run("git", args, { timeout: 10_000 });
    return r.stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** What git says about the working directory (nothing when git or a repository is absent). */
export async function localGit(): Promise<LocalGit> {
  const [remote, commit, branch] = await Promise.all([git(["config", "--get", "remote.origin.url"]), git(["rev-parse", "HEAD"]), git(["symbolic-ref", "-q", "HEAD"])]);
  return { ...(remote ? { remote } : {}), ...(commit ? { commit } : {}), ...(branch ? { ref: branch } : {}) };
}

interface ProvenanceFlags extends RegistryFlags {
  local?: boolean;
  key?: string;
  output?: string;
}

export function provenanceCommand(io: Io, deps: AttestCliDeps & { localGit?: () => Promise<LocalGit> } = {}): Command {
  const cmd = new Command("provenance")
    .summary("build SLSA Provenance v1 from the CI environment (and attest it with --key)")
    .description(
      `Reads the build's context from the CI system's environment: GitHub Actions
(GITHUB_*), Azure Pipelines (BUILD_*, SYSTEM_*), GitLab CI (CI_*), or with
--local from git and this machine: the source repository, commit and ref, the
workflow or pipeline, the run id and URL, the builder id (BERTH_BUILDER_ID
overrides it), the trigger and the actor.
Without an image it prints the predicate (for berth attest --type slsa
--predicate FILE); with an image, the in-toto statement about the image's
digest; with an image and --key, it signs the statement and attaches it to the
image, as berth attest --type slsa does.`,
    )
    .argument("[image]", "the image built (needed for --key)")
    .option("--local", "a build on this machine (no CI environment)")
    .option("--key <file>", "sign and attach the provenance with this private key")
    .option("-o, --output <file>", "write to a file instead of stdout");
  addRegistryOptions(cmd, { pushes: true });
  cmd.action(async (image: string | undefined, flags: ProvenanceFlags) => {
    const log = logger(io, flags.quiet);
    let ci: CiContext | undefined = flags.local ? undefined : detectCi(io.env);
    if (!ci) {
      if (!flags.local) throw new BerthError("usage", "no CI environment detected (GitHub Actions, Azure Pipelines, GitLab CI); use --local for a build on this machine");
      ci = localContext(await (deps.localGit ?? localGit)(), io.env, { hostname: hostname(), user: io.env.USER ?? safeUser() });
    }
    const predicate = buildProvenance({ ci, finishedOn: nowOf(io, deps), berthVersion: BERTH_VERSION });
    log(`provenance from ${ci.platform}${ci.repository ? `: ${ci.repository}` : ""}${ci.commit ? `@${ci.commit.slice(0, 12)}` : ""}${ci.runUrl ? ` (${ci.runUrl})` : ""}`);
    if (flags.key && !image) throw new BerthError("usage", "--key needs the image to attach the provenance to");
    if (!image) {
      await writeOutput(io, JSON.stringify(predicate, null, 2) + "\n", flags.output);
      return;
    }
    const signer = flags.key ? await resolveSigner(flags.key, { passphrase: () => readPassphrase(io, deps, { what: flags.key! }) }, deps.signerProviders) : undefined;
    const { client, subject } = await openSubject(image, flags, log);
    const pred = predicate as unknown as Record<string, unknown>;
    if (!signer) {
      await writeOutput(io, JSON.stringify(imageStatement(subject.name, subject.digest, PredicateType.slsaProvenanceV1, pred), null, 2) + "\n", flags.output);
      return;
    }
    const r = await attestImage(client, subject, { signer, kind: "slsa", predicate: pred, created: nowOf(io, deps), referrers: referrersOptions(flags, log) });
    log(`attested SLSA provenance for ${subject.name}@${subject.digest} with key ${shortKeyId(signer.keyId)}: ${r.digest}`);
    io.stdout.write(`${subject.name}@${r.digest}\n`);
  });
  return cmd;
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
