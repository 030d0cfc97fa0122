// berth policy check-dockerfile [Dockerfile]: every base image the build pulls — from an allowed
// registry, pinned by digest, verified when keys or a trust policy are given — and advice when the
// final stage is not distroless/minimal. Exit codes as in berth scan: 0 ok, 1 policy failed, 2 input.
import { Command, Option } from "commander";
import { checkBaseImages, type BaseImageReport } from "../attest/base-policy.js";
import { BerthError } from "../util/errors.js";
import { logger, writeOutput, type Io } from "./common.js";
import { addRegistryOptions, collect, parseKeyValues, readInputFile, type AttestCliDeps, type RegistryFlags } from "./attest-shared.js";
import { addTrustOptions, loadTrust, verifyOne, type TrustFlags } from "./verify.js";

export function renderBaseReport(r: BaseImageReport): string {
  const lines: string[] = [];
  const byLine = [...r.findings].sort((a, b) => a.line - b.line || (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  for (const f of byLine) lines.push(`${r.dockerfile}:${f.line}: ${f.severity === "error" ? "error" : "advice"} [${f.code}] ${f.image}: ${f.message}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  const errors = r.findings.filter((f) => f.severity === "error").length;
  const images = r.images.filter((i) => i.kind === "image").length;
  lines.push(`${r.dockerfile}: ${images} base image reference${images === 1 ? "" : "s"} checked; ${errors ? `${errors} problem${errors === 1 ? "" : "s"}` : "policy holds"}`);
  return lines.join("\n") + "\n";
}

interface CheckFlags extends RegistryFlags, TrustFlags {
  allowedRegistry?: string[];
  buildArg?: string[];
  format: "text" | "json";
  output?: string;
}

export function policyCommand(io: Io, _deps: AttestCliDeps = {}): Command {
  const policy = new Command("policy").description("supply-chain policy checks");
  const check = new Command("check-dockerfile")
    .summary("check a Dockerfile's base images against the base-image policy")
    .description(
      `Reads every FROM (all stages, ARG defaults and --build-arg substituted),
COPY --from=<image> and RUN --mount=from=<image>, and reports images that are
  untrusted-registry  not from an allowed registry: --allowed-registry, or
                      baseImages.allowedRegistries in the trust policy
                      (a host, or a host/path prefix)
  not-pinned          not pinned by digest
  verify-failed       without a trusted signature or the required
                      attestations (with --key or --policy)
  not-minimal         (advice only) a final stage that is not distroless or
                      minimal
FROM scratch and references to earlier stages need nothing.
Exit 0 when the policy holds, 1 when it does not, 2 for usage or input errors.`,
    )
    .argument("[dockerfile]", "the Dockerfile", "Dockerfile")
    .option("--allowed-registry <registry>", "allowed registry or repository prefix (repeatable, or comma-separated)", collect)
    .option("--build-arg <key=value>", "build argument value (repeatable)", collect);
  addTrustOptions(check);
  check.addOption(new Option("-f, --format <format>", "report format").choices(["text", "json"]).default("text")).option("-o, --output <file>", "write the report to a file");
  addRegistryOptions(check);
  check.action(async (dockerfile: string, flags: CheckFlags) => {
    const log = logger(io, flags.quiet);
    const text = (await readInputFile(dockerfile, "Dockerfile")).toString("utf8");
    const verifying = !!(flags.key?.length || flags.policy);
    const trust = verifying ? await loadTrust(flags) : undefined;
    const allowed = [...(flags.allowedRegistry ?? []).flatMap((a) => a.split(",")).map((a) => a.trim()).filter(Boolean), ...(trust?.kind === "policy" ? (trust.doc.baseImages?.allowedRegistries ?? []) : [])];
    const report = await checkBaseImages(text, dockerfile, {
      buildArgs: parseKeyValues(flags.buildArg, "--build-arg"),
      allowedRegistries: allowed,
      ...(trust
        ? {
            verify: async (ref: string) => {
              const r = await verifyOne(ref, trust, flags, log);
              return r.failures;
            },
          }
        : {}),
    });
    await writeOutput(io, flags.format === "json" ? JSON.stringify(report, null, 2) + "\n" : renderBaseReport(report), flags.output);
    if (!report.passed) {
      const n = report.findings.filter((f) => f.severity === "error").length;
      throw new BerthError("policy", `base-image policy failed: ${n} problem${n === 1 ? "" : "s"} in ${dockerfile}`);
    }
  });
  policy.addCommand(check);
  return policy;
}
