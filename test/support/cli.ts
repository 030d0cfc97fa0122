// Runs the berth CLI in-process with captured stdout/stderr, as a user would call it.
import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Capture extends Writable {
  text = "";
  isTTY = false;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString("utf8");
    cb();
  }
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(["node", "berth", ...args], { stdout, stderr, env: { ...process.env, ...env } });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
