// Runs the CLI from source (no build step), for development: `npx tsx scripts/berth-dev.ts sbom …`.
import { main } from "../src/cli/main.js";
process.exitCode = await main(process.argv);
