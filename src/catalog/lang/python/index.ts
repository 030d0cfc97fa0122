// The Python catalogers, in the order the lead registers them (src/catalog/catalog.ts).
import type { Cataloger } from "../../cataloger.js";
import { pythonInstalledCataloger } from "./installed.js";
import { pdmLockCataloger } from "./pdm.js";
import { pipfileLockCataloger } from "./pipfile.js";
import { poetryLockCataloger } from "./poetry.js";
import { requirementsCataloger } from "./requirements.js";
import { uvLockCataloger } from "./uv.js";

export const pythonCatalogers: readonly Cataloger[] = [pythonInstalledCataloger, poetryLockCataloger, pipfileLockCataloger, uvLockCataloger, pdmLockCataloger, requirementsCataloger];
