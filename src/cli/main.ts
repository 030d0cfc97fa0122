// The berth command line: a thin shell over the library. Exit codes: 0 ok, 1 policy failure,
// 2 usage or input error, 3 internal error. Machine output on stdout, logs on stderr, and never a
// stack trace (BERTH_DEBUG=1 prints one for bug reports).
import { Command, CommanderError } from "commander";
import { BERTH_VERSION } from "../util/about.js";
import { isBerthError } from "../util/errors.js";
import { ExitCode, processIo, type Io } from "./common.js";
import { dbCommand } from "./db.js";
import { sbomCommand } from "./sbom.js";
import { PolicyFailure, scanCommand } from "./scan.js";
import { keyCommand } from "./key.js";
import { signCommand } from "./sign.js";
import { attestCommand, pullAttestationCommand } from "./attest.js";
import { provenanceCommand } from "./provenance.js";
import { attachCommand } from "./attach.js";
import { discoverCommand } from "./discover.js";
import { verifyCommand } from "./verify.js";
import { policyCommand } from "./policy.js";
import { serverCommand } from "./server.js";
import { workerCommand } from "./worker.js";
import { tokenCommand } from "./token.js";
import { recordCommand } from "./record.js";
import { exploreCommand } from "./explore.js";
import { clusterCommand } from "./cluster.js";

export function buildProgram(io: Io): Command {
  const program = new Command("berth")
    .description("Code-to-cloud container supply-chain security: inventory, SBOMs, vulnerability scanning, signing and deploy gates.")
    .version(BERTH_VERSION, "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  program.addCommand(sbomCommand(io));
  program.addCommand(scanCommand(io));
  program.addCommand(keyCommand(io));
  program.addCommand(signCommand(io));
  program.addCommand(attestCommand(io));
  program.addCommand(pullAttestationCommand(io));
  program.addCommand(provenanceCommand(io));
  program.addCommand(attachCommand(io));
  program.addCommand(discoverCommand(io));
  program.addCommand(verifyCommand(io));
  program.addCommand(policyCommand(io));
  program.addCommand(serverCommand(io));
  program.addCommand(workerCommand(io));
  program.addCommand(tokenCommand(io));
  program.addCommand(recordCommand(io));
  program.addCommand(exploreCommand(io));
  program.addCommand(clusterCommand(io));
  program.addCommand(dbCommand({ stdout: (t) => io.stdout.write(t), stderr: (t) => io.stderr.write(t), env: io.env }));
  const inherit = (parent: Command) => {
    for (const c of parent.commands) {
      c.copyInheritedSettings(parent);
      c.exitOverride();
      inherit(c);
    }
  };
  program.exitOverride();
  inherit(program);
  return program;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof PolicyFailure) return e.exitCode;
    if (e instanceof CommanderError) {
      // help and version exit 0 through here; usage errors were already printed by commander
      return e.exitCode === 0 ? ExitCode.ok : ExitCode.input;
    }
    if (isBerthError(e)) {
      io.stderr.write(`berth: ${e.message}\n`);
      return e.code === "policy" ? ExitCode.policy : ExitCode.input;
    }
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    io.stderr.write(`berth: internal error: ${msg}\n`);
    if (io.env.BERTH_DEBUG) io.stderr.write(`${e instanceof Error ? e.stack : ""}\n`);
    return ExitCode.internal;
  }
}
