// Validators compiled from the official schemas in test/schemas (settings as ../shared/schemas
// documents them). Each returns a list of error strings, empty when the document is valid.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020.js";
import AjvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import addFormats2019 from "ajv-formats-draft2019";
import type { ErrorObject, ValidateFunction } from "ajv";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "schemas");
const load = (f: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>;

function errors(v: ValidateFunction, doc: unknown): string[] {
  return v(doc) ? [] : (v.errors ?? []).map((e: ErrorObject) => `${e.instancePath} ${e.message ?? ""} ${JSON.stringify(e.params).slice(0, 200)}`);
}

let cdx: ValidateFunction | undefined;
export function validateCycloneDx(doc: unknown): string[] {
  if (!cdx) {
    const a = new Ajv.default({ allErrors: true, strict: false });
    addFormats.default(a);
    addFormats2019(a, { formats: ["idn-email"] });
    a.addFormat("iri-reference", true);
    a.addKeyword("meta:enum");
    a.addSchema(load("spdx.schema.json"));
    a.addSchema(load("jsf-0.82.schema.json"));
    cdx = a.compile(load("bom-1.6.schema.json"));
  }
  return errors(cdx, doc);
}

let spdx: ValidateFunction | undefined;
export function validateSpdx(doc: unknown): string[] {
  if (!spdx) spdx = new Ajv.default({ allErrors: true, strict: false }).compile(load("spdx-schema.json"));
  return errors(spdx, doc);
}

let sarif: ValidateFunction | undefined;
export function validateSarif(doc: unknown): string[] {
  if (!sarif) {
    const a = new AjvDraft04.default({ allErrors: true, strict: false });
    addFormats.default(a);
    sarif = a.compile(load("sarif-schema-2.1.0.json"));
  }
  return errors(sarif, doc);
}

let osv: ValidateFunction | undefined;
export function validateOsv(doc: unknown): string[] {
  if (!osv) {
    const a = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(a);
    osv = a.compile(load("osv-schema.json"));
  }
  return errors(osv, doc);
}

let openvex: ValidateFunction | undefined;
export function validateOpenVex(doc: unknown): string[] {
  if (!openvex) {
    const a = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(a);
    a.addFormat("iri", true);
    openvex = a.compile(load("openvex_json_schema.json"));
  }
  return errors(openvex, doc);
}
