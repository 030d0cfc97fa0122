// Runs the signing/attestation commands in-process (a small commander program with the same exit
// code mapping as src/cli/main.ts), with captured output and injectable prompt/clock/git.
import { Writable } from "node:stream";
import { Command, CommanderError } from "commander";
import { isBerthError } from "../../src/util/errors.js";
import type { Io } from "../../src/cli/common.js";
import type { AttestCliDeps } from "../../src/cli/attest-shared.js";
import type { LocalGit } from "../../src/attest/ci-env.js";
import { keyCommand } from "../../src/cli/key.js";
import { signCommand } from "../../src/cli/sign.js";
import { attestCommand, pullAttestationCommand } from "../../src/cli/attest.js";
import { provenanceCommand } from "../../src/cli/provenance.js";
import { attachCommand } from "../../src/cli/attach.js";
import { discoverCommand } from "../../src/cli/discover.js";
import { verifyCommand } from "../../src/cli/verify.js";
import { policyCommand } from "../../src/cli/policy.js";

class Capture extends Writable {
  text = "";
  isTTY = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString("utf8");
    cb();
  }
}

export interface AttestCliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type AttestTestDeps = AttestCliDeps & { localGit?: () => Promise<LocalGit> };

export function attestProgram(io: Io, deps: AttestTestDeps = {}): Command {
  const program = new Command("berth").configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  for (const c of [keyCommand(io, deps), signCommand(io, deps), attestCommand(io, deps), pullAttestationCommand(io, deps), provenanceCommand(io, deps), attachCommand(io, deps), discoverCommand(io, deps), verifyCommand(io, deps), policyCommand(io, deps)]) program.addCommand(c);
  const inherit = (parent: Command): void => {
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

/** `berth <args>` with env added to the process env (BERTH_PASSWORD unset unless given). */
export async function runAttestCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, deps: AttestTestDeps = {}): Promise<AttestCliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const base = { ...process.env };
  delete base.BERTH_PASSWORD;
  for (const k of Object.keys(base)) if (/^(GITHUB_|CI_|GITLAB_|TF_BUILD|BUILD_|SYSTEM_|AGENT_)/.test(k)) delete base[k];
  const io: Io = { stdout, stderr, env: { ...base, ...env } };
  let code = 0;
  try {
    await attestProgram(io, deps).parseAsync(["node", "berth", ...args]);
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (isBerthError(e)) {
      stderr.write(`berth: ${e.message}\n`);
      code = e.code === "policy" ? 1 : 2;
    } else {
      stderr.write(`berth: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      code = 3;
    }
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}
