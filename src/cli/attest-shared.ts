// What the signing and verification commands (key, sign, attest, provenance, attach, discover,
// verify, policy) share: the passphrase (BERTH_PASSWORD or a prompt on a terminal), the registry
// client and referrers options from flags, the subject image, and bounded input files.
import { readFile, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { Option, type Command } from "commander";
import { RegistryClient } from "../image/registry/client.js";
import { parseReference } from "../image/registry/reference.js";
import { defaultAttestLimits } from "../attest/limits.js";
import type { ReferrersMode, ReferrersOptions } from "../attest/oci/referrers.js";
import type { SignerProvider } from "../attest/signer.js";
import { resolveSubject, type SubjectImage } from "../attest/subject.js";
import { BerthError } from "../util/errors.js";
import { documentTime } from "../util/about.js";
import type { Io } from "./common.js";

export interface AttestCliDeps {
  /** Asks for a secret (no echo). Default: the terminal, when stdin and stderr are TTYs. */
  readonly prompt?: (question: string) => Promise<string>;
  /** KMS signer providers by key-reference URI scheme (none built in). */
  readonly signerProviders?: Readonly<Record<string, SignerProvider>>;
  readonly now?: () => Date;
}

export interface RegistryFlags {
  insecure?: boolean;
  referrers?: ReferrersMode;
  quiet?: boolean;
}

export function addRegistryOptions(cmd: Command, opts: { pushes?: boolean } = {}): Command {
  cmd.option("--insecure", "allow plain-HTTP (and unverified TLS) registries, including loopback ones");
  if (opts.pushes)
    cmd.addOption(
      new Option("--referrers <mode>", "how referrers are recorded: auto (the referrers API when the registry has it, else the sha256-<hex> tag index) or tag-schema (always the tag index)")
        .choices(["auto", "tag-schema"])
        .default("auto"),
    );
  return cmd.option("-q, --quiet", "no log lines on stderr");
}

async function terminalPrompt(question: string, io: Io): Promise<string> {
  const muted = new Writable({ write: (_c, _e, cb) => cb() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  io.stderr.write(question);
  try {
    return await new Promise<string>((resolve) => rl.question("", resolve));
  } finally {
    rl.close();
    io.stderr.write("\n");
  }
}

/** BERTH_PASSWORD when set (even empty), else a prompt on a terminal, else a usage error. */
export async function readPassphrase(io: Io, deps: AttestCliDeps, opts: { confirm?: boolean; what: string }): Promise<string> {
  const env = io.env.BERTH_PASSWORD;
  if (env !== undefined) return env;
  const prompt = deps.prompt ?? (process.stdin.isTTY && io.stderr.isTTY ? (q: string) => terminalPrompt(q, io) : undefined);
  if (!prompt) throw new BerthError("usage", `${opts.what}: set BERTH_PASSWORD (there is no terminal to ask for the passphrase on)`);
  const first = await prompt(`Enter passphrase for ${opts.what}: `);
  if (opts.confirm) {
    const again = await prompt("Enter passphrase again: ");
    if (again !== first) throw new BerthError("usage", "the passphrases do not match");
  }
  return first;
}

export function referrersOptions(flags: RegistryFlags, log: (m: string) => void): ReferrersOptions {
  return { limits: defaultAttestLimits, mode: flags.referrers ?? "auto", log };
}

export function clientFor(image: string, flags: RegistryFlags, log: (m: string) => void): { client: RegistryClient; ref: ReturnType<typeof parseReference> } {
  const ref = parseReference(image);
  return { client: new RegistryClient(ref.registry, { ...(flags.insecure ? { insecure: true } : {}), log }), ref };
}

/** Resolves the image to its digest, saying so when a tag was resolved. */
export async function openSubject(image: string, flags: RegistryFlags, log: (m: string) => void): Promise<{ client: RegistryClient; subject: SubjectImage }> {
  const { client, ref } = clientFor(image, flags, log);
  const subject = await resolveSubject(client, ref);
  if (subject.resolvedFromTag !== undefined) log(`resolved tag ${subject.resolvedFromTag} to ${subject.name}@${subject.digest} (using the digest: a tag can move)`);
  return { client, subject };
}

export function nowOf(io: Io, deps: AttestCliDeps): Date {
  return documentTime(io.env, deps.now);
}

/** Reads a local input file whole, bounded. */
export async function readInputFile(path: string, what: string, max = defaultAttestLimits.maxInputFileBytes): Promise<Buffer> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new BerthError("input", `${what} ${path}: not a file`);
    size = s.size;
  } catch (e) {
    if (e instanceof BerthError) throw e;
    throw new BerthError("input", `cannot read ${what} ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size > max) throw new BerthError("limit", `${what} ${path}: ${size} bytes exceeds limit maxInputFileBytes=${max}`);
  return readFile(path);
}

export async function readJsonObject(path: string, what: string): Promise<Record<string, unknown>> {
  const bytes = await readInputFile(path, what);
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    throw new BerthError("input", `${what} ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new BerthError("input", `${what} ${path}: must be a JSON object`);
  return v as Record<string, unknown>;
}

/** ["k=v", …] → { k: v }; for -a/--annotation and --build-arg. */
export function parseKeyValues(list: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of list ?? []) {
    const i = s.indexOf("=");
    if (i <= 0) throw new BerthError("usage", `${flag}: expected key=value, got "${s}"`);
    out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
