// The registry of schemes: a Record over SchemeId, so adding an id without a scheme does not compile.
import { apk } from "./apk.js";
import { composer } from "./composer.js";
import { dpkg } from "./dpkg.js";
import { gem } from "./gem.js";
import { go } from "./go.js";
import { maven } from "./maven.js";
import { nuget } from "./nuget.js";
import { pep440 } from "./pep440.js";
import { rpm } from "./rpm.js";
import type { SchemeId, VersionScheme } from "./scheme.js";
import { semver } from "./semver.js";

export const schemes: Readonly<Record<SchemeId, VersionScheme>> = { dpkg, rpm, apk, semver, pep440, maven, go, gem, nuget, composer };
