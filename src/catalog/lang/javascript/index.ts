// The JavaScript catalogers (issue 3): installed node_modules packages and the npm, yarn, pnpm and
// bun lockfiles. Registered by the lead in catalog.ts; each reports what its own file says.
import type { Cataloger } from "../../cataloger.js";
import { bunLockCataloger } from "./bun-lock.js";
import { npmInstalledCataloger } from "./installed.js";
import { npmLockCataloger } from "./package-lock.js";
import { pnpmLockCataloger } from "./pnpm-lock.js";
import { yarnLockCataloger } from "./yarn-lock.js";

export const javascriptCatalogers: readonly Cataloger[] = [npmInstalledCataloger, npmLockCataloger, yarnLockCataloger, pnpmLockCataloger, bunLockCataloger];

export { bunLockCataloger, npmInstalledCataloger, npmLockCataloger, pnpmLockCataloger, yarnLockCataloger };
