// Rust: crate graphs embedded by cargo-auditable in binaries, and Cargo.lock in source trees.
import type { Cataloger } from "../../cataloger.js";
import { cargoAuditableCataloger } from "./auditable.js";
import { cargoLockCataloger } from "./cargolock.js";

export const rustCatalogers: readonly Cataloger[] = [cargoAuditableCataloger, cargoLockCataloger];
