// `berth token create --role admin|ingest|read`: a new API token, printed once (only its hash is
// stored). Works on the server's store directly (--data-dir or --database-url), so the first admin
// token can be made before anyone can call the API.
import { resolve } from "node:path";
import { Command, Option } from "commander";
import type { Io } from "./common.js";
import { DEFAULT_DATA_DIR } from "./server.js";
import { BerthError } from "../util/errors.js";

interface TokenFlags {
  role: string;
  dataDir?: string;
  databaseUrl?: string;
  description?: string;
}

export function tokenCommand(io: Io): Command {
  const token = new Command("token").description("manage API tokens of a Berth server");
  token
    .command("create")
    .description("create an API token and print it once")
    .addOption(new Option("--role <role>", "what the token may do").choices(["admin", "ingest", "read"]).makeOptionMandatory())
    .option("--data-dir <dir>", `the server's data directory (env BERTH_DATA_DIR, default ${DEFAULT_DATA_DIR})`)
    .option("--database-url <url>", "the server's PostgreSQL database (env BERTH_DATABASE_URL)")
    .option("--description <text>", "what the token is for")
    .action(async (f: TokenFlags) => {
      const { openStore, repositories, storeLocation, isTokenRole } = await import("../store/index.js");
      if (!isTokenRole(f.role)) throw new BerthError("usage", `--role: expected admin, ingest or read`);
      const databaseUrl = f.databaseUrl ?? io.env.BERTH_DATABASE_URL;
      const store = await openStore(storeLocation(resolve(f.dataDir ?? io.env.BERTH_DATA_DIR ?? DEFAULT_DATA_DIR), databaseUrl));
      try {
        const repos = repositories(store);
        const now = new Date();
        const { id, token: secret } = await repos.tokens.create(f.role, f.description, now);
        await repos.audit.record({ actor: "cli", action: "token.create", subject: `token:${id}`, detail: { role: f.role } }, now);
        io.stdout.write(`${secret}\n`);
      } finally {
        await store.close();
      }
    });
  return token;
}
