// ajv-formats-draft2019 ships no type declarations; this is the one call Berth's tests make.
declare module "ajv-formats-draft2019" {
  import type Ajv from "ajv";
  export default function addFormats(ajv: Ajv, opts?: { formats?: string[] }): Ajv;
}
