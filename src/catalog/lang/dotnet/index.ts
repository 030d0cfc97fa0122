// The .NET catalogers, in the order the lead registers them (src/catalog/catalog.ts).
import type { Cataloger } from "../../cataloger.js";
import { depsJsonCataloger } from "./deps-json.js";
import { packagesLockCataloger } from "./packages-lock.js";

export const dotnetCatalogers: readonly Cataloger[] = [depsJsonCataloger, packagesLockCataloger];
