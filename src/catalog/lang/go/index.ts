// Go: module build information of compiled binaries, and go.mod/go.sum in source trees.
import type { Cataloger } from "../../cataloger.js";
import { goBinaryCataloger } from "./binary.js";
import { goModCataloger } from "./gomod.js";

export const goCatalogers: readonly Cataloger[] = [goBinaryCataloger, goModCataloger];
