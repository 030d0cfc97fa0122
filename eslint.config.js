// Lint rules that keep the pipeline's shape: stages import downstream only (see ARCHITECTURE.md).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

const shells = ["**/cli/**", "**/server/**", "**/scan/**", "**/web/**"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "**/testdata/**", "web/dist/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Stages never import the shells that wire them.
    files: ["src/{model,image,catalog,version,vulndb,match,sbom,report,attest,store,util}/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: shells, message: "stages import downstream only: never cli/, server/, scan/ or web/" }] }],
    },
  },
  {
    // The web UI runs in the browser and shares only pure modules with the server (model/, the explorer schema).
    files: ["web/src/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(\\.\\./)+src/(?!model/|server/explore/schema\\.js$)", message: "web/ imports only src/model/ and src/server/explore/schema.ts" }] },
      ],
    },
  },
  {
    // model/ is pure data shared with the web UI.
    files: ["src/model/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["node:*", "../*"], message: "model/ is pure types shared with web/" }] }],
    },
  },
);
