// The trust flags `berth server` and `berth worker` share: the public keys (`--trust-key`, repeatable)
// and the trust policy (`--trust-policy`, the `berth verify --policy` format) that image signatures
// and attestations found next to scanned images are verified with (server/attestations.ts).
import { Option } from "commander";
import type { ServerTrust } from "../server/attestations.js";

export interface TrustFlagValues {
  trustKey?: string[];
  trustPolicy?: string;
}

export function trustKeyOption(): Option {
  return new Option("--trust-key <file>", "public key (berth.pub / cosign.pub) image signatures and attestations are verified with (repeatable)").argParser((v: string, prev: string[] = []) => [...prev, v]);
}

export function trustPolicyOption(): Option {
  return new Option("--trust-policy <file>", "trust policy (the berth verify --policy format): its keys count for the images in its registry scopes");
}

/** Loads the keys and the policy once, at start: a bad key or policy stops the start with its message. */
export async function loadTrustFlags(f: TrustFlagValues): Promise<ServerTrust> {
  const { loadServerTrust } = await import("../server/attestations.js");
  const { readInputFile } = await import("./attest-shared.js");
  const policy = f.trustPolicy ? { path: f.trustPolicy, bytes: await readInputFile(f.trustPolicy, "trust policy") } : undefined;
  return loadServerTrust(f.trustKey ?? [], policy);
}
