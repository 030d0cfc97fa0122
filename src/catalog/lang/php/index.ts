// The PHP (Composer) catalogers, in the order the lead registers them (src/catalog/catalog.ts).
import type { Cataloger } from "../../cataloger.js";
import { composerInstalledCataloger } from "./installed.js";
import { composerLockCataloger } from "./lock.js";

export const phpCatalogers: readonly Cataloger[] = [composerInstalledCataloger, composerLockCataloger];
