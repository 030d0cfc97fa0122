// A command's configuration from flags, environment and a YAML file, for every option the command
// declares (nothing here lists them, so a flag added to the command works in the file and the
// environment at once). Precedence: flag > environment > file > the option's default.
//   YAML key:   the flag's camelCase attribute name: --data-dir → dataDir, --no-oidc → oidc (false).
//   env var:    PREFIX + the flag's name in upper snake case: --data-dir → BERTH_DATA_DIR,
//               --no-oidc → BERTH_OIDC=false.
// Values go through the option's own argument parser (choices, repeatable collectors) exactly as
// a flag's would; a list in YAML is the flag repeated. The file is untrusted input: bounded in size,
// a mapping at the top, unknown keys and wrong types refused with one line naming key and file.
import { readFile, stat } from "node:fs/promises";
import { Command, type Option } from "commander";
import { parse as parseYaml } from "yaml";
import { BerthError } from "../util/errors.js";

export const MAX_CONFIG_BYTES = 256 * 1024;
const MAX_LIST = 1000;

export interface ConfigSourceOptions {
  /** Environment variable prefix ("BERTH_"). */
  readonly envPrefix: string;
  /** The option naming the file (its attribute name, e.g. "config"); its env var is PREFIX + CONFIG. */
  readonly fileOption: string;
  /**
   * Keys of another command that reads the same file (`berth worker` shares `berth server`'s): not
   * this command's, so ignored rather than refused. Keys neither command knows are still refused.
   */
  readonly sharedWith?: Command;
}

function flagName(o: Option): string {
  return (o.long ?? "").replace(/^--(no-)?/, "");
}

/** --data-dir → BERTH_DATA_DIR; --no-oidc → BERTH_OIDC. */
export function envName(o: Option, prefix: string): string {
  return prefix + flagName(o).replace(/-/g, "_").toUpperCase();
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "a mapping" : `a ${typeof v}`;
}

function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(t)) return true;
  if (["false", "0", "no", "off"].includes(t)) return false;
  return undefined;
}

/** Runs the option's own argument parser (choices, collectors), naming `where` in its complaint. */
function viaParser(o: Option, text: string, previous: unknown, where: string): unknown {
  if (!o.parseArg) return text;
  try {
    return o.parseArg(text, previous);
  } catch (e) {
    throw new BerthError("usage", `${where}: ${e instanceof Error ? e.message.replace(/^error: /, "") : String(e)}`);
  }
}

/** A flag without a value: --x (true) or --no-x (false). */
function takesNoValue(o: Option): boolean {
  return !o.required && !o.optional;
}

/** A YAML value as the option would have received it from flags. */
function fromYaml(o: Option, value: unknown, where: string): unknown {
  if (takesNoValue(o)) {
    if (typeof value !== "boolean") throw new BerthError("usage", `${where}: expected true or false, got ${describe(value)}`);
    return value;
  }
  const scalar = (v: unknown): string => {
    if (typeof v === "string") return v;
    if (typeof v === "number" && Number.isFinite(v)) return String(v);
    throw new BerthError("usage", `${where}: expected a string, got ${describe(v)}`);
  };
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST) throw new BerthError("usage", `${where}: more than ${MAX_LIST} values`);
    if (o.variadic && !o.parseArg) return value.map(scalar);
    let acc: unknown = undefined;
    for (const v of value) acc = viaParser(o, scalar(v), acc, where);
    // Only a repeatable option (one whose parser collects) takes a list.
    if (!Array.isArray(acc)) throw new BerthError("usage", `${where}: takes one value, not a list`);
    return acc;
  }
  if (o.variadic && !o.parseArg) return [scalar(value)];
  return viaParser(o, scalar(value), undefined, where);
}

/** An environment value as the option would have received it from flags. */
function fromEnv(o: Option, text: string, where: string): unknown {
  if (!takesNoValue(o)) return o.variadic && !o.parseArg ? [text] : viaParser(o, text, undefined, where);
  const b = parseBoolean(text);
  if (b === undefined) throw new BerthError("usage", `${where}: expected true or false, got "${text.slice(0, 40)}"`);
  // BERTH_OIDC=false means --no-oidc: the attribute holds the positive sense.
  return b;
}

/** Reads and checks the YAML file: a mapping (an empty file is an empty one). */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BerthError("usage", `config file ${path}: ${code === "ENOENT" ? "no such file" : (code ?? "cannot read it")}`);
  }
  if (size > MAX_CONFIG_BYTES) throw new BerthError("limit", `config file ${path} is ${size} bytes; at most ${MAX_CONFIG_BYTES} are read`);
  const text = await readFile(path, "utf8");
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100, prettyErrors: false });
  } catch (e) {
    throw new BerthError("usage", `config file ${path}: not valid YAML: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new BerthError("usage", `config file ${path}: expected a mapping of settings at the top, got ${describe(doc)}`);
  return doc as Record<string, unknown>;
}

/**
 * Fills every option not given as a flag from the environment, else from the config file (named
 * by the file option or its env var). Call from a preAction hook: commander passes the action the
 * values set here.
 */
export async function applyConfigSources(cmd: Command, env: NodeJS.ProcessEnv, opts: ConfigSourceOptions): Promise<void> {
  const options = cmd.options.filter((o) => o.long && o.attributeName() !== "help");
  const fileOpt = options.find((o) => o.attributeName() === opts.fileOption);
  const fileEnv = fileOpt ? env[envName(fileOpt, opts.envPrefix)] : undefined;
  const path = (cmd.getOptionValue(opts.fileOption) as string | undefined) ?? (fileEnv || undefined);
  const file = path ? await readConfigFile(path) : {};

  const byKey = new Map<string, Option>();
  for (const o of options) if (o !== fileOpt && !byKey.has(o.attributeName())) byKey.set(o.attributeName(), o);
  const shared = new Set((opts.sharedWith?.options ?? []).map((o) => o.attributeName()));
  for (const key of Object.keys(file)) {
    if (!byKey.has(key) && !shared.has(key)) {
      throw new BerthError("usage", `config file ${path ?? ""}: unknown key "${key.slice(0, 60)}" (keys are the flags of "berth ${cmd.name()}"${opts.sharedWith ? ` or "berth ${opts.sharedWith.name()}"` : ""} in camelCase, e.g. dataDir for --data-dir)`);
    }
  }

  for (const [key, o] of byKey) {
    if (cmd.getOptionValueSource(key) === "cli") continue;
    const name = envName(o, opts.envPrefix);
    const fromEnvironment = env[name];
    if (fromEnvironment !== undefined && fromEnvironment !== "") {
      cmd.setOptionValueWithSource(key, fromEnv(o, fromEnvironment, name), "env");
    } else if (Object.hasOwn(file, key)) {
      cmd.setOptionValueWithSource(key, fromYaml(o, file[key], `config file ${path ?? ""}: ${key}`), "config");
    }
  }
}
