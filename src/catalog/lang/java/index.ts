// Java: archives (jar/war/ear/jpi/hpi, nested), pom.xml and Gradle lockfiles.
import type { Cataloger } from "../../cataloger.js";
import { gradleLockfileCataloger } from "./gradle.js";
import { javaArchiveCataloger } from "./jar.js";
import { pomCataloger } from "./pom.js";

export const javaCatalogers: readonly Cataloger[] = [javaArchiveCataloger, pomCataloger, gradleLockfileCataloger];
