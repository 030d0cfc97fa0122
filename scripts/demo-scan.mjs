// `npm run demo:scan`: the CLI on the bundled demo data — import the bundled real advisories into an
// embedded database under ./.berth (once), then scan the bundled demo image and print the findings.
// Nothing reaches the network. (`npm start` runs the server and web UI on the demo dataset.)
import { existsSync } from "node:fs";
import { join } from "node:path";
import { main } from "../dist/src/cli/main.js";

const cacheDir = process.env.BERTH_CACHE_DIR ?? join(process.cwd(), ".berth", "cache");
const env = { ...process.env, BERTH_CACHE_DIR: cacheDir };
const io = { stdout: process.stdout, stderr: process.stderr, env };
if (!existsSync(join(cacheDir, "db", "vulndb.sqlite"))) {
  const code = await main(["node", "berth", "db", "update", "--source", "demo/vulndata"], io);
  if (code !== 0) process.exit(code);
}
process.stderr.write("\nberth scan image demo/debian-12.oci.tar  (the package databases of a real Debian 12 image)\n\n");
process.exitCode = await main(["node", "berth", "scan", "image", "--skip-db-update", "--no-cache", "demo/debian-12.oci.tar"], io);
