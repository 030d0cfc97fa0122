// The Ruby catalogers, in the order the lead registers them (src/catalog/catalog.ts).
import type { Cataloger } from "../../cataloger.js";
import { gemfileLockCataloger } from "./gemfile-lock.js";
import { rubyInstalledCataloger } from "./installed.js";

export const rubyCatalogers: readonly Cataloger[] = [rubyInstalledCataloger, gemfileLockCataloger];
