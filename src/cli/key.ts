// berth key generate | public: signing key pairs, cosign's shape (berth.key + berth.pub in the
// current directory, passphrase from BERTH_PASSWORD or a prompt).
import { writeFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { generateKeyPair, keyAlgorithms, loadPrivateKey, type KeyAlgorithm } from "../attest/keys.js";
import { BerthError } from "../util/errors.js";
import { logger, writeOutput, type Io } from "./common.js";
import { readInputFile, readPassphrase, type AttestCliDeps } from "./attest-shared.js";

async function writeNew(path: string, text: string, mode: number, force: boolean): Promise<void> {
  try {
    await writeFile(path, text, { mode, flag: force ? "w" : "wx" });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new BerthError("usage", `${path} already exists (use --force to overwrite)`);
    throw new BerthError("input", `cannot write ${path} (${code ?? (e as Error).message})`);
  }
}

export function keyCommand(io: Io, deps: AttestCliDeps = {}): Command {
  const key = new Command("key").description("generate signing key pairs and export public keys");
  key
    .command("generate")
    .description(
      `Generates a key pair: <prefix>.key (PKCS#8 PEM, encrypted with the passphrase:
AES-256-CBC, PBKDF2) and <prefix>.pub (SPKI PEM, the same shape as
cosign.pub). The passphrase comes from BERTH_PASSWORD, else it is asked for on
the terminal. openssl reads both: openssl pkey -in berth.key -passin
env:BERTH_PASSWORD`,
    )
    .addOption(new Option("-a, --algorithm <alg>", "key algorithm").choices([...keyAlgorithms]).default("ecdsa-p256"))
    .option("--output-prefix <prefix>", "write <prefix>.key and <prefix>.pub", "berth")
    .option("-f, --force", "overwrite existing key files")
    .option("-q, --quiet", "no log lines on stderr")
    .action(async (flags: { algorithm: KeyAlgorithm; outputPrefix: string; force?: boolean; quiet?: boolean }) => {
      const log = logger(io, flags.quiet);
      const keyPath = `${flags.outputPrefix}.key`;
      const pubPath = `${flags.outputPrefix}.pub`;
      const passphrase = await readPassphrase(io, deps, { confirm: true, what: keyPath });
      if (passphrase === "") log("warning: the private key is encrypted with an empty passphrase");
      const pair = generateKeyPair(flags.algorithm, passphrase);
      await writeNew(keyPath, pair.privateKeyPem, 0o600, !!flags.force);
      await writeNew(pubPath, pair.publicKeyPem, 0o644, !!flags.force);
      log(`wrote ${keyPath} (private, ${flags.algorithm}) and ${pubPath} (public); key id ${pair.keyId}`);
    });
  key
    .command("public")
    .description("prints the public key (SPKI PEM) of a private key file")
    .option("--key <file>", "private key file", "berth.key")
    .option("-o, --output <file>", "write to a file instead of stdout")
    .action(async (flags: { key: string; output?: string }) => {
      const pem = (await readInputFile(flags.key, "key", 64 * 1024)).toString("utf8");
      const encrypted = pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----");
      const k = loadPrivateKey(pem, encrypted ? await readPassphrase(io, deps, { what: flags.key }) : "", flags.key);
      await writeOutput(io, k.publicKeyPem, flags.output);
    });
  return key;
}
