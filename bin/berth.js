#!/usr/bin/env node
// The installed entry point: runs the compiled CLI (npm run build).
import { main } from "../dist/src/cli/main.js";
process.exitCode = await main(process.argv);
