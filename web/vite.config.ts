// Builds the web UI (web/) into dist/web/ at the repository root, which `berth server` serves
// (src/server/routes/web.ts). Hashed file names under assets/ let the server cache them forever.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    // The explorer's first load must stay small (budget: 300 KB gzipped JS); warn well before.
    chunkSizeWarningLimit: 400,
  },
  server: { host: "127.0.0.1" },
});
