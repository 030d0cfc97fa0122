// Truth for the Python lockfile tests: the same files read by Python's own parsers (tomllib, json)
// in the interpreter the tests run beside — (name, version) pairs as each tool's format defines them.
import { python3Json } from "./testkit.js";

const SCRIPT = `
import json, sys, tomllib
kind, path = sys.argv[1], sys.argv[2]
pairs = set()
if kind == "pipfile":
    doc = json.load(open(path))
    for section in ("default", "develop"):
        for name, e in doc.get(section, {}).items():
            v = e.get("version", "")
            if v.startswith("=="):
                pairs.add((name, v.lstrip("=")))
else:
    doc = tomllib.load(open(path, "rb"))
    for p in doc.get("package", []):
        if kind == "uv" and ({"editable", "virtual"} & set(p.get("source", {}))):
            continue
        pairs.add((p["name"], p["version"]))
print(json.dumps(sorted(pairs)))
`;

export function lockTruth(kind: "poetry" | "uv" | "pdm" | "pipfile", path: string): [string, string][] {
  return python3Json<[string, string][]>(SCRIPT, [kind, path]);
}
