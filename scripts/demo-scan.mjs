// `npm start`: Berth's main job on the bundled demo data — import the bundled real advisories into an
// embedded database under ./.berth (once), then scan the bundled demo image and print the findings.
// Nothing reaches the network. The server and web UI will take this place when they land.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { main } from "../dist/src/cli/main.js";

const cacheDir = process.env.BERTH_CACHE_DIR ?? join(process.cwd(), ".berth", "cache");
const env = { ...process.env, BERTH_CACHE_DIR: cacheDir };
const io = { stdout: process.stdout, stderr: process.stderr, env };
if (!existsSync(join(cacheDir, "db", "vulndb.sqlite"))) {
  const code = await main(["node", "berth", "db", "update", "--source", "demo/vulndata", "--no-kev"], io);
  if (code !== 0) process.exit(code);
}
process.stderr.write("\nberth scan image demo/debian-12.oci.tar  (the package databases of a real Debian 12 image)\n\n");
process.exitCode = await main(["node", "berth", "scan", "image", "--skip-db-update", "--no-cache", "demo/debian-12.oci.tar"], io);
